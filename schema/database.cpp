#include "schema/statement.h"

#include <chrono>

#include "schema/connection.h"
#include "schema/key_encryption.h"
#include "schema/location.h"
#include "schema/migrations.h"
#include "schema/postgresql_connection.h"
#include "schema/sqlite_connection.h"

namespace uchet::schema {

Statement::Statement(Database& db, std::string_view sql) : db_(db), sql_(sql), stmt_(db.impl_->engine->take(sql_)) {}

Statement::~Statement() {
  if (!stmt_) return;
  stmt_->reset();
  db_.impl_->engine->give_back(sql_, std::move(stmt_));
}

Statement& Statement::bind(int index, std::int64_t value) {
  stmt_->bind_int64(index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  stmt_->bind_double(index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  stmt_->bind_text(index, text);
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const std::uint8_t> blob) {
  stmt_->bind_blob(index, blob);
  return *this;
}

Statement& Statement::bind_null(int index) {
  stmt_->bind_null(index);
  return *this;
}

bool Statement::step() { return stmt_->step(); }

void Statement::run() {
  while (step()) {}
}

void Statement::reset() { stmt_->reset(); }

bool Statement::is_null(int column) const { return stmt_->is_null(column); }
ValueType Statement::type(int column) const { return stmt_->type(column); }
std::int64_t Statement::int64(int column) const { return stmt_->int64(column); }
double Statement::real(int column) const { return stmt_->real(column); }
std::string Statement::text(int column) const { return stmt_->text(column); }
std::vector<std::uint8_t> Statement::blob(int column) const { return stmt_->blob(column); }

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::optional<double> Statement::optional_real(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}

Database Database::open_raw(const std::string& location) {
  auto impl = std::make_unique<Impl>();
  impl->engine = is_postgresql_location(location) ? open_postgresql(location) : open_sqlite(location);
  return Database(std::move(impl));
}

Database Database::open(const std::string& location) {
  Database db = open_raw(location);
  migrate(db);
  // A key-encryption key this process verified for this database applies to every connection on it.
  if (auto kek = registered_key_encryption_key(location)) db.set_key_encryption_key(std::move(kek));
  return db;
}

const KeyEncryptionKey* Database::key_encryption_key() const { return impl_->engine->kek.get(); }

void Database::set_key_encryption_key(std::shared_ptr<const KeyEncryptionKey> kek) {
  impl_->engine->kek = std::move(kek);
}

const std::string& Database::path() const { return impl_->engine->location; }

Dialect Database::dialect() const { return impl_->engine->dialect(); }

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::Database(Database&& other) noexcept = default;

Database::~Database() = default;

void Database::exec(std::string_view sql) { impl_->engine->exec(sql); }

bool Database::in_transaction() const { return impl_ && impl_->engine->in_transaction(); }

std::int64_t Database::last_insert_rowid() const { return impl_->engine->last_insert_rowid(); }
int Database::changes() const { return impl_->engine->changes(); }

void Database::fail(std::string_view what) const { impl_->engine->fail(what); }

// Transaction and savepoint statements run once or twice per frame on the hot path: they go
// through the statement cache like any other, instead of being parsed again by exec.
// SQLite's BEGIN IMMEDIATE takes the write lock up front; PostgreSQL's BEGIN (READ COMMITTED)
// takes none, the stores that read then write lock their rows.
Transaction::Transaction(Database& db) : db_(db) {
  Statement(db_, db_.dialect() == Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run();
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      Statement(db_, "ROLLBACK").run();
    } catch (const StorageError&) {
      // The transaction may already have been rolled back by SQLite itself (e.g. SQLITE_FULL).
    }
  }
}

void Transaction::commit() {
  Statement(db_, "COMMIT").run();
  done_ = true;
}

UnitOfWork Transaction::work() { return UnitOfWork(db_); }

// One name serves every level: both engines resolve ROLLBACK TO / RELEASE to the innermost
// savepoint of that name, which is this object's as long as savepoints nest like scopes (they
// are RAII).
Savepoint::Savepoint(Database& db) : db_(db) { Statement(db_, "SAVEPOINT uchet_sp").run(); }

Savepoint::~Savepoint() {
  if (done_) return;
  try {
    Statement(db_, "ROLLBACK TO uchet_sp").run();
    Statement(db_, "RELEASE uchet_sp").run();
  } catch (const StorageError&) {
    // SQLite may already have rolled back the whole transaction (e.g. SQLITE_FULL): the
    // savepoint is gone with it; Database::in_transaction() tells the caller.
  }
}

void Savepoint::release() {
  Statement(db_, "RELEASE uchet_sp").run();
  done_ = true;
}

UnitOfWork Savepoint::work() { return UnitOfWork(db_); }

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace uchet::schema
