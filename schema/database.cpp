#include "schema/statement.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "schema/key_encryption.h"
#include "schema/migrations.h"

namespace uchet::schema {

Statement::Statement(Database& db, std::string_view sql) : db_(db), sql_(sql) {
  stmt_ = db.impl_->take_cached(sql_);
  if (stmt_) return;
  if (sqlite3_prepare_v2(db.impl_->db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
    db.fail("prepare");
  }
}

Statement::~Statement() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  db_.impl_->return_to_cache(sql_, stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    db_.fail("bind");
  }
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const std::uint8_t> blob) {
  // A zero-length blob must still be a blob, not NULL: SQLite needs a non-null pointer.
  static const std::uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  if (sqlite3_bind_blob(stmt_, index, data, static_cast<int>(blob.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    db_.fail("bind");
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_.fail("bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("step");
}

void Statement::run() {
  while (step()) {}
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

std::vector<std::uint8_t> Statement::blob(int column) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  return p ? std::vector<std::uint8_t>(p, p + sqlite3_column_bytes(stmt_, column)) : std::vector<std::uint8_t>();
}

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

namespace {

// Before the first connection: SQLite's allocation statistics (nothing here reads them) take a
// process-wide mutex on every allocation, which the network server, the publisher, the command
// listener and the checkpointer would otherwise contend for.
void configure_sqlite_once() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE if already initialised: harmless
    return true;
  }();
  (void)configured;
}

// Waits for a lock in steps of 200 us, for up to 5 s. SQLite's own busy_timeout handler sleeps 1,
// 2, 5, 10, 15, 20, 25 ... ms between tries, so the network server, held off for ~12 ms by the
// Checkpointer's RESTART (schema/checkpointer.h), slept until 18 ms, and one held 19 ms until
// 33 ms: the periodic latency spikes of BENCHMARKS.md run L.
int wait_for_lock(void*, int attempt) {
  using Clock = std::chrono::steady_clock;
  thread_local Clock::time_point first_try;
  if (attempt == 0) first_try = Clock::now();
  if (Clock::now() - first_try >= std::chrono::seconds(5)) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  return 1;
}

}  // namespace

Database Database::open_raw(const std::string& path) {
  configure_sqlite_once();
  auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  auto impl = std::make_unique<Database::Impl>();
  impl->path = path;
  // NOMUTEX: every connection belongs to one component and is used by one thread at a time
  // (network server, publisher, command listener, checkpointer each open their own), so
  // SQLite's per-call connection mutex only cost time.
  int rc = sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  sqlite3* handle = impl->db;
  Database db(std::move(impl));
  if (rc != SQLITE_OK) db.fail("cannot open database " + path);
  sqlite3_busy_handler(handle, wait_for_lock, nullptr);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA foreign_keys=ON");
  return db;
}

Database Database::open(const std::string& path) {
  Database db = open_raw(path);
  migrate(db);
  // A key-encryption key this process verified for this file applies to every connection on it.
  if (auto kek = registered_key_encryption_key(path)) db.set_key_encryption_key(std::move(kek));
  return db;
}

const KeyEncryptionKey* Database::key_encryption_key() const { return impl_->kek.get(); }

void Database::set_key_encryption_key(std::shared_ptr<const KeyEncryptionKey> kek) { impl_->kek = std::move(kek); }

const std::string& Database::path() const { return impl_->path; }

Dialect Database::dialect() const { return Dialect::sqlite; }

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::Database(Database&& other) noexcept = default;

Database::~Database() {
  if (!impl_) return;  // moved from
  for (auto& [sql, stmt] : impl_->cache) sqlite3_finalize(stmt);
  if (impl_->db) sqlite3_close_v2(impl_->db);
}

sqlite3_stmt* Database::Impl::take_cached(const std::string& sql) {
  auto it = cache.find(sql);
  if (it == cache.end()) return nullptr;
  auto* stmt = it->second;
  cache.erase(it);
  return stmt;
}

void Database::Impl::return_to_cache(const std::string& sql, sqlite3_stmt* stmt) {
  // One cached statement per text is enough; a second (nested use) is simply finalized. The
  // cache is bounded because the set of SQL texts in the program is.
  if (!db || !cache.emplace(sql, stmt).second) sqlite3_finalize(stmt);
}

void Database::exec(std::string_view sql) {
  std::string copy(sql);
  char* message = nullptr;
  if (sqlite3_exec(impl_->db, copy.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string what = message ? message : "unknown error";
    sqlite3_free(message);
    throw StorageError("SQLite: " + what);
  }
}

bool Database::in_transaction() const { return impl_ && impl_->db && sqlite3_get_autocommit(impl_->db) == 0; }

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(impl_->db); }
int Database::changes() const { return sqlite3_changes(impl_->db); }

void Database::fail(std::string_view what) const {
  throw StorageError("SQLite " + std::string(what) + ": " +
                     (impl_ && impl_->db ? sqlite3_errmsg(impl_->db) : "out of memory"));
}

// Transaction and savepoint statements run once or twice per frame on the hot path: they go
// through the statement cache like any other, instead of being parsed again by sqlite3_exec.
Transaction::Transaction(Database& db) : db_(db) { Statement(db_, "BEGIN IMMEDIATE").run(); }

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

// One name serves every level: SQLite resolves ROLLBACK TO / RELEASE to the innermost savepoint
// of that name, which is this object's as long as savepoints nest like scopes (they are RAII).
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
