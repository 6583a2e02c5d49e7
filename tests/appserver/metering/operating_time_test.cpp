// device_operating() and fleet_operating(): the lifecycle contract's coefficient of cumulative
// operating time, failures and restore times, with every answer worked out by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "appserver/metering/operating_time.h"

using namespace uchet::appserver;

namespace {

constexpr std::int64_t H = 3600;
constexpr std::int64_t D = 86400;
constexpr std::int64_t T0 = 1'704'067'200;  // 2024-01-01 00:00 UTC; any origin would do

std::int64_t day(std::int64_t n) { return T0 + n * D; }

// One reading at 03:00 of every day in [first, last) except the listed ones.
std::vector<std::int64_t> daily_readings(int first, int last, std::vector<int> skipped = {}) {
  std::vector<std::int64_t> times;
  for (int d = first; d < last; ++d)
    if (std::find(skipped.begin(), skipped.end(), d) == skipped.end()) times.push_back(day(d) + 3 * H);
  return times;
}

DeviceOperatingInput daily_device(std::string id, std::vector<std::int64_t> readings) {
  return {std::move(id), D, {{day(0), day(30)}}, std::move(readings)};
}

}  // namespace

TEST_CASE("a device reporting every day of 30 is operating all the time -> 30/30 = 1.0") {
  auto readings = daily_readings(0, 30);
  readings.push_back(day(5) + 20 * H);  // a second reading in one interval still counts it once
  std::sort(readings.begin(), readings.end());
  auto r = device_operating(daily_device("a", readings), day(0), day(30));
  CHECK(r.id == "a");
  CHECK(r.intervals_in_service == 30);
  CHECK(r.intervals_operating == 30);
  REQUIRE(r.coefficient);
  CHECK(*r.coefficient == 1.0);
  CHECK(r.failures == 0);
  CHECK(r.restore_times_s.empty());
  CHECK_FALSE(r.outage_ongoing);
}

TEST_CASE("a 3-day outage in the middle of 30 days -> 27/30 = 0.9, one failure restored in 3 days") {
  auto r = device_operating(daily_device("b", daily_readings(0, 30, {10, 11, 12})), day(0), day(30));
  CHECK(r.intervals_in_service == 30);
  CHECK(r.intervals_operating == 27);
  CHECK(*r.coefficient == Approx(0.9));
  CHECK(r.failures == 1);
  REQUIRE(r.restore_times_s.size() == 1);
  CHECK(r.restore_times_s[0] == 3 * D);  // 259200 s
  CHECK_FALSE(r.outage_ongoing);
}

TEST_CASE("an outage running at the end of the period is a failure without a restore time") {
  auto r = device_operating(daily_device("c", daily_readings(0, 30, {27, 28, 29})), day(0), day(30));
  CHECK(r.intervals_operating == 27);
  CHECK(*r.coefficient == Approx(0.9));
  CHECK(r.failures == 1);
  CHECK(r.restore_times_s.empty());
  CHECK(r.outage_ongoing);
}

TEST_CASE("two outages, one restored and one running -> two failures, one restore time") {
  auto r = device_operating(daily_device("d", daily_readings(0, 30, {0, 1, 29})), day(0), day(30));
  // days 0-1 missing (restored at day 2 -> 2 days), day 29 missing (still running); 27/30
  CHECK(r.intervals_operating == 27);
  CHECK(r.failures == 2);
  CHECK(r.restore_times_s == std::vector<std::int64_t>{2 * D});
  CHECK(r.outage_ongoing);
}

TEST_CASE("a device commissioned on day 10 counts intervals from then only") {
  // Readings before commissioning (e.g. bench tests) do not matter: those intervals are not owed.
  DeviceOperatingInput dev{"e", D, {{day(10), day(100)}}, daily_readings(0, 30, {20})};
  auto r = device_operating(dev, day(0), day(30));
  CHECK(r.intervals_in_service == 20);  // days 10..29
  CHECK(r.intervals_operating == 19);   // all but day 20
  CHECK(*r.coefficient == Approx(19.0 / 20.0));
  CHECK(r.failures == 1);
  CHECK(r.restore_times_s == std::vector<std::int64_t>{D});
}

TEST_CASE("commissioned in the middle of a day -> that day is not in service, its start was not") {
  DeviceOperatingInput dev{"f", D, {{day(10) + 12 * H, day(100)}}, daily_readings(0, 30)};
  auto r = device_operating(dev, day(0), day(30));
  CHECK(r.intervals_in_service == 19);  // days 11..29
  CHECK(r.intervals_operating == 19);
}

TEST_CASE("a device never in service has no coefficient") {
  DeviceOperatingInput dev{"g", D, {}, daily_readings(0, 30)};
  auto r = device_operating(dev, day(0), day(30));
  CHECK(r.intervals_in_service == 0);
  CHECK(r.intervals_operating == 0);
  CHECK_FALSE(r.coefficient);
  CHECK(r.failures == 0);
  CHECK_FALSE(r.outage_ongoing);
}

TEST_CASE("hourly period over one day with hours 5 and 6 silent -> 22/24, restored in 2 h") {
  std::vector<std::int64_t> readings;
  for (int h = 0; h < 24; ++h)
    if (h != 5 && h != 6) readings.push_back(T0 + h * H + 15 * 60);
  DeviceOperatingInput dev{"h", H, {{T0, T0 + D}}, readings};
  auto r = device_operating(dev, T0, T0 + D);
  CHECK(r.intervals_in_service == 24);
  CHECK(r.intervals_operating == 22);
  CHECK(*r.coefficient == Approx(22.0 / 24.0));
  CHECK(r.failures == 1);
  CHECK(r.restore_times_s == std::vector<std::int64_t>{2 * H});
}

TEST_CASE("the last interval may be shorter and counts only readings before the end of the period") {
  // Period day 0 .. day 2 + 6 h: intervals [d0, d1), [d1, d2), [d2, d2 + 6 h).
  DeviceOperatingInput inside{"i", D, {{day(0), day(10)}}, {day(0) + H, day(1) + H, day(2) + 5 * H}};
  auto r = device_operating(inside, day(0), day(2) + 6 * H);
  CHECK(r.intervals_in_service == 3);
  CHECK(r.intervals_operating == 3);

  DeviceOperatingInput after{"j", D, {{day(0), day(10)}}, {day(0) + H, day(1) + H, day(2) + 7 * H}};
  auto s = device_operating(after, day(0), day(2) + 6 * H);
  CHECK(s.intervals_in_service == 3);
  CHECK(s.intervals_operating == 2);  // 07:00 of day 2 is after the period's end
  CHECK(s.outage_ongoing);
}

TEST_CASE("a reading exactly at an interval's start counts for it, exactly at its end does not") {
  // Days 0..2; readings at day(1) and day(2) exactly: interval 0 = [d0, d1) has none.
  DeviceOperatingInput dev{"k", D, {{day(0), day(3)}}, {day(1), day(2)}};
  auto r = device_operating(dev, day(0), day(3));
  CHECK(r.intervals_in_service == 3);
  CHECK(r.intervals_operating == 2);
  CHECK(r.failures == 1);
  CHECK(r.restore_times_s == std::vector<std::int64_t>{D});
  CHECK_FALSE(r.outage_ongoing);
}

TEST_CASE("out-of-service intervals neither break nor lengthen an outage") {
  // In service days 0..9 and 15..29 (removed for repair 10..14). Silent on days 8, 9 (in service),
  // 10..14 (not owed) and 15; back on day 16. One failure; restore = 3 in-service days.
  DeviceOperatingInput dev{
      "l", D, {{day(0), day(10)}, {day(15), day(30)}}, daily_readings(0, 30, {8, 9, 10, 11, 12, 13, 14, 15})};
  auto r = device_operating(dev, day(0), day(30));
  CHECK(r.intervals_in_service == 25);
  CHECK(r.intervals_operating == 22);
  CHECK(r.failures == 1);
  CHECK(r.restore_times_s == std::vector<std::int64_t>{3 * D});
  CHECK_FALSE(r.outage_ongoing);
}

TEST_CASE("fleet of 10 devices over 36.5 days = 1 device-year: pooled coefficient, failures per year, MTTR") {
  // Period 36.5 days, daily: 36 full intervals + one of 12 h -> 37 intervals per device.
  // 7 clean devices:                      37/37 each       -> 259 operating
  // "a": silent days 5, 6 (restored 2 d):  35/37
  // "b": silent days 30..36 (running):     30/37
  // "c": silent day 20 (restored 1 d):     36/37
  // "z": never in service:                 no coefficient, adds nothing
  // Σ operating = 259 + 35 + 30 + 36 = 360, Σ in service = 10 × 37 = 370 -> 360/370 = 36/37 = 0.97297...
  // In-service time = 10 × 36.5 d = 365 d = 1 year; failures 3 -> 3 per year.
  // MTTR = (2 d + 1 d) / 2 = 1.5 d = 129600 s. Below 0.98: a (0.946), b (0.811), c (0.973).
  const std::int64_t to = day(36) + 12 * H;
  const std::vector<std::pair<std::int64_t, std::int64_t>> service{{day(0), day(40)}};
  std::vector<DeviceOperatingInput> fleet;
  for (int i = 0; i < 7; ++i) fleet.push_back({"clean" + std::to_string(i), D, service, daily_readings(0, 37)});
  fleet.push_back({"a", D, service, daily_readings(0, 37, {5, 6})});
  fleet.push_back({"b", D, service, daily_readings(0, 37, {30, 31, 32, 33, 34, 35, 36})});
  fleet.push_back({"c", D, service, daily_readings(0, 37, {20})});
  fleet.push_back({"z", D, {}, {}});

  auto f = fleet_operating(fleet, day(0), to);
  REQUIRE(f.devices.size() == 11);
  CHECK(f.devices[7].id == "a");
  CHECK(f.devices[7].intervals_operating == 35);
  CHECK(f.devices[8].intervals_operating == 30);
  CHECK(f.devices[8].outage_ongoing);
  CHECK(f.devices[9].intervals_operating == 36);
  CHECK_FALSE(f.devices[10].coefficient);
  REQUIRE(f.coefficient);
  CHECK(*f.coefficient == Approx(36.0 / 37.0));
  CHECK(f.target == 0.98);
  CHECK(f.below_target == std::vector<std::string>{"a", "b", "c"});
  CHECK(f.failures == 3);
  REQUIRE(f.failures_per_year);
  CHECK(*f.failures_per_year == Approx(3.0));
  REQUIRE(f.mean_time_to_restore_s);
  CHECK(*f.mean_time_to_restore_s == Approx(129600.0));

  // A lower target of 0.95 leaves only "a" (35/37 = 0.9459) and "b" below it.
  auto lenient = fleet_operating(fleet, day(0), to, 0.95);
  CHECK(lenient.target == 0.95);
  CHECK(lenient.below_target == std::vector<std::string>{"a", "b"});
}

TEST_CASE("fleet of 2 failures over 10 devices x 36.5 days -> 2 per year, and nothing restored -> no MTTR") {
  const std::int64_t to = day(36) + 12 * H;
  std::vector<DeviceOperatingInput> fleet;
  for (int i = 0; i < 8; ++i) fleet.push_back({std::to_string(i), D, {{day(0), to}}, daily_readings(0, 37)});
  fleet.push_back({"x", D, {{day(0), to}}, daily_readings(0, 37, {36})});      // running at the end
  fleet.push_back({"y", D, {{day(0), to}}, daily_readings(0, 37, {35, 36})});  // running at the end
  auto f = fleet_operating(fleet, day(0), to);
  CHECK(f.failures == 2);
  CHECK(*f.failures_per_year == Approx(2.0));
  CHECK(*f.coefficient == Approx(367.0 / 370.0));  // 370 in service, 3 silent
  CHECK_FALSE(f.mean_time_to_restore_s);
}

TEST_CASE("an empty fleet has no coefficient, failure rate or MTTR") {
  auto f = fleet_operating(std::span<const DeviceOperatingInput>{}, day(0), day(30));
  CHECK(f.devices.empty());
  CHECK_FALSE(f.coefficient);
  CHECK(f.failures == 0);
  CHECK_FALSE(f.failures_per_year);
  CHECK_FALSE(f.mean_time_to_restore_s);
  CHECK(f.below_target.empty());
}

TEST_CASE("valid_for_operating: a fault or a rollback in the flags or the device status disqualifies a reading") {
  CHECK(valid_for_operating("measured,clock-corrected", ""));
  CHECK(valid_for_operating("measured", "low_battery,leak"));
  CHECK_FALSE(valid_for_operating("measured", "sensor_fault"));
  CHECK_FALSE(valid_for_operating("measured", "leak,register_rollback"));
  CHECK_FALSE(valid_for_operating("measured,register-rollback", ""));  // the storage's spelling
  CHECK_FALSE(valid_for_operating("measured,sensor_fault", ""));
  CHECK(valid_for_operating("", ""));
  CHECK(valid_for_operating("measured", "sensor_faults"));  // whole names only
}

TEST_CASE("readings after the verification due day do not count: 30 days, due on day 20 -> 20/30, outage running") {
  auto device = daily_device("v", daily_readings(0, 30));
  device.verified_until = day(20);
  auto r = device_operating(device, day(0), day(30));
  CHECK(r.intervals_in_service == 30);
  CHECK(r.intervals_operating == 20);  // days 0..19; the day-20 reading at 03:00 is after the due instant
  CHECK(r.failures == 1);
  CHECK(r.outage_ongoing);
  // Due at 02:00 on day 20: the reading at 03:00 that day is already too late, the same answer.
  device.verified_until = day(20) + 2 * H;
  CHECK(device_operating(device, day(0), day(30)).intervals_operating == 20);
  // Due at 04:00 on day 20: the 03:00 reading still counts, 21.
  device.verified_until = day(20) + 4 * H;
  CHECK(device_operating(device, day(0), day(30)).intervals_operating == 21);
}
