#include "tools/uchetctl/report_args.h"

#include <fmt/format.h>

#include <ostream>

namespace uchet::cli {

appserver::TimeZone zone_arg(const std::string& name) {
  auto tz = appserver::TimeZone::load(name.empty() ? std::string(appserver::TimeZone::kDefaultName) : name);
  if (!tz) throw UsageError("time zone: " + tz.error());
  return *tz;
}

std::optional<std::int64_t> time_arg(const appserver::TimeZone& tz, const std::string& text, const std::string& what) {
  if (text.empty()) return std::nullopt;
  auto t = tz.parse_time(text);
  if (!t) throw UsageError(what + ": " + t.error());
  return *t;
}

std::int64_t required_time_arg(const appserver::TimeZone& tz, const std::string& text, const std::string& what) {
  auto t = time_arg(tz, text, what);
  if (!t) throw UsageError(what + " must not be empty");
  return *t;
}

std::string number(double v) {
  auto text = fmt::format("{:.6f}", v);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void print_csv(std::ostream& out, const Table& t) {
  auto row = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_field(cells[i]);
    out << "\r\n";
  };
  row(t.columns);
  for (const auto& r : t.rows) row(r);
}

}  // namespace uchet::cli
