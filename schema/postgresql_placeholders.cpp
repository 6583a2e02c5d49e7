#include "schema/postgresql_placeholders.h"

#include <algorithm>
#include <cctype>

namespace uchet::schema {
namespace {

bool identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The length of a dollar-quote tag ($$ or $tag$) starting at `at`, or 0 if none starts there.
// A `$` after an identifier character belongs to the identifier (PostgreSQL allows `$` in names).
std::size_t dollar_tag(std::string_view sql, std::size_t at) {
  if (at > 0 && identifier_char(sql[at - 1])) return 0;
  std::size_t end = at + 1;
  if (end < sql.size() && identifier_start(sql[end])) {
    while (end < sql.size() && identifier_char(sql[end])) ++end;
  }
  return end < sql.size() && sql[end] == '$' ? end - at + 1 : 0;
}

}  // namespace

PostgresqlSql postgresql_placeholders(std::string_view sql) {
  PostgresqlSql out;
  out.text.reserve(sql.size() + 8);
  std::size_t i = 0;
  // Copies from i up to and including the first `close` at or after `from`, or to the end.
  auto copy_through = [&](std::size_t from, std::string_view close) {
    const auto end = sql.find(close, from);
    const auto stop = end == std::string_view::npos ? sql.size() : end + close.size();
    out.text.append(sql.substr(i, stop - i));
    i = stop;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (c == '\'' || c == '"') {
      // A doubled quote inside is an escaped quote: the scan just continues past it.
      copy_through(i + 1, std::string_view(&c, 1));
    } else if (c == '-' && next == '-') {
      copy_through(i + 2, "\n");
    } else if (c == '/' && next == '*') {
      std::size_t j = i + 2;
      int depth = 1;
      while (j < sql.size() && depth > 0) {
        if (sql[j] == '/' && j + 1 < sql.size() && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && j + 1 < sql.size() && sql[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      out.text.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '$' && dollar_tag(sql, i) > 0) {
      const auto tag = sql.substr(i, dollar_tag(sql, i));
      copy_through(i + tag.size(), tag);
    } else if (c == '?') {
      std::size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
      int number = j > i + 1 ? std::stoi(std::string(sql.substr(i + 1, j - i - 1))) : out.parameters + 1;
      out.parameters = std::max(out.parameters, number);
      out.text += '$';
      out.text += std::to_string(number);
      i = j;
    } else {
      out.text += c;
      ++i;
    }
  }
  return out;
}

}  // namespace uchet::schema
