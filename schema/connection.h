#pragma once
// What a Database is made of, seen only by schema/ internals (database.cpp, the two engines'
// files, and the SQLite-only checkpointer and backup): the engine interface Engine, with one
// implementation per SQL engine (sqlite_connection.h, postgresql_connection.h), held by
// Database::Impl, and the prepared statement each engine gives Statement (schema/statement.h)
// to dispatch to.
//
// Statement keeps no engine type in its header: it holds a PreparedStatement and calls it
// through one virtual call per bind, step or column read (a few nanoseconds against SQLite's
// microseconds per statement; BENCHMARKS.md's hot path is the statement work itself).
//
// A connection and its statements are used by one thread at a time, like the Database.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "schema/database.h"
#include "schema/statement.h"  // ValueType

namespace uchet::schema {

// One prepared statement of an engine. Bind indexes 1-based, column indexes 0-based; every
// failure throws StorageError.
class PreparedStatement {
 public:
  virtual ~PreparedStatement() = default;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view text) = 0;
  virtual void bind_blob(int index, std::span<const std::uint8_t> blob) = 0;
  virtual void bind_null(int index) = 0;
  // Runs the statement on its first call after a reset; true while a row is available.
  virtual bool step() = 0;
  // Back to before the first step, with every parameter unbound (NULL).
  virtual void reset() = 0;
  virtual bool is_null(int column) const = 0;
  // The type of the value in the current row's column (SQLite: its storage class; PostgreSQL: the
  // column's type, or null).
  virtual ValueType type(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual std::vector<std::uint8_t> blob(int column) const = 0;
};

// The engine behind a Database. The statement cache is common: a finished statement goes back
// here keyed by its SQL text and the next Statement with that text reuses it (preparing is a
// third of SQLite's hot-path cost); one in use is out of the cache, so nesting the same SQL is
// safe. Implementations empty the cache in their destructor, before closing the connection.
class Engine {
 public:
  virtual ~Engine() = default;

  virtual Dialect dialect() const = 0;
  virtual std::unique_ptr<PreparedStatement> prepare(const std::string& sql) = 0;
  // Runs one or more statements (migrations), without parameters.
  virtual void exec(std::string_view sql) = 0;
  virtual bool in_transaction() const = 0;
  virtual std::int64_t last_insert_rowid() const = 0;
  virtual int changes() const = 0;
  [[noreturn]] virtual void fail(std::string_view what) const = 0;

  std::unique_ptr<PreparedStatement> take(const std::string& sql) {
    auto it = cache.find(sql);
    if (it == cache.end()) return prepare(sql);
    auto stmt = std::move(it->second);
    cache.erase(it);
    return stmt;
  }
  void give_back(const std::string& sql, std::unique_ptr<PreparedStatement> stmt) {
    // One cached statement per text is enough; a second (nested use) is simply dropped. The
    // cache is bounded because the set of SQL texts in the program is.
    cache.try_emplace(sql, std::move(stmt));
  }

  std::string location;  // as given to open()
  std::shared_ptr<const KeyEncryptionKey> kek;
  std::unordered_map<std::string, std::unique_ptr<PreparedStatement>> cache;
};

// What a Database hides: its engine.
struct Database::Impl {
  std::unique_ptr<Engine> engine;
};

// The engine of a Database, for schema/ internals (e.g. sqlite_handle()).
struct DatabaseHandle {
  static Engine& engine(Database& db) { return *db.impl_->engine; }
};

}  // namespace uchet::schema
