#include "schema/sqlite_connection.h"

#include <chrono>
#include <filesystem>
#include <thread>

namespace uchet::schema {
namespace {

[[noreturn]] void fail_on(sqlite3* db, std::string_view what) {
  throw StorageError("SQLite " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

class SqliteStatement final : public PreparedStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void bind_int64(int index, std::int64_t value) override {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail_on(db_, "bind");
  }
  void bind_double(int index, double value) override {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail_on(db_, "bind");
  }
  void bind_text(int index, std::string_view text) override {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
      fail_on(db_, "bind");
    }
  }
  void bind_blob(int index, std::span<const std::uint8_t> blob) override {
    // A zero-length blob must still be a blob, not NULL: SQLite needs a non-null pointer.
    static const std::uint8_t kEmpty = 0;
    const void* data = blob.empty() ? &kEmpty : blob.data();
    if (sqlite3_bind_blob(stmt_, index, data, static_cast<int>(blob.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
      fail_on(db_, "bind");
    }
  }
  void bind_null(int index) override {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail_on(db_, "bind");
  }
  bool step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail_on(db_, "step");
  }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  ValueType type(int column) const override {
    switch (sqlite3_column_type(stmt_, column)) {
      case SQLITE_INTEGER:
        return ValueType::integer;
      case SQLITE_FLOAT:
        return ValueType::real;
      case SQLITE_TEXT:
        return ValueType::text;
      case SQLITE_BLOB:
        return ValueType::blob;
      default:
        return ValueType::null;
    }
  }
  std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const override {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  std::vector<std::uint8_t> blob(int column) const override {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
    return p ? std::vector<std::uint8_t>(p, p + sqlite3_column_bytes(stmt_, column)) : std::vector<std::uint8_t>();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Engine {
 public:
  ~SqliteConnection() override {
    cache.clear();  // finalizes every statement before the connection closes
    if (db) sqlite3_close_v2(db);
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  std::unique_ptr<PreparedStatement> prepare(const std::string& sql) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
      fail("prepare");
    }
    return std::make_unique<SqliteStatement>(db, stmt);
  }

  void exec(std::string_view sql) override {
    std::string copy(sql);
    char* message = nullptr;
    if (sqlite3_exec(db, copy.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string what = message ? message : "unknown error";
      sqlite3_free(message);
      throw StorageError("SQLite: " + what);
    }
  }

  bool in_transaction() const override { return db && sqlite3_get_autocommit(db) == 0; }
  std::int64_t last_insert_rowid() const override { return sqlite3_last_insert_rowid(db); }
  int changes() const override { return sqlite3_changes(db); }
  [[noreturn]] void fail(std::string_view what) const override { fail_on(db, what); }
  sqlite3* db = nullptr;
};

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

std::unique_ptr<Engine> open_sqlite(const std::string& path) {
  configure_sqlite_once();
  auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  auto connection = std::make_unique<SqliteConnection>();
  connection->location = path;
  // NOMUTEX: every connection belongs to one component and is used by one thread at a time
  // (network server, publisher, command listener, checkpointer each open their own), so
  // SQLite's per-call connection mutex only cost time.
  int rc = sqlite3_open_v2(path.c_str(), &connection->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) connection->fail("cannot open database " + path);
  sqlite3_busy_handler(connection->db, wait_for_lock, nullptr);
  connection->exec("PRAGMA journal_mode=WAL");
  connection->exec("PRAGMA synchronous=NORMAL");
  connection->exec("PRAGMA foreign_keys=ON");
  return connection;
}

sqlite3* sqlite_handle(Database& db, std::string_view facility) {
  auto* connection = dynamic_cast<SqliteConnection*>(&DatabaseHandle::engine(db));
  if (!connection) throw StorageError(std::string(facility) + " works on SQLite databases only");
  return connection->db;
}

}  // namespace uchet::schema
