// schema::Savepoint inside a Transaction, against a real SQLite file: the pattern of the network
// server's group commit (one transaction per pass, one savepoint per frame).
#include <catch2/catch.hpp>

#include <stdexcept>

#include "schema/database.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

namespace {

long long count(Database& db, const std::string& sql) {
  Statement q(db, sql);
  REQUIRE(q.step());
  return q.int64(0);
}

void store_frame(Database& db, int n, bool fail) {
  Savepoint sp(db);
  Statement(db, "INSERT INTO outbox (topic, payload, created_at) VALUES (?, '{}', 0)")
      .bind(1, "frame/" + std::to_string(n))
      .run();
  if (fail) throw std::runtime_error("codec blew up");
  Statement(db, "INSERT INTO outbox (topic, payload, created_at) VALUES (?, '{}', 0)")
      .bind(1, "frame/" + std::to_string(n) + "/b")
      .run();
  sp.release();
}

}  // namespace

TEST_CASE("a failing frame's savepoint rolls back alone, the others of the transaction commit together") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  auto observer = Database::open(uchet::test::test_database_location(dir.path()));
  {
    Transaction tx(db);
    for (int n = 1; n <= 3; ++n) {
      try {
        store_frame(db, n, n == 2);
      } catch (const std::runtime_error&) {
        CHECK(db.in_transaction());  // the batch goes on
      }
    }
    CHECK(count(db, "SELECT COUNT(*) FROM outbox") == 4);
    CHECK(count(observer, "SELECT COUNT(*) FROM outbox") == 0);  // nothing visible before the commit
    tx.commit();
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(count(observer, "SELECT COUNT(*) FROM outbox") == 4);
  CHECK(count(observer, "SELECT COUNT(*) FROM outbox WHERE topic LIKE 'frame/2%'") == 0);
  CHECK(count(observer,
              "SELECT COUNT(*) FROM outbox WHERE topic IN ('frame/1', 'frame/1/b', 'frame/3', 'frame/3/b')") == 4);
}

TEST_CASE("released savepoints roll back with their transaction, nested savepoints unwind one level") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  {
    Transaction tx(db);
    store_frame(db, 1, false);
    {
      Savepoint outer(db);
      Statement(db, "INSERT INTO outbox (topic, payload, created_at) VALUES ('outer', '{}', 0)").run();
      {
        Savepoint inner(db);
        Statement(db, "INSERT INTO outbox (topic, payload, created_at) VALUES ('inner', '{}', 0)").run();
      }  // not released: only 'inner' goes
      CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE topic = 'outer'") == 1);
      CHECK(count(db, "SELECT COUNT(*) FROM outbox WHERE topic = 'inner'") == 0);
      outer.release();
    }
    CHECK(count(db, "SELECT COUNT(*) FROM outbox") == 3);
  }  // no commit
  CHECK(count(db, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("a savepoint whose transaction SQLite already ended does not throw from its destructor") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  Transaction tx(db);
  {
    Savepoint sp(db);
    Statement(db, "INSERT INTO outbox (topic, payload, created_at) VALUES ('x', '{}', 0)").run();
    db.exec("ROLLBACK");  // what SQLite does by itself after e.g. SQLITE_FULL
    CHECK_FALSE(db.in_transaction());
  }
  CHECK(count(db, "SELECT COUNT(*) FROM outbox") == 0);
}
