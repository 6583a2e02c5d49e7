// The rewrite of SQLite placeholders into PostgreSQL's (schema/postgresql_placeholders.h):
// known answers, a pure function, no database.
#include <catch2/catch.hpp>

#include "schema/postgresql_placeholders.h"

using uchet::schema::postgresql_placeholders;

namespace {

std::string rewritten(std::string_view sql) { return postgresql_placeholders(sql).text; }
int parameters(std::string_view sql) { return postgresql_placeholders(sql).parameters; }

}  // namespace

TEST_CASE("bare question marks become $1, $2, ... in order") {
  CHECK(rewritten("INSERT INTO t (a, b, c) VALUES (?, ?, ?)") == "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)");
  CHECK(parameters("INSERT INTO t (a, b, c) VALUES (?, ?, ?)") == 3);
  CHECK(rewritten("SELECT a FROM t WHERE b=?") == "SELECT a FROM t WHERE b=$1");
}

TEST_CASE("SQL without placeholders is unchanged and has no parameters") {
  const std::string sql = "SELECT COUNT(*) FROM outbox WHERE topic LIKE 'frame/%' ORDER BY id";
  CHECK(rewritten(sql) == sql);
  CHECK(parameters(sql) == 0);
  CHECK(rewritten("") == "");
  CHECK(rewritten("BEGIN") == "BEGIN");
}

TEST_CASE("numbered placeholders keep their number and may repeat, a bare one follows the largest so far") {
  CHECK(rewritten("WHERE (?1 IS NULL OR d.application_id = ?1) ORDER BY d.dev_eui") ==
        "WHERE ($1 IS NULL OR d.application_id = $1) ORDER BY d.dev_eui");
  CHECK(parameters("WHERE (?1 IS NULL OR d.application_id = ?1)") == 1);
  CHECK(rewritten("VALUES (?2, ?, ?1, ?)") == "VALUES ($2, $3, $1, $4)");
  CHECK(parameters("VALUES (?2, ?, ?1, ?)") == 4);
  CHECK(rewritten("SET a = ?10, b = ?9") == "SET a = $10, b = $9");
  CHECK(parameters("SET a = ?10, b = ?9") == 10);
}

TEST_CASE("question marks in string literals, with doubled quotes, stay text") {
  CHECK(rewritten("SELECT 'why?', ? FROM t") == "SELECT 'why?', $1 FROM t");
  CHECK(rewritten("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1");
  CHECK(rewritten("SELECT '', ?, '?'") == "SELECT '', $1, '?'");
  CHECK(parameters("SELECT 'a?b?c'") == 0);
}

TEST_CASE("question marks in quoted identifiers stay part of the name") {
  CHECK(rewritten("SELECT \"odd?name\", \"a\"\"?\" FROM t WHERE x = ?") ==
        "SELECT \"odd?name\", \"a\"\"?\" FROM t WHERE x = $1");
}

TEST_CASE("question marks in comments are not parameters") {
  CHECK(rewritten("SELECT ? -- really?\nFROM t WHERE a = ?") == "SELECT $1 -- really?\nFROM t WHERE a = $2");
  CHECK(rewritten("SELECT 1 -- trailing?") == "SELECT 1 -- trailing?");
  CHECK(rewritten("SELECT /* why? */ ? /* outer /* nested? */ still? */ , ?") ==
        "SELECT /* why? */ $1 /* outer /* nested? */ still? */ , $2");
  CHECK(rewritten("SELECT 1 /* unterminated ?") == "SELECT 1 /* unterminated ?");
}

TEST_CASE("question marks in dollar-quoted strings are text, $n and names with $ are not quotes") {
  CHECK(rewritten("SELECT $$a?b$$, ?") == "SELECT $$a?b$$, $1");
  CHECK(rewritten("SELECT $fn$ x ? $fn$, ?") == "SELECT $fn$ x ? $fn$, $1");
  CHECK(rewritten("SELECT a$b, ? FROM t") == "SELECT a$b, $1 FROM t");
}

TEST_CASE("a minus or slash that starts no comment and an unterminated literal are copied as they are") {
  CHECK(rewritten("SELECT a - ?, b / ?") == "SELECT a - $1, b / $2");
  CHECK(rewritten("SELECT 'open ?") == "SELECT 'open ?");
}
