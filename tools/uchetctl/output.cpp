#include "tools/uchetctl/output.h"

#include "common/civil_time.h"

#include <algorithm>
#include <ostream>

namespace uchet::cli {
namespace {

// Display width of UTF-8 text: Cyrillic names must not break the alignment.
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void print_padded(std::ostream& out, const std::string& s, std::size_t width) {
  out << s;
  for (auto w = display_width(s); w < width; ++w) out << ' ';
}

}  // namespace

void print_table(std::ostream& out, const Table& table) {
  std::vector<std::size_t> widths;
  for (const auto& c : table.columns) widths.push_back(display_width(c));
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i + 1 == row.size()) {
        out << row[i];
      } else {
        print_padded(out, row[i], widths[i]);
        out << "  ";
      }
    }
    out << '\n';
  };
  print_row(table.columns);
  for (const auto& row : table.rows) print_row(row);
  if (table.rows.empty()) out << "(none)\n";
}

void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t width = 0;
  for (const auto& [k, v] : fields) width = std::max(width, display_width(k));
  for (const auto& [k, v] : fields) {
    print_padded(out, k + ":", width + 1);
    out << ' ' << v << '\n';
  }
}

void Output::table(const Table& t, const nlohmann::json& j) const {
  if (json) {
    out << j.dump(2) << '\n';
  } else {
    print_table(out, t);
  }
}

void Output::fields(const std::vector<std::pair<std::string, std::string>>& f, const nlohmann::json& j) const {
  if (json) {
    out << j.dump(2) << '\n';
  } else {
    print_fields(out, f);
  }
}

void Output::done(const std::string& message, const nlohmann::json& j) const {
  if (json) {
    out << j.dump(2) << '\n';
  } else {
    out << message << '\n';
  }
}

std::string format_time(std::int64_t unix_seconds) { return common::format_utc(unix_seconds); }

}  // namespace uchet::cli
