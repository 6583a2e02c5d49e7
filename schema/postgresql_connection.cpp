#include "schema/postgresql_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <utility>

#include "schema/location.h"
#include "schema/postgresql_placeholders.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

// Type OIDs of pg_type (fixed since PostgreSQL's first releases; catalog/pg_type_d.h is a server
// header Debian ships apart from libpq-dev).
constexpr Oid kBool = 16;
constexpr Oid kBytea = 17;
constexpr Oid kInt8 = 20;
constexpr Oid kInt2 = 21;
constexpr Oid kInt4 = 23;
constexpr Oid kFloat4 = 700;
constexpr Oid kText = 25;
constexpr Oid kFloat8 = 701;
constexpr Oid kUnspecified = 0;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "PostgreSQL <what>: <message> (SQLSTATE xxxxx)", from a failed result or, without one, from
// the connection's last error.
[[noreturn]] void fail_with(PGconn* conn, const PGresult* result, std::string_view what) {
  std::string message, sqlstate;
  if (result) {
    if (const char* m = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) message = m;
    if (const char* d = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) message += std::string(" (") + d + ")";
    if (const char* s = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = s;
    if (message.empty()) message = trim(PQresultErrorMessage(result));
  }
  if (message.empty()) message = conn ? trim(PQerrorMessage(conn)) : "out of memory";
  std::string text = "PostgreSQL " + std::string(what) + ": " + message;
  if (!sqlstate.empty()) text += " (SQLSTATE " + sqlstate + ")";
  throw SqlStateError(text, sqlstate);
}

class PostgresqlConnection;

class PostgresqlStatement final : public PreparedStatement {
 public:
  PostgresqlStatement(PostgresqlConnection& connection, PostgresqlSql sql);

  void bind_int64(int index, std::int64_t value) override { set(index, kInt8, std::to_string(value), 0); }
  void bind_double(int index, double value) override {
    if (std::isnan(value)) return set(index, kFloat8, "NaN", 0);
    if (std::isinf(value)) return set(index, kFloat8, value > 0 ? "Infinity" : "-Infinity", 0);
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact form
    set(index, kFloat8, std::string(buffer, end), 0);
  }
  void bind_text(int index, std::string_view text) override { set(index, kText, std::string(text), 0); }
  void bind_blob(int index, std::span<const std::uint8_t> blob) override {
    set(index, kBytea, std::string(reinterpret_cast<const char*>(blob.data()), blob.size()), 1);
  }
  void bind_null(int index) override {
    check_index(index);
    const auto i = static_cast<std::size_t>(index - 1);
    types_[i] = kUnspecified;
    null_[i] = true;
  }

  bool step() override;

  void reset() override {
    result_.reset();
    row_ = -1;
    std::fill(types_.begin(), types_.end(), kUnspecified);
    std::fill(null_.begin(), null_.end(), true);
  }

  bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }

  ValueType type(int column) const override {
    if (is_null(column)) return ValueType::null;
    switch (PQftype(result_.get(), column)) {
      case kBool:
      case kInt2:
      case kInt4:
      case kInt8:
        return ValueType::integer;
      case kFloat4:
      case kFloat8:
        return ValueType::real;
      case kBytea:
        return ValueType::blob;
      default:
        return ValueType::text;
    }
  }

  std::int64_t int64(int column) const override {
    if (is_null(column)) return 0;
    const std::string_view v = value(column);
    if (PQftype(result_.get(), column) == kBool) return v == "t" ? 1 : 0;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc() && end == v.data() + v.size()) return n;
    return static_cast<std::int64_t>(real(column));  // a fraction, as SQLite truncates it
  }

  double real(int column) const override {
    if (is_null(column)) return 0.0;
    const std::string_view v = value(column);
    double d = 0.0;
    std::from_chars(v.data(), v.data() + v.size(), d);  // also "Infinity", "-Infinity", "NaN"
    return d;
  }

  std::string text(int column) const override {
    if (PQftype(result_.get(), column) == kBytea) {
      const auto bytes = blob(column);
      return std::string(bytes.begin(), bytes.end());
    }
    return std::string(value(column));
  }

  std::vector<std::uint8_t> blob(int column) const override {
    if (is_null(column)) return {};
    const std::string_view v = value(column);
    if (PQftype(result_.get(), column) != kBytea) return {v.begin(), v.end()};
    return decode_bytea(v);
  }

 private:
  void check_index(int index) const;
  void set(int index, Oid type, std::string value, int format) {
    check_index(index);
    const auto i = static_cast<std::size_t>(index - 1);
    types_[i] = type;
    values_[i] = std::move(value);
    formats_[i] = format;
    null_[i] = false;
  }
  std::string_view value(int column) const {
    return {PQgetvalue(result_.get(), row_, column),
            static_cast<std::size_t>(PQgetlength(result_.get(), row_, column))};
  }
  // bytea's text output: "\x" and two hex digits per byte (bytea_output = hex, the default since
  // PostgreSQL 9.0; set by start_session on every connection, a database may default otherwise).
  static std::vector<std::uint8_t> decode_bytea(std::string_view v) {
    auto nibble = [](char c) -> std::uint8_t {
      return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    };
    std::vector<std::uint8_t> out;
    if (v.size() < 2) return out;
    out.reserve((v.size() - 2) / 2);
    for (std::size_t i = 2; i + 1 < v.size(); i += 2)
      out.push_back(static_cast<std::uint8_t>(nibble(v[i]) << 4 | nibble(v[i + 1])));
    return out;
  }

  PostgresqlConnection& connection_;
  PostgresqlSql sql_;
  std::vector<Oid> types_;
  std::vector<std::string> values_;
  std::vector<int> formats_;
  std::vector<bool> null_;
  Result result_;
  int row_ = -1;
};

class PostgresqlConnection final : public Engine {
 public:
  ~PostgresqlConnection() override {
    cache.clear();
    if (conn) PQfinish(conn);
  }

  Dialect dialect() const override { return Dialect::postgresql; }

  std::unique_ptr<PreparedStatement> prepare(const std::string& sql) override {
    return std::make_unique<PostgresqlStatement>(*this, postgresql_placeholders(sql));
  }

  void exec(std::string_view sql) override {
    reconnect_if_lost(sql);
    Result result(PQexec(conn, std::string(sql).c_str()));
    check(result.get(), "exec");
  }

  bool in_transaction() const override { return conn && PQtransactionStatus(conn) != PQTRANS_IDLE; }

  std::int64_t last_insert_rowid() const override {
    throw StorageError(
        "PostgreSQL has no last_insert_rowid: the store must read the new id with INSERT … RETURNING id");
  }

  int changes() const override { return changes_; }

  [[noreturn]] void fail(std::string_view what) const override { fail_with(conn, nullptr, what); }

  // Throws for a failed result; records the row count and the transaction state of a successful one.
  void check(const PGresult* result, std::string_view what) {
    const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail_with(conn, result, what);
    last_status_ = PQtransactionStatus(conn);
    const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
    changes_ = tuples && *tuples ? std::atoi(tuples) : 0;
  }

  // The server-side name of the statement for (sql, types), preparing it on first use.
  const std::string& prepared_name(const std::string& sql, const std::vector<Oid>& types) {
    std::string key = sql;
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(types.data()), types.size() * sizeof(Oid));
    reconnect_if_lost(sql);
    auto it = prepared_.find(key);
    if (it != prepared_.end()) return it->second;
    std::string name = "uchet_" + std::to_string(prepared_.size() + 1);
    Result result(PQprepare(conn, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data()));
    check(result.get(), "prepare");
    return prepared_.emplace(std::move(key), std::move(name)).first->second;
  }

  // The session settings every statement relies on, for a new connection and for one opened
  // again after it was lost (the server forgets them with the session): bytea's text output in
  // hex, which PostgresqlStatement::blob decodes.
  void start_session(std::string_view what) {
    Result result(PQexec(conn, "SET bytea_output = 'hex'"));
    check(result.get(), what);
  }

  PGconn* conn = nullptr;

 private:
  // A connection the server or the network dropped (a restart, a primary switchover, an idle
  // timeout) is opened again (PQreset, which tries a multi-host URI's hosts again) before the next
  // statement that cannot belong to the lost transaction: any statement when the connection was
  // last idle, or a BEGIN. A statement of a transaction whose connection was lost fails like the
  // transaction, instead of running on a new connection outside it.
  void reconnect_if_lost(std::string_view sql) {
    if (PQstatus(conn) != CONNECTION_BAD) return;
    if (last_status_ != PQTRANS_IDLE && sql != "BEGIN") return;
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK) fail_with(conn, nullptr, "reconnect");
    prepared_.clear();  // the server's prepared statements went with the old session
    last_status_ = PQTRANS_IDLE;
    start_session("reconnect");
  }

  PGTransactionStatusType last_status_ = PQTRANS_IDLE;  // after the last statement that succeeded
  std::map<std::string, std::string> prepared_;
  int changes_ = 0;
};

PostgresqlStatement::PostgresqlStatement(PostgresqlConnection& connection, PostgresqlSql sql)
    : connection_(connection),
      sql_(std::move(sql)),
      types_(static_cast<std::size_t>(sql_.parameters), kUnspecified),
      values_(static_cast<std::size_t>(sql_.parameters)),
      formats_(static_cast<std::size_t>(sql_.parameters), 0),
      null_(static_cast<std::size_t>(sql_.parameters), true) {}

void PostgresqlStatement::check_index(int index) const {
  if (index < 1 || index > sql_.parameters) {
    throw StorageError("PostgreSQL bind: parameter " + std::to_string(index) + " out of range (the statement has " +
                       std::to_string(sql_.parameters) + ")");
  }
}

bool PostgresqlStatement::step() {
  if (result_) return ++row_ < PQntuples(result_.get());
  const auto n = static_cast<std::size_t>(sql_.parameters);
  std::vector<const char*> values(n);
  std::vector<int> lengths(n);
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = null_[i] ? nullptr : values_[i].data();
    lengths[i] = static_cast<int>(values_[i].size());
  }
  auto execute = [&] {
    const auto& name = connection_.prepared_name(sql_.text, types_);
    return Result(PQexecPrepared(connection_.conn, name.c_str(), static_cast<int>(n), values.data(), lengths.data(),
                                 formats_.data(), 0));
  };
  Result result = execute();
  // A BEGIN is what finds out that the server ended an idle connection (a restart, a switchover,
  // an idle timeout): nothing was lost with it, so it runs once more on a new connection
  // (prepared_name reconnects) and the transaction goes ahead instead of failing its work.
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && PQstatus(connection_.conn) == CONNECTION_BAD &&
      sql_.text == "BEGIN") {
    result = execute();
  }
  connection_.check(result.get(), "step");
  // PostgreSQL answers COMMIT of a transaction an error aborted with "ROLLBACK": the work is
  // gone, which the committer must hear.
  if (std::strcmp(PQcmdStatus(result.get()), "ROLLBACK") == 0 && sql_.text.starts_with("COMMIT")) {
    throw SqlStateError("PostgreSQL commit: the transaction was aborted by an earlier error and has been rolled back",
                        "25P02");
  }
  result_ = std::move(result);
  row_ = 0;
  return row_ < PQntuples(result_.get());
}

void ignore_notice(void*, const char*) {}

}  // namespace

// libpq's messages do not quote the password, but one about a malformed URI may quote the URI.
void mask_password(std::string& message, const std::string& uri) {
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), nullptr);
  if (!options) return;
  for (auto* o = options; o->keyword; ++o) {
    if (std::strcmp(o->keyword, "password") != 0 || !o->val || !*o->val) continue;
    const std::string password = o->val;
    for (auto p = message.find(password); p != std::string::npos; p = message.find(password, p + 3)) {
      message.replace(p, password.size(), "***");
    }
  }
  PQconninfoFree(options);
  for (auto p = message.find(uri); p != std::string::npos; p = message.find(uri, p + 1)) {
    message.replace(p, uri.size(), printable_location(uri));
  }
}

std::unique_ptr<Engine> open_postgresql(const std::string& uri) {
  auto connection = std::make_unique<PostgresqlConnection>();
  connection->location = uri;
  connection->conn = PQconnectdb(uri.c_str());
  if (!connection->conn || PQstatus(connection->conn) != CONNECTION_OK) {
    std::string why = connection->conn ? trim(PQerrorMessage(connection->conn)) : "out of memory";
    mask_password(why, uri);
    throw StorageError("PostgreSQL: cannot connect to " + printable_location(uri) + ": " + why);
  }
  // Notices (e.g. "relation already exists, skipping") would go to stderr by default.
  PQsetNoticeProcessor(connection->conn, ignore_notice, nullptr);
  connection->start_session("connect");
  return connection;
}

}  // namespace uchet::schema
