#pragma once
// One database connection — SQLite (a file in WAL mode) or PostgreSQL (libpq), chosen by the
// location given to open() (schema/location.h) — with the few primitives every store needs: RAII
// transactions and savepoints, the unit of work handed between stages, and migration to the
// schema this binary was built with.
//
// The connection is opaque: the engine's handle and prepared statements (schema/statement.h)
// are seen only by the stores under schema/. Stages and uchetctl open a Database, begin
// transactions on it and call the stores (schema/README.md lists them); they never write SQL.
// A Database belongs to one thread at a time (SQLite NOMUTEX, one libpq connection).
//
// Engine failures (disk full, corruption, a lost server, a constraint the caller did not check
// first) are exceptional here: they throw StorageError, which command and pipeline boundaries
// catch. Validation of user input happens before a store is called, never by provoking the
// engine.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace uchet::schema {

struct KeyEncryptionKey;  // schema/key_wrap.h

// The SQL engine behind a connection. Stores write SQL both engines accept and branch on the
// dialect only where they cannot (schema/README.md, "Dialects").
enum class Dialect { sqlite, postgresql };

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  StorageError(const std::string& what, std::string sqlstate)
      : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
  // PostgreSQL's SQLSTATE of the failure (e.g. "23505", a unique violation); empty on SQLite.
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

class Database {
 public:
  // Opens (an SQLite file is created if needed, with its parent folder) and brings the schema
  // up to date. `location` is an SQLite path or a PostgreSQL URI (schema/location.h). Throws
  // StorageError if the database is newer than this binary or cannot be opened.
  static Database open(const std::string& location);
  // Opens without migrating (tests of the migration logic itself).
  static Database open_raw(const std::string& location);

  Database(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(Database&&) = delete;
  ~Database();

  void exec(std::string_view sql);
  // True while a transaction is open on this connection (SQLite may end one by itself after
  // some errors, e.g. SQLITE_FULL or SQLITE_IOERR: the caller then knows its work is gone).
  bool in_transaction() const;
  // SQLite only: PostgreSQL has none and throws StorageError (stores use INSERT … RETURNING id).
  std::int64_t last_insert_rowid() const;
  int changes() const;
  [[noreturn]] void fail(std::string_view what) const;

  // The key-encryption key the device and session stores wrap and unwrap keys with on this
  // connection; null: keys are stored in plain text. Set by open_key_encryption
  // (schema/key_encryption.h) and, for connections opened later on the same file in the same
  // process, by open(); nothing else sets it.
  const KeyEncryptionKey* key_encryption_key() const;
  void set_key_encryption_key(std::shared_ptr<const KeyEncryptionKey> kek);
  // The location this connection was opened on, as given to open() (a PostgreSQL URI with its
  // password: log it only through printable_location, schema/location.h).
  const std::string& path() const;
  // The engine of this connection.
  Dialect dialect() const;

  // The engine (schema/connection.h): only schema/ internals reach it.
  struct Impl;

 private:
  friend class Statement;
  friend class Transaction;
  friend class Savepoint;
  friend struct DatabaseInternals;  // schema/connection.h
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class UnitOfWork;

// Commits on commit(); rolls back if destroyed without it (an exception or early return).
// On SQLite, BEGIN IMMEDIATE takes the write lock up front so a command never fails half-way on
// a lock; on PostgreSQL a plain BEGIN (READ COMMITTED), with row locks where stores need them.
class Transaction {
 public:
  explicit Transaction(Database& db);
  // Whoever was handed a unit of work writes inside someone else's transaction: it cannot
  // begin one of its own there (a Savepoint is what nests).
  explicit Transaction(const UnitOfWork&) = delete;
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();
  // The work of this transaction, to hand to the stores and to other stages.
  UnitOfWork work();

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
  // The work of this savepoint (within its transaction), to hand to the stores and other stages.
  UnitOfWork work();

 private:
  Database& db_;
  bool done_ = false;
};

// A unit of work: writes that commit or roll back together, made inside a transaction (and
// perhaps a savepoint) that somebody else opened and will end. It is the only storage object
// one stage hands another: the network server passes the application server (its EventSink,
// netserver/events.h) the unit of work of each frame — one savepoint per frame inside the
// transaction of a dedup pass, the group commit of network_server.h — so everything the sink
// stores and announces commits or rolls back with the frame's session state.
//
// Only Transaction::work() and Savepoint::work() make one, so holding one means a transaction
// was open when it was made. Stores take the connection (Database&) and a UnitOfWork converts
// to it, so the receiver calls the stores directly; it cannot begin, commit or roll back the
// transaction (Transaction(const UnitOfWork&) is deleted), only nest a Savepoint of its own.
// What it writes is visible to later work of the same transaction at once and to other
// connections after the commit. Valid while the Transaction or Savepoint it came from lives;
// used on that connection's thread only.
class UnitOfWork {
 public:
  operator Database&() const noexcept { return db_; }

 private:
  friend class Transaction;
  friend class Savepoint;
  explicit UnitOfWork(Database& db) noexcept : db_(db) {}
  Database& db_;
};

// Seconds since the Unix epoch, the time unit of every *_at column.
std::int64_t unix_now();

}  // namespace uchet::schema
