#pragma once
// Contract: proleptic-Gregorian calendar arithmetic and UTC text, the one copy every stage uses
// (codecs, metering, the CLI). Pure functions that never consult the process's time zone or
// locale (no gmtime/timegm/strftime), exact over the whole range of Unix seconds uchet meets.
// Civil dates are Howard Hinnant's algorithms (days since 1970-01-01).
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace uchet::common {

inline constexpr std::int64_t kSecondsPerDay = 86400;

// a / b rounded towards minus infinity (b > 0), so that times before 1970 fall into the right day.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

struct CivilDate {
  std::int64_t year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
};

// Days since 1970-01-01 of a date (month 1..12, day 1..31; not range-checked).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
// The date `days` days after 1970-01-01 (negative: before).
CivilDate civil_from_days(std::int64_t days);

bool is_leap_year(std::int64_t year);
unsigned days_in_month(std::int64_t year, unsigned month);  // month 1..12
// True when year/month/day name a real calendar day.
bool is_valid_date(std::int64_t year, unsigned month, unsigned day);

// Unix seconds of a UTC wall-clock time; fields are not range-checked here.
std::int64_t unix_from_utc(std::int64_t year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                           unsigned second);

// "YYYY-MM-DDThh:mm:ssZ".
std::string format_utc(std::int64_t unix_seconds);
// "YYYY-MM-DDThh:mm:ss.mmmZ".
std::string format_utc_ms(std::int64_t unix_milliseconds);

// An RFC 3339 date-time as protobuf's JSON writes a Timestamp ("2026-11-22T10:00:00Z",
// "2026-11-22T10:00:00.250+05:00"; 'T' or 't', 'Z' or 'z'), in Unix seconds: a fraction is
// dropped (rounded down). Anything else is an error naming what is wrong; a leap second (:60)
// counts as the second before.
std::expected<std::int64_t, std::string> parse_rfc3339(std::string_view text);

}  // namespace uchet::common
