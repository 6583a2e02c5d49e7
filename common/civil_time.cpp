#include "common/civil_time.h"

#include <fmt/format.h>

namespace uchet::common {

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = month > 2 ? month - 3 : month + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return {era * 400 + yoe + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap_year(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

bool is_valid_date(std::int64_t year, unsigned month, unsigned day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

std::int64_t unix_from_utc(std::int64_t year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                           unsigned second) {
  return days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
}

namespace {

std::string format(std::int64_t unix_seconds, std::string_view fraction) {
  const std::int64_t days = floor_div(unix_seconds, kSecondsPerDay);
  const std::int64_t sod = unix_seconds - days * kSecondsPerDay;
  const CivilDate d = civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}Z", d.year, d.month, d.day, sod / 3600, sod / 60 % 60,
                     sod % 60, fraction);
}

}  // namespace

std::string format_utc(std::int64_t unix_seconds) { return format(unix_seconds, ""); }

std::string format_utc_ms(std::int64_t unix_milliseconds) {
  const std::int64_t seconds = floor_div(unix_milliseconds, 1000);
  return format(seconds, fmt::format(".{:03}", unix_milliseconds - seconds * 1000));
}

namespace {

// n decimal digits at text[pos]; false when they are not all there.
bool fixed_digits(std::string_view text, std::size_t pos, std::size_t n, unsigned& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return true;
}

}  // namespace

std::expected<std::int64_t, std::string> parse_rfc3339(std::string_view text) {
  const auto fail = [&](std::string_view why) {
    return std::unexpected(
        fmt::format("\"{}\" is not an RFC 3339 time ({}), e.g. 2026-11-22T10:00:00Z", text.substr(0, 64), why));
  };
  unsigned year, month, day, hour, minute, second;
  if (!fixed_digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !fixed_digits(text, 5, 2, month) ||
      text[7] != '-' || !fixed_digits(text, 8, 2, day)) {
    return fail("no date YYYY-MM-DD");
  }
  if (!is_valid_date(year, month, day)) return fail("no such date");
  if ((text[10] != 'T' && text[10] != 't') || !fixed_digits(text, 11, 2, hour) || text[13] != ':' ||
      !fixed_digits(text, 14, 2, minute) || text[16] != ':' || !fixed_digits(text, 17, 2, second)) {
    return fail("no time Thh:mm:ss");
  }
  if (hour > 23 || minute > 59 || second > 60) return fail("time of day out of range");
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return fail("empty fraction of a second");
  }
  std::int64_t offset = 0;
  const auto zone = text.substr(pos);
  if (zone != "Z" && zone != "z") {
    unsigned off_h, off_m;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !fixed_digits(zone, 1, 2, off_h) || zone[3] != ':' ||
        !fixed_digits(zone, 4, 2, off_m) || off_h > 23 || off_m > 59) {
      return fail("no time zone Z or +hh:mm");
    }
    offset = static_cast<std::int64_t>(off_h * 3600 + off_m * 60) * (zone[0] == '-' ? -1 : 1);
  }
  return unix_from_utc(year, month, day, hour, minute, second == 60 ? 59 : second) - offset;
}

}  // namespace uchet::common
