#pragma once
// The rewrite of SQLite's parameter placeholders into PostgreSQL's, so the stores write one SQL
// text for both engines. Pure; called by the PostgreSQL connection once per SQL text (the
// result is cached with the prepared statement).
//
// `?NNN` becomes `$NNN`; a bare `?` takes SQLite's number for it, one more than the largest
// number used before it (so `?` `?` `?` are $1 $2 $3, and `?2` `?` is $2 $3). Question marks
// inside string literals ('it''s?'), quoted identifiers ("a?"), dollar-quoted strings
// ($$a?$$, $tag$a?$tag$), line comments (-- ?) and block comments (/* ? */, nested as
// PostgreSQL nests them) are text, not parameters, and are left alone. SQLite's named forms
// (:name, @name, $name) are not used by uchet and not rewritten.
#include <string>
#include <string_view>

namespace uchet::schema {

struct PostgresqlSql {
  std::string text;    // with $n placeholders
  int parameters = 0;  // the largest n (the number of parameters to send)
};

PostgresqlSql postgresql_placeholders(std::string_view sqlite_sql);

}  // namespace uchet::schema
