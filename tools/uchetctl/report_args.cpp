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

void check_report_format(const std::string& format) {
  if (format != "table" && format != "csv" && format != "json") throw UsageError("--format must be table, csv or json");
}

void print_report(const Output& output, const std::string& format, const Table& table, const nlohmann::json& json) {
  if (format == "json" || output.json) {
    output.out << json.dump(2) << '\n';
  } else if (format == "csv") {
    print_csv(output.out, table);
  } else {
    print_table(output.out, table);
  }
}

GridSpan grid_span_arg(const appserver::TimeZone& tz, const std::string& from, const std::string& to,
                       const std::string& grid) {
  if (grid != "day" && grid != "hour") throw UsageError("--grid must be day or hour");
  GridSpan span{required_time_arg(tz, from, "--from"), required_time_arg(tz, to, "--to"),
                grid == "day" ? appserver::GridKind::Day : appserver::GridKind::Hour};
  if (span.to <= span.from) throw UsageError("--to must be after --from");
  if (span.grid == appserver::GridKind::Hour && span.to - span.from > 93 * 86400)
    throw UsageError("an hourly grid covers at most 93 days");
  return span;
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
