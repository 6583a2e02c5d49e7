// Online backup, check and restore (schema/backup.h) and the database lock, on real SQLite files:
// a backup taken while another connection commits is one consistent snapshot; check finds
// broken integrity, foreign keys and a newer schema; restore puts a backup back.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "schema/backup.h"
#include "schema/database.h"
#include "schema/database_lock.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

namespace {

std::int64_t count(Database& db, const std::string& sql) {
  Statement q(db, sql);
  q.step();
  return q.int64(0);
}

// One transaction: two outbox rows, so a consistent snapshot always holds an even number.
void commit_pair(Database& db, const std::string& payload) {
  Transaction tx(db);
  for (int i = 0; i < 2; ++i) {
    Statement(db, "INSERT INTO outbox (topic, payload, created_at) VALUES ('t', ?1, 0)").bind(1, payload).run();
  }
  tx.commit();
}

}  // namespace

// The online backup copies SQLite files (PostgreSQL: pg_basebackup / pg_dump).
TEST_CASE("a backup taken while another connection commits is a consistent, checked snapshot", "[sqlite-only]") {
  uchet::test::TempDir dir;
  const auto path = uchet::test::test_database_location(dir.path());
  auto writer_db = Database::open(path);
  const std::string payload(2000, 'x');
  for (int i = 0; i < 500; ++i) commit_pair(writer_db, payload);  // ~2 MB: many backup steps

  std::atomic<bool> stop{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    while (!stop) {
      commit_pair(writer_db, payload);
      ++commits;
    }
  });
  int steps = 0;
  BackupOptions options;
  options.pages_per_step = 16;
  options.pause = std::chrono::milliseconds(1);
  options.progress = [&](int, int) {
    // The first step waits for commits made after it: the copy provably spans them.
    if (++steps == 1) {
      const int seen = commits;
      while (commits < seen + 5) std::this_thread::yield();
    }
  };
  const auto backup = dir.file("backup.db");
  const auto bytes = backup_database(path, backup, options);
  stop = true;
  writer.join();

  CHECK(steps > 10);
  CHECK(bytes == static_cast<std::int64_t>(std::filesystem::file_size(backup)));
  CHECK_FALSE(std::filesystem::exists(backup + ".partial"));
  CHECK_FALSE(std::filesystem::exists(backup + "-wal"));
  const auto report = check_database(backup);
  CHECK(report.problems.empty());
  auto copy = Database::open(backup);
  const auto rows = count(copy, "SELECT COUNT(*) FROM outbox");
  CHECK(rows >= 1000);
  CHECK(rows % 2 == 0);                                                    // no transaction half in
  CHECK(rows < count(writer_db, "SELECT COUNT(*) FROM outbox"));           // the snapshot is older than the end
  CHECK(count(copy, "SELECT MAX(id) - MIN(id) + 1 FROM outbox") == rows);  // a prefix, no gap

  // An existing file is never overwritten.
  CHECK_THROWS_AS(backup_database(path, backup), StorageError);
}

// check is SQLite's integrity and foreign-key check of a file (PostgreSQL: pg_amcheck).
TEST_CASE("check reports broken foreign keys, a newer schema and a file that is no uchet database", "[sqlite-only]") {
  uchet::test::TempDir dir;
  const auto path = uchet::test::test_database_location(dir.path());
  {
    auto db = Database::open(path);
    CHECK(check_database(path).problems.empty());
    db.exec("PRAGMA foreign_keys=OFF");
    db.exec(
        "INSERT INTO reading (dev_eui, quantity, resource, value, unit, measured_at, received_at) "
        "VALUES ('0011223344556677', 'volume', 'cold_water', 1, 'm3', 1, 1)");
  }
  auto report = check_database(path);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].find("foreign key: reading row") != std::string::npos);
  CHECK(report.schema_version == report.latest_version);
  {
    auto db = Database::open_raw(path);
    db.exec("DELETE FROM reading");
    db.exec("INSERT INTO schema_version (version, name, applied_at) VALUES (9999, 'future', 0)");
  }
  report = check_database(path);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].find("newer") != std::string::npos);

  const auto other = dir.file("other.db");
  {
    auto db = Database::open_raw(other);
    db.exec("CREATE TABLE t (x)");
  }
  CHECK(check_database(other).problems.at(0).find("not a uchet database") != std::string::npos);
  CHECK_THROWS_AS(check_database(dir.file("missing.db")), StorageError);
}

// Damages an SQLite file's pages.
TEST_CASE("check finds damaged pages", "[sqlite-only]") {
  uchet::test::TempDir dir;
  const auto path = uchet::test::test_database_location(dir.path());
  {
    auto db = Database::open(path);
    const std::string payload(3000, 'y');
    for (int i = 0; i < 200; ++i) commit_pair(db, payload);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  // Scribble over the middle of the file (outbox pages), as a failing disk would.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path) / 2));
    const std::string junk(8192, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  bool sound = true;
  try {
    sound = check_database(path).problems.empty();
  } catch (const StorageError&) {
    sound = false;  // SQLite may refuse to read it at all: also a failed check
  }
  CHECK_FALSE(sound);
}

// restore replaces an SQLite file (refused on PostgreSQL).
TEST_CASE("restore needs the database lock, which a holder keeps until it ends, and brings the backup back",
          "[sqlite-only]") {
  uchet::test::TempDir dir;
  const auto path = uchet::test::test_database_location(dir.path());
  const auto backup = dir.file("backup.db");
  {
    auto db = Database::open(path);
    commit_pair(db, "before");
    backup_database(path, backup);
    commit_pair(db, "after");
    CHECK(count(db, "SELECT COUNT(*) FROM outbox") == 4);
  }
  {
    auto daemon = DatabaseLock::acquire(path, "uchetd");
    REQUIRE(daemon);
    auto refused = DatabaseLock::acquire(path, "uchetctl restore");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().find("held by uchetd (pid") != std::string::npos);
  }
  auto lock = DatabaseLock::acquire(path, "uchetctl restore");
  REQUIRE(lock);
  restore_database(backup, path);
  auto db = Database::open(path);
  CHECK(count(db, "SELECT COUNT(*) FROM outbox") == 2);
  CHECK(check_database(path).problems.empty());
}
