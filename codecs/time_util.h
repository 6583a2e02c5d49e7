// Contract: calendar arithmetic for codecs without touching the process time zone or locale
// (gmtime/timegm are not used so results never depend on the host's TZ settings).
#pragma once

#include <cstdint>
#include <string>

namespace uchet::codecs {

// Days since 1970-01-01 for a proleptic Gregorian date (month 1-12, day 1-31).
std::int64_t days_from_civil(int year, unsigned month, unsigned day);

// Unix seconds for a UTC wall-clock time; fields are not range-checked here.
std::int64_t unix_from_utc(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                           unsigned second);

// "YYYY-MM-DDTHH:MM:SSZ" for unix seconds.
std::string format_utc(std::int64_t unix_seconds);

// True when year/month/day name a real calendar day (leap years included).
bool is_valid_date(int year, unsigned month, unsigned day);

}  // namespace uchet::codecs
