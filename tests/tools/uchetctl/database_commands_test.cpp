// uchetctl backup, check, restore and storage stats as an operator types them: exit codes,
// what they print, and what they refuse.
#include <catch2/catch.hpp>

#include <filesystem>

#include "schema/database_lock.h"
#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

// uchetctl check is SQLite's integrity and foreign-key check; on PostgreSQL it is refused (last test case).
TEST_CASE("check exits 0 on a sound database and 1 with the problems found", "[sqlite-only]") {
  Uchetctl ctl;
  REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  auto ok = ctl.json({"check"});
  CHECK(ok["ok"] == true);
  CHECK(ok["schemaVersion"] == ok["latestSchemaVersion"]);
  REQUIRE(uchet::test::run(
              {"/usr/bin/sqlite3", ctl.database(),
               "PRAGMA foreign_keys=OFF; INSERT INTO reading (dev_eui, quantity, resource, value, unit, "
               "measured_at, received_at) VALUES ('0011223344556677', 'volume', 'cold_water', 1, 'm3', 1, 1);"})
              .exit_code == 0);
  auto bad = ctl({"check"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("foreign key: reading row"));
  CHECK(ctl({"--db", ctl.file("missing.db"), "check"}).exit_code == 2);
}

// Backup and restore copy SQLite files; on PostgreSQL they are refused (last test case).
TEST_CASE("backup refuses to overwrite; restore refuses while the database is held and restores otherwise",
          "[sqlite-only]") {
  Uchetctl ctl;
  REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  const auto backup = ctl.file("backup.db");
  auto made = ctl({"backup", backup});
  REQUIRE(made.exit_code == 0);
  CHECK_THAT(made.out, Catch::Contains("checked"));
  CHECK(ctl({"backup", backup}).exit_code == 2);
  REQUIRE(ctl({"application", "add", "heat"}).exit_code == 0);
  {
    auto held = uchet::schema::DatabaseLock::acquire(ctl.database(), "uchetd");
    REQUIRE(held);
    auto refused = ctl({"restore", backup});
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("held by uchetd"));
    CHECK(ctl.json({"application", "list"}).size() == 2);
  }
  REQUIRE(ctl({"restore", backup}).exit_code == 0);
  CHECK(ctl.json({"application", "list"}).size() == 1);
}

TEST_CASE("storage stats lists every table with rows and bytes, and the WAL") {
  Uchetctl ctl;
  REQUIRE(ctl({"gateway", "add", "AA555A0000000001", "--name", "roof"}).exit_code == 0);
  auto stats = ctl.json({"storage", "stats"});
  CHECK(stats["bytesExact"] == true);
  if (uchet::test::testing_postgresql()) {
    // No file or WAL of its own: the server's size of the database instead.
    CHECK(stats["databaseBytes"].get<long long>() > 0);
    CHECK_FALSE(stats.contains("walBytes"));
  } else {
    CHECK(stats["fileBytes"].get<long long>() > 0);
    CHECK(stats["walBytes"].is_number());
  }
  bool gateway = false;
  for (const auto& t : stats["tables"]) {
    if (t["table"] == "gateway") {
      gateway = true;
      CHECK(t["rows"] == 1);
      CHECK(t["bytes"].get<long long>() > 0);
    }
  }
  CHECK(gateway);
}

TEST_CASE("backup, restore and check refuse a PostgreSQL database and name its own tools") {
  Uchetctl ctl;
  // Refused before connecting: no server is needed, and the password is never printed.
  const std::string uri = "postgresql://uchet:hunter2@db.invalid/uchet";
  for (const auto& command :
       {std::vector<std::string>{"backup", ctl.file("copy.db")},
        std::vector<std::string>{"restore", ctl.file("copy.db")}, std::vector<std::string>{"check"}}) {
    std::vector<std::string> args{uchet::test::executable_from_env("UCHETCTL"), "--db", uri};
    args.insert(args.end(), command.begin(), command.end());
    auto r = uchet::test::run(args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("works on an SQLite database file") && Catch::Contains("pg_dump") &&
                          Catch::Contains("pg_basebackup") && Catch::Contains("pg_amcheck"));
    CHECK(r.err.find("hunter2") == std::string::npos);
  }
}

TEST_CASE("instance list is refused on SQLite, where one uchetd holds the file", "[sqlite-only]") {
  Uchetctl ctl;
  auto refused = ctl({"instance", "list"});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("PostgreSQL only"));
}
