// schema::table_stats on the test run's storage, wal_size_bytes on a real SQLite file.
#include <catch2/catch.hpp>

#include <algorithm>

#include "schema/database.h"
#include "schema/statement.h"
#include "schema/storage_stats.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

TEST_CASE("table stats count rows, bytes of table and indexes, and rows per day over the last week") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  const std::int64_t now = 1'800'000'000;
  // 14 rows in the last 7 days and 30 older ones.
  for (int i = 0; i < 44; ++i) {
    Statement(db, "INSERT INTO outbox (topic, payload, created_at) VALUES ('t', ?, ?)")
        .bind(1, std::string(1000, 'p'))
        .bind(2, i < 14 ? now - i * 3600 : now - 30 * 86400)
        .run();
  }
  // Debian's libsqlite3 has dbstat; without it the bytes would be absent. PostgreSQL always has them.
  REQUIRE(table_bytes_known(db));
  const auto stats = table_stats(db, now);
  const auto outbox = std::find_if(stats.begin(), stats.end(), [](const auto& t) { return t.table == "outbox"; });
  REQUIRE(outbox != stats.end());
  CHECK(outbox->rows == 44);
  REQUIRE(outbox->bytes);
  CHECK(*outbox->bytes >= 44 * 1000);
  REQUIRE(outbox->rows_per_day);
  CHECK(*outbox->rows_per_day == Approx(2.0));
  REQUIRE(outbox->bytes_per_day);
  CHECK(*outbox->bytes_per_day == Approx(2.0 * *outbox->bytes / 44));
  const auto device = std::find_if(stats.begin(), stats.end(), [](const auto& t) { return t.table == "device"; });
  REQUIRE(device != stats.end());
  CHECK_FALSE(device->rows_per_day);  // no time column: no growth figure
  CHECK(std::none_of(stats.begin(), stats.end(), [](const auto& t) { return t.table == "schema_version"; }));
  CHECK(std::is_sorted(stats.begin(), stats.end(), [](const auto& a, const auto& b) { return a.table < b.table; }));
  CHECK(postgresql_database_bytes(db).has_value() == uchet::test::testing_postgresql());
}

// SQLite's WAL file; a PostgreSQL database has none of its own.
TEST_CASE("the WAL's size is that of its file, 0 when there is none", "[sqlite-only]") {
  uchet::test::TempDir dir;
  const auto path = dir.file("uchet.db");
  auto db = Database::open(path);
  Statement(db, "INSERT INTO outbox (topic, payload, created_at) VALUES ('t', 'p', 0)").run();
  CHECK(wal_size_bytes(path) > 0);  // the inserts are in the WAL
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  CHECK(wal_size_bytes(path) == 0);
  CHECK(wal_size_bytes(dir.file("missing.db")) == 0);
}
