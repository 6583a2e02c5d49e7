// The PostgreSQL connection behind schema::Database and Statement (schema/postgresql_connection.h),
// against the test cluster: every bound type read back unchanged, transactions and savepoints
// with the semantics the stores rely on, errors with their SQLSTATE, a password never shown.
// Registered for PostgreSQL only (tests/CMakeLists.txt, POSTGRESQL_ONLY).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "schema/database.h"
#include "schema/database_lock.h"
#include "schema/migrations.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;
using uchet::test::test_database_location;

namespace {

Database fresh_table(uchet::test::TempDir& dir) {
  REQUIRE(uchet::test::testing_postgresql());
  auto db = Database::open_raw(test_database_location(dir.path()));
  REQUIRE(db.dialect() == Dialect::postgresql);
  db.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT, b BYTEA)");
  return db;
}

std::int64_t count(Database& db, const std::string& sql) {
  Statement q(db, sql);
  REQUIRE(q.step());
  return q.int64(0);
}

// Ends `victim`'s server process from `other` and waits until it has gone (the signal is
// asynchronous), as a server restart or an idle timeout would.
void terminate_backend(Database& victim, Database& other) {
  const auto pid = count(victim, "SELECT pg_backend_pid()");
  Statement terminate(other, "SELECT pg_terminate_backend(CAST(? AS INTEGER))");
  terminate.bind(1, pid);
  REQUIRE(terminate.step());
  for (int i = 0; i < 100; ++i) {
    Statement alive(other, "SELECT count(*) FROM pg_stat_activity WHERE pid = CAST(? AS INTEGER)");
    alive.bind(1, pid);
    REQUIRE(alive.step());
    if (alive.int64(0) == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("the terminated backend did not go away");
}

}  // namespace

TEST_CASE("integers, doubles, text and blobs bound come back unchanged") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  const std::vector<std::int64_t> ints = {std::numeric_limits<std::int64_t>::min(),
                                          std::numeric_limits<std::int64_t>::max(), 0, -1, 1};
  const std::vector<double> doubles = {0.1, -1.7976931348623157e308, 4.9406564584124654e-324,
                                       std::numeric_limits<double>::infinity(),
                                       -std::numeric_limits<double>::infinity()};
  const std::vector<std::string> texts = {"it's \"quoted\" ?1 $1 \\x00", "Счётчик воды №3 — 温度", "", "a\nb\tc",
                                          "--not a comment"};
  const std::vector<std::vector<std::uint8_t>> blobs = {
      {0x00, 0x01, 0x00, 0xff}, {}, {0x5c, 0x78, 0x30}, {0x00}, std::vector<std::uint8_t>(300, 0)};
  for (std::size_t n = 0; n < ints.size(); ++n) {
    Statement(db, "INSERT INTO t (id, i, d, s, b) VALUES (?, ?, ?, ?, ?)")
        .bind(1, static_cast<std::int64_t>(n))
        .bind(2, ints[n])
        .bind(3, doubles[n])
        .bind(4, texts[n])
        .bind_blob(5, blobs[n])
        .run();
  }
  Statement q(db, "SELECT id, i, d, s, b FROM t ORDER BY id");
  for (std::size_t n = 0; n < ints.size(); ++n) {
    REQUIRE(q.step());
    CHECK(q.int64(0) == static_cast<std::int64_t>(n));
    CHECK(q.int64(1) == ints[n]);
    CHECK(q.real(2) == doubles[n]);
    CHECK(q.text(3) == texts[n]);
    CHECK(q.blob(4) == blobs[n]);
    CHECK_FALSE(q.is_null(4));
  }
  CHECK_FALSE(q.step());
}

TEST_CASE("a NaN double survives the round trip") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  Statement(db, "INSERT INTO t (id, d) VALUES (1, ?)").bind(1, std::nan("")).run();
  Statement q(db, "SELECT d FROM t");
  REQUIRE(q.step());
  CHECK(std::isnan(q.real(0)));
}

TEST_CASE("nulls bound or left unbound read as null, and as 0, 0.0, empty through the plain readers") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  Statement(db, "INSERT INTO t (id, i, d, s, b) VALUES (?, ?, ?, ?, ?)")
      .bind(1, 1)
      .bind_null(2)
      .bind(3, std::optional<double>())
      .bind(4, std::optional<std::string>())
      .run();  // the fifth parameter is never bound
  Statement q(db, "SELECT i, d, s, b FROM t");
  REQUIRE(q.step());
  for (int c = 0; c < 4; ++c) CHECK(q.is_null(c));
  CHECK(q.int64(0) == 0);
  CHECK(q.real(1) == 0.0);
  CHECK(q.text(2).empty());
  CHECK(q.blob(3).empty());
  CHECK_FALSE(q.optional_int64(0));
  CHECK_FALSE(q.optional_real(1));
  CHECK_FALSE(q.optional_text(2));
}

TEST_CASE("one SQL text runs with different parameter types (one server statement per set of types)") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  for (int n = 1; n <= 3; ++n) {
    Statement insert(db, "INSERT INTO t (id, i) VALUES (?, ?)");
    insert.bind(1, n);
    if (n == 2) {
      insert.bind_null(2);
    } else {
      insert.bind(2, n * 10);
    }
    insert.run();
  }
  CHECK(count(db, "SELECT COUNT(*) FROM t WHERE i IS NULL") == 1);
  CHECK(count(db, "SELECT SUM(i) FROM t") == 40);
}

TEST_CASE("numbered placeholders repeat, booleans read as 1 and 0, fractions truncate like SQLite's") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  Statement(db, "INSERT INTO t (id, i) VALUES (1, 7), (2, 8)").run();
  Statement q(db, "SELECT COUNT(*) FROM t WHERE i = ?1 OR i = ?1 + 1");
  q.bind(1, 7);
  REQUIRE(q.step());
  CHECK(q.int64(0) == 2);
  Statement b(db, "SELECT 1 = 1, 1 = 2, AVG(i), 7.9 FROM t");
  REQUIRE(b.step());
  CHECK(b.int64(0) == 1);
  CHECK(b.int64(1) == 0);
  CHECK(b.real(2) == 7.5);
  CHECK(b.int64(3) == 7);
}

TEST_CASE("changes() counts the rows of the last command and last_insert_rowid() is refused") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  Statement(db, "INSERT INTO t (id) VALUES (1), (2), (3)").run();
  CHECK(db.changes() == 3);
  Statement(db, "UPDATE t SET i = 5 WHERE id >= ?").bind(1, 2).run();
  CHECK(db.changes() == 2);
  Statement(db, "DELETE FROM t WHERE id = 99").run();
  CHECK(db.changes() == 0);
  CHECK_THROWS_WITH(db.last_insert_rowid(), Catch::Contains("RETURNING"));
  Statement r(db, "INSERT INTO t (id) VALUES (?) RETURNING id");
  r.bind(1, 42);
  REQUIRE(r.step());
  CHECK(r.int64(0) == 42);
}

TEST_CASE("a transaction is seen by other connections only once committed, and rolls back when dropped") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  auto observer = Database::open_raw(db.path());
  {
    Transaction tx(db);
    CHECK(db.in_transaction());
    Statement(db, "INSERT INTO t (id) VALUES (1)").run();
    CHECK(count(observer, "SELECT COUNT(*) FROM t") == 0);
    tx.commit();
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(count(observer, "SELECT COUNT(*) FROM t") == 1);
  {
    Transaction tx(db);
    Statement(db, "INSERT INTO t (id) VALUES (2)").run();
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(count(observer, "SELECT COUNT(*) FROM t") == 1);
}

TEST_CASE("a savepoint whose statement failed rolls back alone and the transaction commits the rest") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  {
    Transaction tx(db);
    Statement(db, "INSERT INTO t (id) VALUES (1)").run();
    try {
      Savepoint sp(db);
      Statement(db, "INSERT INTO t (id) VALUES (2)").run();
      Statement(db, "INSERT INTO t (id) VALUES (1)").run();  // duplicate key: aborts the transaction
      sp.release();
    } catch (const StorageError&) {}
    CHECK(db.in_transaction());
    {
      Savepoint sp(db);
      Statement(db, "INSERT INTO t (id) VALUES (3)").run();
      sp.release();
    }
    tx.commit();
  }
  CHECK(count(db, "SELECT COUNT(*) FROM t") == 2);
  CHECK(count(db, "SELECT COUNT(*) FROM t WHERE id IN (1, 3)") == 2);
}

TEST_CASE("committing a transaction an error aborted throws instead of reporting success") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  Statement(db, "INSERT INTO t (id) VALUES (1)").run();
  {
    Transaction tx(db);
    Statement(db, "INSERT INTO t (id) VALUES (2)").run();
    CHECK_THROWS_AS(Statement(db, "INSERT INTO t (id) VALUES (1)").run(), StorageError);
    CHECK_THROWS_AS(tx.commit(), StorageError);
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(count(db, "SELECT COUNT(*) FROM t") == 1);
}

TEST_CASE("an error carries PostgreSQL's message and SQLSTATE") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  Statement(db, "INSERT INTO t (id) VALUES (1)").run();
  try {
    Statement(db, "INSERT INTO t (id) VALUES (?)").bind(1, 1).run();
    FAIL("a duplicate key was accepted");
  } catch (const SqlStateError& e) {
    CHECK(e.sqlstate() == "23505");
    CHECK_THAT(e.what(), Catch::Contains("duplicate key") && Catch::Contains("SQLSTATE 23505"));
  }
  try {
    Statement(db, "SELECT no_such_column FROM t").step();
    FAIL("an unknown column was accepted");
  } catch (const SqlStateError& e) {
    CHECK(e.sqlstate() == "42703");
  }
  CHECK_THROWS_WITH(db.exec("CREATE TABLE t (x BIGINT)"), Catch::Contains("42P07"));
}

TEST_CASE("a connection failure names the database without its password") {
  uchet::test::TempDir dir;
  REQUIRE(uchet::test::testing_postgresql());
  const std::string uri =
      "postgresql://postgres:hunter2@/no_such_database?host=" + uchet::test::test_cluster_dir() + "&password=hunter2";
  try {
    Database::open(uri);
    FAIL("a missing database was opened");
  } catch (const StorageError& e) {
    const std::string what = e.what();
    CHECK(what.find("hunter2") == std::string::npos);
    CHECK_THAT(what, Catch::Contains("postgres:***@") && Catch::Contains("no_such_database"));
  }
}
TEST_CASE("open migrates a fresh database to the latest version and refuses a newer one") {
  uchet::test::TempDir dir;
  REQUIRE(uchet::test::testing_postgresql());
  const auto location = test_database_location(dir.path());
  {
    auto db = Database::open(location);
    CHECK(schema_version(db) == latest_schema_version());
    CHECK(count(db, "SELECT COUNT(*) FROM schema_version") ==
          static_cast<std::int64_t>(migrations(Dialect::postgresql).size()));
    Statement(db, "INSERT INTO schema_version (version, name, applied_at) VALUES (?, 'from the future', 0)")
        .bind(1, latest_schema_version() + 1)
        .run();
  }
  CHECK_THROWS_WITH(Database::open(location), Catch::Contains("newer than this uchet"));
}

TEST_CASE("the database lock is an advisory lock: a second holder is refused, naming the first, until it lets go") {
  uchet::test::TempDir dir;
  REQUIRE(uchet::test::testing_postgresql());
  const auto location = test_database_location(dir.path());
  {
    auto first = DatabaseLock::acquire(location, "uchetd");
    REQUIRE(first);
    auto second = DatabaseLock::acquire(location, "uchetctl restore");
    REQUIRE_FALSE(second);
    CHECK_THAT(second.error(), Catch::Contains("is held by uchetd (pid") && Catch::Contains("advisory lock"));
  }
  CHECK(DatabaseLock::acquire(location, "uchetd"));
}

TEST_CASE("a dropped connection is opened again before the next statement, never inside a lost transaction") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  auto other = Database::open_raw(test_database_location(dir.path()));
  auto kill = [&] { terminate_backend(db, other); };

  // Lost while idle: the statement that finds out fails, the next one runs on a new connection.
  kill();
  CHECK_THROWS_AS(Statement(db, "SELECT count(*) FROM t").step(), StorageError);
  CHECK(count(db, "SELECT count(*) FROM t") == 0);

  // Lost inside a transaction: its statements fail, none runs outside it; the next transaction works.
  {
    Transaction tx(db);
    Statement(db, "INSERT INTO t (id) VALUES (1)").run();
    kill();
    CHECK_THROWS_AS(Statement(db, "INSERT INTO t (id) VALUES (2)").run(), StorageError);
    CHECK_THROWS_AS(Statement(db, "INSERT INTO t (id) VALUES (3)").run(), StorageError);
  }
  CHECK(count(other, "SELECT count(*) FROM t") == 0);
  {
    Transaction tx(db);
    Statement(db, "INSERT INTO t (id, b) VALUES (4, ?)").bind_blob(1, std::vector<std::uint8_t>{0, 1, 2}).run();
    tx.commit();
  }
  CHECK(count(other, "SELECT count(*) FROM t") == 1);
  Statement read(db, "SELECT b FROM t WHERE id = 4");
  REQUIRE(read.step());
  CHECK(read.blob(0) == std::vector<std::uint8_t>{0, 1, 2});
}

TEST_CASE("blobs read back on a database whose sessions default to another bytea output, also after a reconnect") {
  uchet::test::TempDir dir;
  auto admin = fresh_table(dir);
  Statement(admin, "INSERT INTO t (id, b) VALUES (1, ?)").bind_blob(1, std::vector<std::uint8_t>{0, 0x5c, 0xff}).run();
  Statement name(admin, "SELECT current_database()");
  REQUIRE(name.step());
  admin.exec("ALTER DATABASE \"" + name.text(0) + "\" SET bytea_output = 'escape'");
  auto db = Database::open_raw(test_database_location(dir.path()));  // a new session: escape by default
  auto read = [&] {
    Statement q(db, "SELECT b FROM t WHERE id = 1");
    REQUIRE(q.step());
    return q.blob(0);
  };
  CHECK(read() == std::vector<std::uint8_t>{0, 0x5c, 0xff});
  terminate_backend(db, admin);
  CHECK_THROWS_AS(Statement(db, "SELECT 1").step(), StorageError);  // the statement that finds it lost
  CHECK(read() == std::vector<std::uint8_t>{0, 0x5c, 0xff});        // the new session has the settings too
}

TEST_CASE("a transaction begun on a connection the server ended while idle runs on a new connection") {
  uchet::test::TempDir dir;
  auto db = fresh_table(dir);
  auto other = Database::open_raw(test_database_location(dir.path()));
  Statement(db, "INSERT INTO t (id) VALUES (1)").run();  // the connection has been used: BEGIN is prepared
  {
    Transaction tx(db);
    tx.commit();
  }
  terminate_backend(db, other);
  {
    // Its BEGIN finds the connection gone; nothing of a transaction was lost, so it runs again.
    Transaction tx(db);
    Statement(db, "INSERT INTO t (id) VALUES (2)").run();
    tx.commit();
  }
  CHECK(count(other, "SELECT count(*) FROM t") == 2);
}
