// The outbox table helpers, without a broker.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "appserver/integration/outbox.h"
#include "schema/database.h"
#include "schema/migrations.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet;
using appserver::OutboxRow;

namespace {

std::vector<std::int64_t> ids_of(const std::vector<OutboxRow>& rows) {
  std::vector<std::int64_t> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

}  // namespace

TEST_CASE("an event enqueued in a transaction that is not committed leaves no outbox row") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  {
    schema::Transaction tx(db);
    appserver::enqueue_event(db, "uchet/a", R"({"n":1})");
  }
  CHECK(appserver::outbox_rows_after(db, 0, 10).empty());
  CHECK(appserver::outbox_backlog(db) == 0);
}

TEST_CASE("outbox rows are read oldest first, after a given id, at most N at a time") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  {
    schema::Transaction tx(db);
    for (int i = 1; i <= 5; ++i)
      appserver::enqueue_event(db, "uchet/" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}");
    tx.commit();
  }
  auto first = appserver::outbox_rows_after(db, 0, 3);
  REQUIRE(first.size() == 3);
  CHECK(first[0].topic == "uchet/1");
  CHECK(first[0].payload == R"({"n":1})");
  CHECK(first[2].topic == "uchet/3");
  auto rest = appserver::outbox_rows_after(db, first.back().id, 10);
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].topic == "uchet/4");
  CHECK(rest[1].topic == "uchet/5");
  CHECK(rest[0].id > first.back().id);
  CHECK(appserver::outbox_backlog(db) == 5);
}

TEST_CASE("a set of outbox ids is deleted at once and unknown ids are ignored") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  for (int i = 1; i <= 6; ++i) appserver::enqueue_event(db, "uchet/x", "{}");
  auto all = ids_of(appserver::outbox_rows_after(db, 0, 10));
  REQUIRE(all.size() == 6);
  std::vector<std::int64_t> gone = {all[0], all[1], all[3], 999999};
  appserver::delete_outbox_rows(db, gone);
  CHECK(ids_of(appserver::outbox_rows_after(db, 0, 10)) == std::vector<std::int64_t>{all[2], all[4], all[5]});
  // max - min + 1: an upper bound while there are holes.
  CHECK(appserver::outbox_backlog(db) == all[5] - all[2] + 1);
  appserver::delete_outbox_rows(db, std::vector<std::int64_t>{});
  CHECK(appserver::outbox_rows_after(db, 0, 10).size() == 3);
}

TEST_CASE("outbox ids given in any order, with repeats, delete exactly those rows") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  for (int i = 1; i <= 9; ++i) appserver::enqueue_event(db, "uchet/x", "{}");
  auto all = ids_of(appserver::outbox_rows_after(db, 0, 20));
  REQUIRE(all.size() == 9);
  // Runs 1-3 and 6-7 (0-based), out of order and with a repeat; 0, 4, 5 and 8 stay.
  std::vector<std::int64_t> gone = {all[7], all[2], all[1], all[6], all[3], all[2]};
  appserver::delete_outbox_rows(db, gone);
  CHECK(ids_of(appserver::outbox_rows_after(db, 0, 20)) == std::vector<std::int64_t>{all[0], all[4], all[5], all[8]});
}

TEST_CASE("events that MQTT could never publish are refused when enqueued") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  CHECK_THROWS_AS(appserver::enqueue_event(db, "", "{}"), std::invalid_argument);
  CHECK_THROWS_AS(appserver::enqueue_event(db, "uchet/+/up", "{}"), std::invalid_argument);
  CHECK_THROWS_AS(appserver::enqueue_event(db, "uchet/#", "{}"), std::invalid_argument);
  CHECK_THROWS_AS(appserver::enqueue_event(db, "uchet/\xff", "{}"), std::invalid_argument);
  CHECK_THROWS_AS(appserver::enqueue_event(db, "uchet/up", "\xc3"), std::invalid_argument);
  CHECK_THROWS_AS(appserver::enqueue_event(db, "uchet/up", "{\"a\":\"\xc0\xaf\"}"), std::invalid_argument);  // overlong
  CHECK_THROWS_AS(appserver::enqueue_event(db, "uchet/up", "{\"a\":\"\xed\xa0\x80\"}"),
                  std::invalid_argument);  // surrogate
  CHECK(appserver::outbox_rows_after(db, 0, 10).empty());
  // Long payloads go through the SIMD path of the check: valid multi-byte text passes, one bad
  // byte deep inside is still found.
  std::string text;
  for (int i = 0; i < 200; ++i) text += "показания ";
  appserver::enqueue_event(db, "uchet/up", R"({"a":")" + text + R"("})");
  text[1001] = '\xff';
  CHECK_THROWS_AS(appserver::enqueue_event(db, "uchet/up", R"({"a":")" + text + R"("})"), std::invalid_argument);
  CHECK(appserver::outbox_rows_after(db, 0, 10).size() == 1);
}

TEST_CASE("outbox ids are never reused, even after the newest rows were deleted") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  for (int i = 1; i <= 3; ++i) appserver::enqueue_event(db, "uchet/x", "{}");
  auto first = ids_of(appserver::outbox_rows_after(db, 0, 10));
  REQUIRE(first.size() == 3);
  CHECK(appserver::oldest_outbox_id(db) == first.front());
  appserver::delete_outbox_rows(db, first);  // the table is empty again
  CHECK_FALSE(appserver::oldest_outbox_id(db));
  appserver::enqueue_event(db, "uchet/x", "{}");
  auto next = ids_of(appserver::outbox_rows_after(db, 0, 10));
  REQUIRE(next.size() == 1);
  CHECK(next[0] > first.back());  // a publisher whose cursor is at first.back() still sees it
}

// SQLite's migration 0007 rebuilt the outbox with AUTOINCREMENT; PostgreSQL's outbox has had an
// identity column (never reusing an id) since 0001, so there is no older PostgreSQL schema to
// upgrade from.
TEST_CASE("upgrading a database with rows waiting in the outbox keeps them and their ids", "[sqlite-only]") {
  test::TempDir dir;
  auto db = schema::Database::open_raw(dir.file("uchet.db"));
  // The schema as released before migration 0007 (ids assigned as max(id)+1), with rows waiting.
  schema::schema_version(db);  // creates the version table
  for (const auto& m : schema::migrations(db.dialect())) {
    if (m.version >= 7) break;
    db.exec(m.sql);
    schema::Statement(db, "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, 0)")
        .bind(1, m.version)
        .bind(2, m.name)
        .run();
  }
  db.exec(
      "INSERT INTO outbox (id, topic, payload, created_at) VALUES (5, 'uchet/a', '{}', 0), (6, 'uchet/b', '{}', 0)");

  schema::migrate(db);
  CHECK(ids_of(appserver::outbox_rows_after(db, 0, 10)) == std::vector<std::int64_t>{5, 6});
  appserver::delete_outbox_rows(db, std::vector<std::int64_t>{5, 6});
  appserver::enqueue_event(db, "uchet/c", "{}");
  CHECK(ids_of(appserver::outbox_rows_after(db, 0, 10)) == std::vector<std::int64_t>{7});  // not 1
}
