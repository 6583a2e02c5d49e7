#pragma once
// Arguments and formats that the report commands (readings, balance, export, fleet, objects)
// share: time zones and times typed by operators, numbers without float noise, RFC 4180 CSV.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "appserver/time_zone.h"
#include "tools/uchetctl/output.h"

namespace uchet::cli {

// Loads a zone by name (the default zone when empty); UsageError when unknown.
appserver::TimeZone zone_arg(const std::string& name);
// Parses an operator's time in `tz` (see TimeZone::parse_time); nullopt when `text` is empty.
std::optional<std::int64_t> time_arg(const appserver::TimeZone& tz, const std::string& text, const std::string& what);
// The same for a time that must be given: an empty `text` is refused ("--from must not be empty").
std::int64_t required_time_arg(const appserver::TimeZone& tz, const std::string& text, const std::string& what);

// Up to six decimals, trailing zeros dropped ("12.5", "3", "0").
std::string number(double v);

// One CSV field quoted when needed (RFC 4180), and a whole table with a header row, CRLF lines.
std::string csv_field(const std::string& s);
void print_csv(std::ostream& out, const Table& t);

}  // namespace uchet::cli
