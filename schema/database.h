#pragma once
// One SQLite connection in WAL mode, with the few primitives every store needs: prepared
// statements, RAII transactions and migration to the schema this binary was built with.
//
// SQLite failures (disk full, corruption, a constraint the caller did not check first) are
// exceptional here: they throw StorageError, which command and pipeline boundaries catch.
// Validation of user input happens before a store is called, never by provoking SQLite.
#include <sqlite3.h>

#include <cstdint>
#include <unordered_map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace uchet::storage {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database;

// A prepared statement. Bind indexes are 1-based as in SQLite; column indexes 0-based.
// Preparing is a third of the hot path's cost (see BENCHMARKS.md), so a finished statement goes
// back to its connection's cache, keyed by SQL text, and the next Statement with the same text
// reuses it; a statement in use is taken out of the cache, so nesting the same SQL is safe.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, const std::vector<std::uint8_t>& blob);
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Returns true while a row is available; false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::vector<std::uint8_t> blob(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  std::optional<double> optional_real(int column) const;

 private:
  Database& db_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating if needed, with its parent folder) and brings the schema up to date.
  // Throws StorageError if the file is newer than this binary or cannot be opened.
  static Database open(const std::string& path);
  // Opens without migrating (tests of the migration logic itself).
  static Database open_raw(const std::string& path);

  Database(Database&& other) noexcept;
  Database& operator=(Database&&) = delete;
  ~Database();

  void exec(std::string_view sql);
  // True while a transaction is open on this connection (SQLite may end one by itself after
  // some errors, e.g. SQLITE_FULL or SQLITE_IOERR: the caller then knows its work is gone).
  bool in_transaction() const;
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() { return db_; }
  [[noreturn]] void fail(std::string_view what) const;

 private:
  friend class Statement;
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3_stmt* take_cached(const std::string& sql);
  void return_to_cache(const std::string& sql, sqlite3_stmt* stmt);
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Commits on commit(); rolls back if destroyed without it (an exception or early return).
// BEGIN IMMEDIATE takes the write lock up front so a command never fails half-way on a lock.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// A unit of work nested in an open transaction (SQL SAVEPOINT): release() keeps its changes,
// which then commit or roll back with the enclosing transaction; destroyed without release()
// (an exception or early return) it rolls back to where it began and the enclosing transaction
// goes on. The network server's group commit uses one per frame, so a frame whose processing
// fails is undone alone while the other frames of the same transaction still commit.
class Savepoint {
 public:
  explicit Savepoint(Database& db);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void release();

 private:
  Database& db_;
  bool done_ = false;
};

// Seconds since the Unix epoch, the time unit of every *_at column.
std::int64_t unix_now();

}  // namespace uchet::storage
