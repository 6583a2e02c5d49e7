// schema::check_writable (uchetd's /ready) on the test run's storage.
#include <catch2/catch.hpp>

#include "schema/database.h"
#include "schema/health.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

TEST_CASE("a database that takes writes is ready, and the check leaves no transaction open") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  CHECK(check_writable(db).has_value());
  CHECK_FALSE(db.in_transaction());
  CHECK(check_writable(db).has_value());  // again: nothing was left behind
}

TEST_CASE("a database that cannot take a write now is not ready, with the reason") {
  uchet::test::TempDir dir;
  const auto location = uchet::test::test_database_location(dir.path());
  auto db = Database::open(location);
  // PostgreSQL: the operator made the database read-only. SQLite: another connection holds the
  // write lock longer than uchet waits for it (5 s).
  auto other = Database::open(location);
  if (db.dialect() == Dialect::postgresql) {
    db.exec("SET default_transaction_read_only = on");
  } else {
    other.exec("BEGIN EXCLUSIVE");
  }
  const auto ready = check_writable(db);
  REQUIRE_FALSE(ready.has_value());
  CHECK_FALSE(ready.error().empty());
  CHECK_FALSE(db.in_transaction());
}
