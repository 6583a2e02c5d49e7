#pragma once
// Arguments and formats that the report commands (readings, balance, export, fleet, objects)
// share: time zones and times typed by operators, numbers without float noise, RFC 4180 CSV.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "appserver/metering/object_balance.h"
#include "appserver/metering/time_zone.h"
#include "tools/uchetctl/output.h"

namespace uchet::cli {

// Loads a zone by name (the default zone when empty); UsageError when unknown.
appserver::TimeZone zone_arg(const std::string& name);
// Parses an operator's time in `tz` (see TimeZone::parse_time); nullopt when `text` is empty.
std::optional<std::int64_t> time_arg(const appserver::TimeZone& tz, const std::string& text, const std::string& what);
// The same for a time that must be given: an empty `text` is refused ("--from must not be empty").
std::int64_t required_time_arg(const appserver::TimeZone& tz, const std::string& text, const std::string& what);

// The reports' --format: table, csv or json (UsageError otherwise).
void check_report_format(const std::string& format);
// A report in its --format: JSON when it is json or --json was given, else CSV or a table.
void print_report(const Output& output, const std::string& format, const Table& table, const nlohmann::json& json);

// The span of a grid report (balance, point series): --grid day|hour, --from before --to, and an
// hourly grid of at most 93 days (one hour per row).
struct GridSpan {
  std::int64_t from = 0, to = 0;
  appserver::GridKind grid = appserver::GridKind::Day;
};
GridSpan grid_span_arg(const appserver::TimeZone& tz, const std::string& from, const std::string& to,
                       const std::string& grid);

// Up to six decimals, trailing zeros dropped ("12.5", "3", "0").
std::string number(double v);

// One CSV field quoted when needed (RFC 4180), and a whole table with a header row, CRLF lines.
std::string csv_field(const std::string& s);
void print_csv(std::ostream& out, const Table& t);

}  // namespace uchet::cli
