#pragma once
// How uchetctl answers: aligned tables for people, JSON for programs (--json), and the exit
// codes scripts rely on (0 success, 2 bad input or refused, 1 storage or system failure).
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace uchet::cli {

// Thrown for anything the operator can fix: malformed values, unknown names, refused actions.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

void print_table(std::ostream& out, const Table& table);
// "key: value" lines for one object (show commands).
void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// Where a command's result goes: as JSON when --json was given, otherwise as text.
struct Output {
  bool json = false;
  std::ostream& out;

  void table(const Table& t, const nlohmann::json& j) const;
  void fields(const std::vector<std::pair<std::string, std::string>>& f, const nlohmann::json& j) const;
  // A one-line confirmation ("added application water") or its JSON object.
  void done(const std::string& message, const nlohmann::json& j) const;
};

std::string format_time(std::int64_t unix_seconds);  // ISO 8601 UTC, e.g. 2026-11-22T10:00:00Z

}  // namespace uchet::cli
