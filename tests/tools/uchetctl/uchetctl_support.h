#pragma once
// Runs the real uchetctl binary against a database in a temporary directory (or, when the test
// runs on PostgreSQL, a fresh database on the test cluster: tests/support/test_storage.h).
#include <nlohmann/json.hpp>

#include "tests/support/process.h"
#include "tests/support/test_sql.h"
#include "tests/support/test_storage.h"

namespace uchet::test {

class Uchetctl {
 public:
  Uchetctl() : binary_(executable_from_env("UCHETCTL")), db_(uchet::test::test_database_location(dir_.path())) {}

  RunResult operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), {binary_, "--db", db_});
    return run(args);
  }
  // Runs with --json and parses stdout; fails the test if the command fails.
  nlohmann::json json(std::vector<std::string> args) const {
    args.insert(args.begin(), "--json");
    auto r = (*this)(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  }
  // Every row of the database (tests/support/test_sql.h), to prove a failed command changed
  // nothing.
  std::string dump() const { return database_rows(db_); }
  // Runs SQL statements valid on both engines in one transaction (sql_exec): rows no command
  // makes.
  void sql(const std::string& statements) const { sql_exec(db_, statements); }
  std::string file(const std::string& name) const { return dir_.file(name); }
  // Where the database is: what --db is given.
  const std::string& database() const { return db_; }

 private:
  TempDir dir_;
  std::string binary_;
  std::string db_;
};

}  // namespace uchet::test
