#include <catch2/catch.hpp>

#include "common/names.h"
#include "common/uuid.h"
#include "schema/applications.h"
#include "schema/database.h"
#include "schema/migrations.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

// Creates the file and its folders: an SQLite path (PostgreSQL: the open test in postgresql_connection_test.cpp).
TEST_CASE("a new database is brought to the latest schema version and reopening changes nothing", "[sqlite-only]") {
  uchet::test::TempDir dir;
  auto path = dir.file("sub/folder/uchet.db");
  {
    auto db = Database::open(path);
    REQUIRE(schema_version(db) == latest_schema_version());
    REQUIRE(latest_schema_version() >= 1);
  }
  auto db = Database::open(path);
  Statement q(db, "SELECT COUNT(*) FROM schema_version");
  REQUIRE(q.step());
  CHECK(q.int64(0) == static_cast<std::int64_t>(migrations().size()));
}

// journal_mode and the foreign_keys pragma are SQLite's; PostgreSQL always enforces foreign keys.
TEST_CASE("the database runs in WAL mode with foreign keys enforced", "[sqlite-only]") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  Statement mode(db, "PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.text(0) == "wal");
  CHECK_THROWS_AS(db.exec("INSERT INTO device (dev_eui, application_id, mac_version, activation, created_at) "
                          "VALUES ('0011223344556677', 999, '1.0.3', 'otaa', 0)"),
                  StorageError);
}

TEST_CASE("a database from a newer uchet is refused with a message saying so") {
  uchet::test::TempDir dir;
  auto path = uchet::test::test_database_location(dir.path());
  {
    auto db = Database::open(path);
    db.exec("INSERT INTO schema_version (version, name, applied_at) VALUES (9999, '9999_future', 0)");
  }
  try {
    Database::open(path);
    FAIL("opening a newer database must fail");
  } catch (const StorageError& e) {
    CHECK_THAT(e.what(), Catch::Contains("newer than this uchet"));
  }
}

TEST_CASE("a transaction that is not committed leaves nothing behind") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  {
    Transaction tx(db);
    db.exec("INSERT INTO application (name, created_at) VALUES ('water', 0)");
  }
  Statement q(db, "SELECT COUNT(*) FROM application");
  REQUIRE(q.step());
  CHECK(q.int64(0) == 0);
}

TEST_CASE("registry edits bump the registry version a running daemon polls") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  auto version = [&] {
    Statement q(db, "SELECT version FROM registry_version");
    q.step();
    return q.int64(0);
  };
  auto before = version();
  db.exec("INSERT INTO application (name, created_at) VALUES ('water', 0)");
  CHECK(version() == before + 1);
  db.exec("INSERT INTO gateway (gateway_eui, name, created_at) VALUES ('aa555a0000000000', 'roof', 0)");
  CHECK(version() == before + 2);
  db.exec("UPDATE gateway SET last_seen_at = 5");  // statistics are not registry changes
  CHECK(version() == before + 2);
}

TEST_CASE("an application gets a random version-4 UUID at creation, different for each") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  insert_application(db, "water", "");
  insert_application(db, "heat", "");
  const auto water = find_application(db, "water")->uuid, heat = find_application(db, "heat")->uuid;
  INFO(water << " " << heat);
  CHECK(uchet::common::canonical_uuid(water) == water);
  CHECK(water[14] == '4');
  CHECK(std::string("89ab").find(water[19]) != std::string::npos);
  CHECK(water != heat);
}

TEST_CASE("the PostgreSQL migrations have the same numbers and titles as SQLite's") {
  const auto& sqlite = migrations(Dialect::sqlite);
  const auto& postgresql = migrations(Dialect::postgresql);
  REQUIRE(postgresql.size() == sqlite.size());
  for (std::size_t i = 0; i < sqlite.size(); ++i) {
    CHECK(postgresql[i].version == sqlite[i].version);
    CHECK(std::string(postgresql[i].name) == sqlite[i].name);
  }
}
