// schema::advance_identity_sequences on the test run's storage: rows inserted with explicit ids
// no longer make the next generated id collide, and a sequence never goes backwards.
#include <catch2/catch.hpp>

#include "schema/database.h"
#include "schema/identity_sequences.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

namespace {

std::int64_t insert_outbox_row(Database& db) {
  Statement insert(db, "INSERT INTO outbox (topic, payload, created_at) VALUES ('t', 'p', 0) RETURNING id");
  return inserted_id(insert);
}

void insert_outbox_row_with_id(Database& db, std::int64_t id) {
  Statement(db, "INSERT INTO outbox (id, topic, payload, created_at) VALUES (?, 't', 'p', 0)").bind(1, id).run();
}

}  // namespace

TEST_CASE("after rows inserted with explicit ids, the next generated id is above the largest") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  insert_outbox_row_with_id(db, 1);
  insert_outbox_row_with_id(db, 40);
  const auto advanced = advance_identity_sequences(db);
  if (uchet::test::testing_postgresql()) {
    // Only the outbox holds rows: every other identity column is left alone.
    REQUIRE(advanced.size() == 1);
    CHECK(advanced[0].table == "outbox");
    CHECK(advanced[0].column == "id");
    CHECK(advanced[0].last_value == 40);
  } else {
    CHECK(advanced.empty());  // SQLite's row ids follow the table by themselves
  }
  CHECK(insert_outbox_row(db) == 41);
  CHECK(advance_identity_sequences(db).empty());  // already level: nothing to move
}

TEST_CASE("a sequence ahead of its table is never moved back, so an emptied table reuses no id") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  for (int i = 0; i < 5; ++i) insert_outbox_row(db);
  insert_outbox_row_with_id(db, 3'000);
  Statement(db, "DELETE FROM outbox WHERE id >= 3").run();  // rows 1 and 2 stay
  advance_identity_sequences(db);
  // SQLite's outbox is AUTOINCREMENT (migration 0007) and PostgreSQL's sequence had handed out 5:
  // on both, no id at or below one already used comes back.
  CHECK(insert_outbox_row(db) > 5);
  Statement(db, "DELETE FROM outbox").run();
  CHECK(advance_identity_sequences(db).empty());
  CHECK(insert_outbox_row(db) > 6);
}
