// point_consumption(): a point's interval consumption across meter replacements, with linear and
// like-day estimation of gaps. Every expected value is worked out by hand in the comments.
#include <catch2/catch.hpp>

#include "appserver/metering/point_consumption.h"

using namespace uchet::appserver;

namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t T0 = 1767225600;  // 2026-01-01 00:00 UTC; the day grid here is UTC midnights

std::vector<std::int64_t> days(int count) {  // count + 1 midnights from T0
  std::vector<std::int64_t> out;
  for (int d = 0; d <= count; ++d) out.push_back(T0 + d * kDay);
  return out;
}

InstallationSeries open_meter(std::int64_t installed_at, double installed_reading, std::vector<GridPoint> readings) {
  return {installed_at, installed_reading, std::nullopt, std::nullopt, std::move(readings)};
}

// Readings at the grid boundaries listed, the register climbing by consumption[i] over interval i.
std::vector<GridPoint> cumulative(std::int64_t origin, std::int64_t step, double start,
                                  const std::vector<double>& consumption, const std::vector<int>& read_at) {
  std::vector<double> value{start};
  for (double c : consumption) value.push_back(value.back() + c);
  std::vector<GridPoint> out;
  for (int k : read_at) out.push_back({origin + k * step, value.at(static_cast<std::size_t>(k))});
  return out;
}

std::vector<int> range(int from, int to) {  // from..to inclusive
  std::vector<int> out;
  for (int k = from; k <= to; ++k) out.push_back(k);
  return out;
}

}  // namespace

TEST_CASE("name() of each value source") {
  CHECK(name(ValueSource::Measured) == "measured");
  CHECK(name(ValueSource::Linear) == "linear");
  CHECK(name(ValueSource::LikeDay) == "like_day");
  CHECK(name(ValueSource::Missing) == "missing");
}

TEST_CASE("clean daily series: differences of midnight readings, all measured") {
  const std::vector<InstallationSeries> inst = {open_meter(
      T0 - 10 * kDay, 90.0, {{T0, 100.0}, {T0 + kDay, 101.5}, {T0 + 2 * kDay, 103.0}, {T0 + 3 * kDay, 103.25}})};
  const auto out = point_consumption(inst, days(3), {});
  REQUIRE(out.size() == 3);
  CHECK(out[0].start == T0);
  CHECK(out[0].end == T0 + kDay);
  CHECK(out[2].start == T0 + 2 * kDay);
  CHECK(out[2].end == T0 + 3 * kDay);
  CHECK(*out[0].consumption == Approx(1.5));   // 101.5 - 100
  CHECK(*out[1].consumption == Approx(1.5));   // 103 - 101.5
  CHECK(*out[2].consumption == Approx(0.25));  // 103.25 - 103
  for (const auto& iv : out) {
    CHECK(iv.source == ValueSource::Measured);
    CHECK_FALSE(iv.register_rollback);
    CHECK_FALSE(iv.no_meter);
  }
}

TEST_CASE("fewer than two boundaries give no intervals") {
  const std::vector<InstallationSeries> inst = {open_meter(T0 - kDay, 1.0, {{T0, 2.0}})};
  const std::int64_t one[] = {T0};
  CHECK(point_consumption(inst, one, {}).empty());
}

TEST_CASE("meter replaced at noon: the old meter up to its removal plus the new one from its installation") {
  // Old: 98 at the previous midnight, 100 at T0, removed at 12:00 reading 105.5; it kept reporting
  // after removal (106, 106.2) from wherever it went. New: installed at 12:00 reading 0.0, then
  // 3.0 at the next midnight and 5.0 the one after.
  const std::vector<InstallationSeries> inst = {
      {T0 - 30 * kDay,
       50.0,
       T0 + 12 * kHour,
       105.5,
       {{T0 - kDay, 98.0}, {T0, 100.0}, {T0 + 18 * kHour, 106.0}, {T0 + kDay, 106.2}}},
      open_meter(T0 + 12 * kHour, 0.0, {{T0 + kDay, 3.0}, {T0 + 2 * kDay, 5.0}})};
  std::vector<std::int64_t> boundaries = {T0 - kDay};
  for (auto b : days(2)) boundaries.push_back(b);
  const auto out = point_consumption(inst, boundaries, {});
  REQUIRE(out.size() == 3);
  CHECK(*out[0].consumption == Approx(2.0));  // old only: 100 - 98
  CHECK(*out[1].consumption == Approx(8.5));  // (105.5 - 100) + (3.0 - 0.0)
  CHECK(*out[2].consumption == Approx(2.0));  // new only: 5 - 3
  for (const auto& iv : out) CHECK(iv.source == ValueSource::Measured);
}

TEST_CASE("meter replaced exactly on a boundary: each day belongs to one meter") {
  // Old: 100 at T0, removed at T0+1d reading 110. New: installed at T0+1d reading 0, 4 at T0+2d.
  const std::vector<InstallationSeries> inst = {{T0 - 30 * kDay, 50.0, T0 + kDay, 110.0, {{T0, 100.0}}},
                                                open_meter(T0 + kDay, 0.0, {{T0 + 2 * kDay, 4.0}})};
  const auto out = point_consumption(inst, days(2), {});
  REQUIRE(out.size() == 2);
  CHECK(*out[0].consumption == Approx(10.0));  // 110 - 100; the new meter starts at the end
  CHECK(*out[1].consumption == Approx(4.0));   // 4 - 0; the old meter ended at the start
  CHECK(out[0].source == ValueSource::Measured);
  CHECK(out[1].source == ValueSource::Measured);
}

TEST_CASE("recorded installation and removal readings win over device readings at the same instant") {
  // The device said 0.3 at its installation and 110.2 at its removal; the operator recorded 0.0 and 110.
  const std::vector<InstallationSeries> inst = {
      {T0, 0.0, T0 + kDay, 110.0, {{T0, 0.3}, {T0 + 12 * kHour, 50.0}, {T0 + kDay, 110.2}}}};
  const auto out = point_consumption(inst, days(1), {});
  REQUIRE(out.size() == 1);
  CHECK(*out[0].consumption == Approx(110.0));  // 110 - 0
}

TEST_CASE("readings outside the installation span are ignored") {
  // Installed at T0+1d reading 50, removed at T0+2d 12:00 reading 53. The device also reported at
  // T0 (40, before installation), T0+3d (60) and T0+4d (61, after removal).
  const std::vector<InstallationSeries> inst = {
      {T0 + kDay,
       50.0,
       T0 + 2 * kDay + 12 * kHour,
       53.0,
       {{T0, 40.0}, {T0 + 2 * kDay, 51.5}, {T0 + 3 * kDay, 60.0}, {T0 + 4 * kDay, 61.0}}}};
  const auto out = point_consumption(inst, days(4), {});
  REQUIRE(out.size() == 4);
  CHECK(out[0].no_meter);  // installed exactly at its end
  CHECK(out[0].source == ValueSource::Missing);
  CHECK(*out[1].consumption == Approx(1.5));  // 51.5 - 50
  CHECK(out[1].source == ValueSource::Measured);
  CHECK(*out[2].consumption == Approx(1.5));  // 53 - 51.5, up to the removal at noon
  CHECK(out[2].source == ValueSource::Measured);
  CHECK(out[3].no_meter);
  CHECK_FALSE(out[3].consumption);
}

TEST_CASE("a short gap is bridged by ordinary interpolation and stays measured") {
  // No reading at T0+1d; the readings around it are 12 h apart (<= 26 h):
  // 102 at T0+18h and 105 at T0+30h, so at T0+24h: 102 + 3 * 6/12 = 103.5.
  const std::vector<InstallationSeries> inst = {open_meter(
      T0 - 10 * kDay, 90.0, {{T0, 100.0}, {T0 + 18 * kHour, 102.0}, {T0 + 30 * kHour, 105.0}, {T0 + 2 * kDay, 106.5}})};
  const auto out = point_consumption(inst, days(2), {});
  REQUIRE(out.size() == 2);
  CHECK(*out[0].consumption == Approx(3.5));  // 103.5 - 100
  CHECK(*out[1].consumption == Approx(3.0));  // 106.5 - 103.5
  CHECK(out[0].source == ValueSource::Measured);
  CHECK(out[1].source == ValueSource::Measured);
}

namespace {

// 99.5 at T0, then 100 at T0+6h and 108 at T0+54h (48 h apart: beyond 26 h, within 72 h), 109 at T0+3d.
// Linear between T0+6h and T0+54h: at T0+1d 100 + 8 * 18/48 = 103, at T0+2d 100 + 8 * 42/48 = 107.
std::vector<InstallationSeries> two_day_gap() {
  return {open_meter(T0 - 10 * kDay, 90.0,
                     {{T0, 99.5}, {T0 + 6 * kHour, 100.0}, {T0 + 54 * kHour, 108.0}, {T0 + 3 * kDay, 109.0}})};
}

}  // namespace

TEST_CASE("a two-day gap is estimated linearly") {
  const auto out = point_consumption(two_day_gap(), days(4), {});
  REQUIRE(out.size() == 4);
  CHECK(*out[0].consumption == Approx(3.5));  // 103 - 99.5
  CHECK(out[0].source == ValueSource::Linear);
  CHECK(*out[1].consumption == Approx(4.0));  // 107 - 103
  CHECK(out[1].source == ValueSource::Linear);
  CHECK(*out[2].consumption == Approx(2.0));  // 109 - 107: its start value is the estimate
  CHECK(out[2].source == ValueSource::Linear);
  CHECK(out[3].source == ValueSource::Missing);  // nothing after T0+3d
  CHECK_FALSE(out[3].consumption);
}

TEST_CASE("estimate = false leaves gaps missing") {
  EstimationSettings settings;
  settings.estimate = false;
  const auto out = point_consumption(two_day_gap(), days(3), settings);
  REQUIRE(out.size() == 3);
  for (const auto& iv : out) {
    CHECK(iv.source == ValueSource::Missing);
    CHECK_FALSE(iv.consumption);
    CHECK_FALSE(iv.no_meter);
  }
}

namespace {

// 29 midnights (boundaries 0..28, intervals 0..27) of one meter reading 100 at boundary 0 and
// consuming per interval:
//   week 0 (0..6):   1    1    1    1    1    1    1
//   week 1 (7..13):  2    1    3    1    1    1    1
//   week 2 (14..20): 3    2.5  2    1    1    1    1
// No reading at boundary 3 (intervals 2 and 3 linear, 1 each), none between boundaries 21 and
// 26 (5 days: intervals 21..25 beyond linear), then 1 per interval again (26, 27).
std::vector<InstallationSeries> five_day_gap() {
  const std::vector<double> c = {1,
                                 1,
                                 1,
                                 1,
                                 1,
                                 1,
                                 1,
                                 2,
                                 1,
                                 3,
                                 1,
                                 1,
                                 1,
                                 1,
                                 3,
                                 2.5,
                                 2,
                                 1,
                                 1,
                                 1,
                                 1,
                                 /* 21..25, unread */ 1,
                                 1,
                                 1,
                                 1,
                                 3,
                                 1,
                                 1};
  std::vector<int> read_at = {0, 1, 2};
  for (int k : range(4, 21)) read_at.push_back(k);
  for (int k : range(26, 28)) read_at.push_back(k);
  return {open_meter(T0 - kDay, 99.0, cumulative(T0, kDay, 100.0, c, read_at))};
}

}  // namespace

TEST_CASE("a five-day gap is estimated like-day from the measured same weekdays 1-3 weeks earlier") {
  const auto out = point_consumption(five_day_gap(), days(28), {});
  REQUIRE(out.size() == 28);
  CHECK(out[2].source == ValueSource::Linear);
  CHECK(*out[2].consumption == Approx(1.0));
  CHECK(out[3].source == ValueSource::Linear);
  for (int i = 21; i <= 25; ++i) CHECK(out[static_cast<std::size_t>(i)].source == ValueSource::LikeDay);
  // The like-day shape: 21 <- intervals 14, 7, 0: (3 + 2 + 1) / 3 = 2.0; 22 <- 15, 8, 1:
  // (2.5 + 1 + 1) / 3 = 1.5; 23 <- 16, 9 measured: (2 + 3) / 2 = 2.5 (2 was linear); 24 <- 17,
  // 10: (1 + 1) / 2 = 1.0 (3 was linear); 25 <- 18, 11, 4: 1.0. Σ = 8.0, while the register
  // moved 1 + 1 + 1 + 1 + 3 = 7.0 between the readings at 21 and 26 (issue 19 item 4): each
  // estimate is scaled by 7 / 8.
  for (int i = 21; i <= 25; ++i) CHECK(out[static_cast<std::size_t>(i)].scaled);
  CHECK(*out[21].consumption == Approx(2.0 * 7 / 8));  // 1.75
  CHECK(*out[22].consumption == Approx(1.5 * 7 / 8));  // 1.3125
  CHECK(*out[23].consumption == Approx(2.5 * 7 / 8));  // 2.1875
  CHECK(*out[24].consumption == Approx(1.0 * 7 / 8));  // 0.875
  CHECK(*out[25].consumption == Approx(1.0 * 7 / 8));  // 0.875
  CHECK(out[26].source == ValueSource::Measured);
  CHECK(*out[26].consumption == Approx(1.0));
}

TEST_CASE("like-day is off when estimate = false") {
  EstimationSettings settings;
  settings.estimate = false;
  const auto out = point_consumption(five_day_gap(), days(28), settings);
  CHECK(out[2].source == ValueSource::Missing);
  CHECK(out[21].source == ValueSource::Missing);
  CHECK_FALSE(out[21].consumption);
  CHECK(out[20].source == ValueSource::Measured);
}

TEST_CASE("a long gap without history stays missing") {
  // Installed at T0 reading 0, next reading 5 days later: nothing a week earlier.
  const std::vector<InstallationSeries> inst = {open_meter(T0, 0.0, {{T0 + 5 * kDay, 5.0}, {T0 + 6 * kDay, 6.0}})};
  const auto out = point_consumption(inst, days(6), {});
  REQUIRE(out.size() == 6);
  for (int i = 0; i < 5; ++i) {
    CHECK(out[static_cast<std::size_t>(i)].source == ValueSource::Missing);
    CHECK_FALSE(out[static_cast<std::size_t>(i)].consumption);
    CHECK_FALSE(out[static_cast<std::size_t>(i)].no_meter);
  }
  CHECK(*out[5].consumption == Approx(1.0));
}

TEST_CASE("no installation overlapping the interval: no_meter, missing, never estimated") {
  // Measured 1 per day from T0 to the removal at T0+8d (reading 108); then no meter for two days,
  // although a week earlier (intervals 1, 2) was measured.
  std::vector<GridPoint> readings;
  for (int d = 0; d <= 7; ++d) readings.push_back({T0 + d * kDay, 100.0 + d});
  const std::vector<InstallationSeries> inst = {{T0 - kDay, 99.0, T0 + 8 * kDay, 108.0, readings}};
  const auto out = point_consumption(inst, days(10), {});
  REQUIRE(out.size() == 10);
  CHECK(*out[7].consumption == Approx(1.0));  // 108 (removal) - 107
  CHECK_FALSE(out[7].no_meter);
  for (std::size_t i : {8u, 9u}) {
    CHECK(out[i].no_meter);
    CHECK(out[i].source == ValueSource::Missing);
    CHECK_FALSE(out[i].consumption);
  }
}

TEST_CASE("no installations at all: every interval no_meter") {
  const auto out = point_consumption({}, days(2), {});
  REQUIRE(out.size() == 2);
  CHECK(out[0].no_meter);
  CHECK(out[1].no_meter);
  CHECK(out[1].source == ValueSource::Missing);
}

TEST_CASE("a register that went backwards: rollback, no consumption, not estimated") {
  // 100, 101, ... 107 at boundaries 0..7, then 50 at 8 (reset) and 51 at 9. Interval 7 has
  // measured history a week earlier (interval 0) but is not estimated.
  std::vector<GridPoint> readings;
  for (int d = 0; d <= 7; ++d) readings.push_back({T0 + d * kDay, 100.0 + d});
  readings.push_back({T0 + 8 * kDay, 50.0});
  readings.push_back({T0 + 9 * kDay, 51.0});
  const std::vector<InstallationSeries> inst = {open_meter(T0 - kDay, 99.0, readings)};
  const auto out = point_consumption(inst, days(9), {});
  REQUIRE(out.size() == 9);
  CHECK(*out[6].consumption == Approx(1.0));
  CHECK(out[7].register_rollback);
  CHECK(out[7].source == ValueSource::Missing);
  CHECK_FALSE(out[7].consumption);
  CHECK_FALSE(out[7].no_meter);
  CHECK_FALSE(out[8].register_rollback);
  CHECK(*out[8].consumption == Approx(1.0));  // 51 - 50
}

TEST_CASE("a register that dipped and recovered inside the interval was misread, not reset") {
  // 100 at T0, 90 at noon, 103 at the next midnight: the noon reading is below 100 while the next
  // continues the old series (103 >= 100), so it was misread (issue 19 item 1: this used to be a
  // rollback without consumption); the day is 103 - 100 = 3, flagged register_glitch.
  const std::vector<InstallationSeries> inst = {
      open_meter(T0 - kDay, 99.0, {{T0, 100.0}, {T0 + 12 * kHour, 90.0}, {T0 + kDay, 103.0}})};
  const auto out = point_consumption(inst, days(1), {});
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].register_rollback);
  CHECK(out[0].register_glitch);
  CHECK(*out[0].consumption == Approx(3.0));
  CHECK(out[0].source == ValueSource::Measured);
}

TEST_CASE("a register that dipped inside the interval and stayed down is a rollback") {
  // 100 at T0, 90 at noon, 93 at the next midnight: the next reading continues from 90, so the
  // register really went back; the ends alone would say -7, the readings inside show the reset.
  const std::vector<InstallationSeries> inst = {
      open_meter(T0 - kDay, 99.0, {{T0, 100.0}, {T0 + 12 * kHour, 90.0}, {T0 + kDay, 93.0}})};
  const auto out = point_consumption(inst, days(1), {});
  REQUIRE(out.size() == 1);
  CHECK(out[0].register_rollback);
  CHECK_FALSE(out[0].consumption);
  CHECK(out[0].source == ValueSource::Missing);
}

TEST_CASE("hour grid: like-day steps back 168 intervals") {
  // Boundaries hour 0..344 (intervals 0..343). 0.25 per hour except interval 2 (2.0) and
  // interval 170 (1.0). Read every hour up to 337, then 343 and 344: 6 h unread, beyond both
  // the hour grid's 3 h and the 4 h linear limit used here, so intervals 337..342 are like-day.
  std::vector<double> c(344, 0.25);
  c[2] = 2.0;
  c[170] = 1.0;
  std::vector<int> read_at = range(0, 337);
  read_at.push_back(343);
  read_at.push_back(344);
  const std::vector<InstallationSeries> inst = {open_meter(T0 - kHour, 0.0, cumulative(T0, kHour, 10.0, c, read_at))};
  std::vector<std::int64_t> boundaries;
  for (int h = 0; h <= 344; ++h) boundaries.push_back(T0 + h * kHour);
  EstimationSettings settings;
  settings.max_gap_s = kHourMaxGap;
  settings.linear_max_gap_s = 4 * kHour;
  settings.intervals_per_week = 168;
  settings.like_day_weeks = 2;
  const auto out = point_consumption(inst, boundaries, settings);
  REQUIRE(out.size() == 344);
  for (int i = 337; i <= 342; ++i) CHECK(out[static_cast<std::size_t>(i)].source == ValueSource::LikeDay);
  // The like-day shape: 337 <- intervals 169, 1: (0.25 + 0.25) / 2 = 0.25; 338 <- 170, 2:
  // (1.0 + 2.0) / 2 = 1.5; 339..342: 0.25 each. Σ = 2.75, the register moved 6 x 0.25 = 1.5
  // between the readings at 337 and 343: scaled by 1.5 / 2.75 = 6 / 11 (issue 19 item 4).
  CHECK(*out[337].consumption == Approx(0.25 * 6 / 11));
  CHECK(*out[338].consumption == Approx(1.5 * 6 / 11));
  CHECK(*out[339].consumption == Approx(0.25 * 6 / 11));
  CHECK(out[343].source == ValueSource::Measured);
  CHECK(*out[343].consumption == Approx(0.25));
}
