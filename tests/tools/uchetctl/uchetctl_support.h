#pragma once
// Runs the real uchetctl binary against a database in a temporary directory.
#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace uchet::test {

class Uchetctl {
 public:
  Uchetctl() : binary_(executable_from_env("UCHETCTL")), db_(dir_.file("uchet.db")) {}

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
  // The whole database as SQL text (sqlite3 .dump), to prove a failed command changed nothing.
  std::string dump() const {
    auto r = run({"/usr/bin/sqlite3", db_, ".dump"});
    REQUIRE(r.exit_code == 0);
    return r.out;
  }
  std::string file(const std::string& name) const { return dir_.file(name); }

 private:
  TempDir dir_;
  std::string binary_;
  std::string db_;
};

}  // namespace uchet::test
