// GPS time <-> UTC with leap seconds (fact sheet §5).
#include <catch2/catch.hpp>

#include "netserver/lorawan/gps_time.h"
#include "netserver/lorawan/mac_commands.h"

using namespace uchet::lorawan;
using namespace std::chrono;

namespace {

UtcTime utc(year_month_day day, hours h = 0h, minutes m = 0min, seconds s = 0s) {
  return UtcTime(sys_days(day) + h + m + s);
}

std::int64_t gps_seconds_of(UtcTime t) { return duration_cast<seconds>(gps_time_from_utc(t)).count(); }

}  // namespace

TEST_CASE("UTC converts to GPS seconds at the fact-sheet test points") {
  CHECK(gps_seconds_of(utc(2010y / January / 28, 16h, 36min, 24s)) == 948'731'799);
  CHECK(gps_seconds_of(utc(2012y / June / 30, 23h, 59min, 59s)) == 1'025'136'014);
  CHECK(gps_seconds_of(utc(2012y / July / 1)) == 1'025'136'016);
  CHECK(gps_seconds_of(utc(2025y / July / 14)) == 1'436'486'418);
  CHECK(gps_seconds_of(utc(2016y / February / 12, 14h, 24min, 31s)) == 1'139'322'288);  // spec DeviceTimeAns example
}

TEST_CASE("The GPS epoch is 1980-01-06 with no leap seconds yet") {
  CHECK(gps_time_from_utc(utc(1980y / January / 6)) == 0ns);
  CHECK(leap_seconds_at(utc(1981y / June / 30, 23h, 59min, 59s)) == 0s);
  CHECK(leap_seconds_at(utc(1981y / July / 1)) == 1s);
  CHECK(leap_seconds_at(utc(2016y / December / 31, 23h, 59min, 59s)) == 17s);
  CHECK(leap_seconds_at(utc(2017y / January / 1)) == 18s);
}

TEST_CASE("GPS time converts back to the same UTC instant") {
  for (auto t : {utc(2010y / January / 28, 16h, 36min, 24s), utc(2012y / June / 30, 23h, 59min, 59s),
                 utc(2012y / July / 1), utc(2025y / July / 14), utc(1980y / January / 6), utc(1990y / May / 5)}) {
    CHECK(utc_from_gps_time(gps_time_from_utc(t)) == t);
  }
  const UtcTime with_fraction = utc(2025y / July / 14) + 123'456'789ns;
  CHECK(utc_from_gps_time(gps_time_from_utc(with_fraction)) == with_fraction);
}

TEST_CASE("A GPS instant inside a leap second maps to the following UTC midnight") {
  CHECK(utc_from_gps_time(seconds(1'025'136'015)) == utc(2012y / July / 1));
  CHECK(utc_from_gps_time(seconds(1'025'136'015) + 500ms) == utc(2012y / July / 1));
}

TEST_CASE("DeviceTimeAns for a UTC instant carries GPS seconds and the fraction byte") {
  const auto ans = DeviceTimeAns::from_gps_time(gps_time_from_utc(utc(2025y / July / 14) + 250ms));
  CHECK(ans.gps_seconds == 1'436'486'418);
  CHECK(ans.fraction == 64);
}
