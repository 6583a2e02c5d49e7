#pragma once
// Prepared statements over a Database's connection (SQLite or PostgreSQL): the one place SQL
// text is run, and only by the stores under schema/ (nothing outside schema/ includes this
// header; no engine header is included here).
//
// SQL uses SQLite's placeholders (`?`, `?NNN`) on both engines; the PostgreSQL connection
// rewrites them to `$n` (schema/postgresql_placeholders.h). Preparing is a third of the hot
// path's cost (see BENCHMARKS.md), so a finished statement goes back to its connection's cache,
// keyed by SQL text, and the next Statement with the same text reuses it; a statement in use is
// taken out of the cache, so nesting the same SQL is safe. Like its Database, a Statement is
// used by one thread at a time. Failures throw StorageError.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/database.h"
#include "schema/key_wrap.h"

namespace uchet::schema {

class PreparedStatement;  // schema/connection.h: the engine's statement

// What a column of the current row holds: SQLite's storage classes. On PostgreSQL it follows the
// column's type (integer and boolean types → integer, float4/float8 → real, bytea → blob, any
// other → text), a NULL being null on both.
enum class ValueType { null, integer, real, text, blob };

// A StorageError from PostgreSQL, with its SQLSTATE (e.g. "23505", a unique violation), for the
// stores that tell failures apart; also named in what().
class SqlStateError : public StorageError {
 public:
  SqlStateError(const std::string& what, std::string sqlstate) : StorageError(what), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// A prepared statement. Bind indexes are 1-based as in SQLite; column indexes 0-based. A
// parameter left unbound is NULL.
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
  Statement& bind_blob(int index, std::span<const std::uint8_t> blob);
  Statement& bind_blob(int index, const std::vector<std::uint8_t>& blob) {
    return bind_blob(index, std::span<const std::uint8_t>(blob));
  }
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
  ValueType type(int column) const;
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
  std::unique_ptr<PreparedStatement> stmt_;
};

}  // namespace uchet::schema
