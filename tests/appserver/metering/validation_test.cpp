// validate_point(): VEE flags per interval (gap, register_rollback, spike, frozen and the meter's
// own conditions), each rule with a case that fires and one that does not.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "appserver/metering/validation.h"

using namespace uchet::appserver;

namespace {

using Flags = std::set<std::string>;
constexpr std::int64_t kDay = 86400;

// Intervals of one day each, the i-th starting at i * kDay.
std::vector<PointInterval> series(const std::vector<PointInterval>& shapes) {
  std::vector<PointInterval> out = shapes;
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].start = static_cast<std::int64_t>(i) * kDay;
    out[i].end = out[i].start + kDay;
  }
  return out;
}

PointInterval m(double v) { return {0, 0, v, ValueSource::Measured}; }
PointInterval est(double v, ValueSource s) { return {0, 0, v, s}; }
PointInterval missing() { return {0, 0, std::nullopt, ValueSource::Missing}; }

std::vector<Flags> validate(const std::vector<PointInterval>& point,
                            const std::vector<std::vector<PointInterval>>& neighbours = {},
                            const std::vector<DeviceCondition>& conditions = {},
                            const ValidationSettings& settings = {}) {
  return validate_point(point, neighbours, conditions, settings);
}

}  // namespace

TEST_CASE("clean measured intervals carry no flags") {
  const auto flags = validate(series({m(1), m(1.2), m(0.9), m(1.1)}));
  REQUIRE(flags.size() == 4);
  for (const auto& f : flags) CHECK(f.empty());
}

TEST_CASE("gap: every interval without a measured value, estimated or missing") {
  PointInterval no_meter = missing();
  no_meter.no_meter = true;
  const auto flags =
      validate(series({m(1), est(1, ValueSource::Linear), est(1, ValueSource::LikeDay), missing(), no_meter}));
  CHECK(flags[0] == Flags{});
  // Estimates also say whether their gap was scaled to the register (these were not).
  CHECK(flags[1] == (Flags{"gap", "unscaled"}));
  CHECK(flags[2] == (Flags{"gap", "unscaled"}));
  CHECK(flags[3] == Flags{"gap"});
  CHECK(flags[4] == Flags{"gap"});
}

TEST_CASE("register_rollback: the interval's own flag, beside gap") {
  PointInterval rollback = missing();
  rollback.register_rollback = true;
  const auto flags = validate(series({m(1), rollback, m(1)}));
  CHECK(flags[0] == Flags{});
  CHECK(flags[1] == Flags{"gap", "register_rollback"});
  CHECK(flags[2] == Flags{});
}

TEST_CASE("spike: strictly above factor x mean of the previous measured intervals") {
  // Mean of 1, 1, 1 is 1; factor 5: 5.0 is not a spike, 5.5 is.
  CHECK(validate(series({m(1), m(1), m(1), m(5.0)}))[3] == Flags{});
  CHECK(validate(series({m(1), m(1), m(1), m(5.5)}))[3] == Flags{"spike"});
  // Mean of 0.5, 1.5, 1 is 1: the mean, not the last value.
  CHECK(validate(series({m(0.5), m(1.5), m(1), m(5.5)}))[3] == Flags{"spike"});
  ValidationSettings twice;
  twice.spike_factor = 2.0;
  CHECK(validate(series({m(1), m(1), m(1), m(2.5)}), {}, {}, twice)[3] == Flags{"spike"});
  CHECK(validate(series({m(1), m(1), m(1), m(2.0)}), {}, {}, twice)[3] == Flags{});
}

TEST_CASE("spike needs three measured intervals before and a mean above zero") {
  CHECK(validate(series({m(1), m(1), m(100)}))[2] == Flags{});
  // Unmeasured intervals do not count towards the three.
  CHECK(validate(series({m(1), m(1), est(1, ValueSource::Linear), m(100)}))[3] == Flags{});
  CHECK(validate(series({m(1), m(1), est(1, ValueSource::Linear), m(1), m(100)}))[4] == Flags{"spike"});
  // A vacant flat: zero consumption, then use resumes.
  CHECK(validate(series({m(0), m(0), m(0), m(3)}))[3] == Flags{});
}

TEST_CASE("spike window: the last spike_window measured intervals, skipping unmeasured ones") {
  // Window 7: the seven 1s before the missing interval; the 10 is eight measured intervals back.
  // Mean 1 -> 5.5 is a spike. Were the 10 included, the mean would be (10 + 6) / 7 = 2.29 and the
  // threshold 11.4.
  const auto flags = validate(series({m(10), m(1), m(1), m(1), m(1), m(1), m(1), m(1), missing(), m(5.5)}));
  CHECK(flags[9] == Flags{"spike"});
  // Window 8 takes the 10 in: mean (10 + 7) / 8 = 2.125, threshold 10.625 -> no spike.
  ValidationSettings wide;
  wide.spike_window = 8;
  CHECK(validate(series({m(10), m(1), m(1), m(1), m(1), m(1), m(1), m(1), missing(), m(5.5)}), {}, {}, wide)[9] ==
        Flags{});
}

TEST_CASE("spike judges measured intervals only") {
  CHECK(validate(series({m(1), m(1), m(1), est(50, ValueSource::Linear)}))[3] == (Flags{"gap", "unscaled"}));
}

TEST_CASE("frozen: three zero intervals while half of the neighbours with data consumed") {
  const auto point = series({m(1), m(0), m(0), m(0), m(1)});
  // Neighbour A consumed throughout, B is vacant too: 1 of 2 consumed = half.
  const std::vector<std::vector<PointInterval>> half = {series({m(1), m(1), m(1), m(1), m(1)}),
                                                        series({m(0), m(0), m(0), m(0), m(0)})};
  const auto flags = validate(point, half);
  CHECK(flags[0] == Flags{});
  CHECK(flags[1] == Flags{"frozen"});
  CHECK(flags[2] == Flags{"frozen"});
  CHECK(flags[3] == Flags{"frozen"});
  CHECK(flags[4] == Flags{});
}

TEST_CASE("frozen: a longer run flags every interval of it") {
  const auto point = series({m(0), m(0), m(0), m(0)});
  const std::vector<std::vector<PointInterval>> busy = {series({m(1), m(2), m(1), m(2)})};
  const auto flags = validate(point, busy);
  for (const auto& f : flags) CHECK(f == Flags{"frozen"});
}

TEST_CASE("frozen: two zero intervals are not enough") {
  const std::vector<std::vector<PointInterval>> busy = {series({m(1), m(1), m(1), m(1)})};
  const auto flags = validate(series({m(1), m(0), m(0), m(1)}), busy);
  for (const auto& f : flags) CHECK(f.empty());
  ValidationSettings two;
  two.frozen_intervals = 2;
  const auto flags2 = validate(series({m(1), m(0), m(0), m(1)}), busy, {}, two);
  CHECK(flags2[1] == Flags{"frozen"});
  CHECK(flags2[2] == Flags{"frozen"});
}

TEST_CASE("frozen: fewer than half of the neighbours consumed") {
  // 1 of 3 consumed.
  const std::vector<std::vector<PointInterval>> quiet = {series({m(1), m(1), m(1)}), series({m(0), m(0), m(0)}),
                                                         series({m(0), m(0), m(0)})};
  for (const auto& f : validate(series({m(0), m(0), m(0)}), quiet)) CHECK(f.empty());
}

TEST_CASE("frozen needs neighbours with measured data") {
  const auto point = series({m(0), m(0), m(0)});
  for (const auto& f : validate(point)) CHECK(f.empty());
  // Neighbours only missing or estimated: nothing to compare against.
  const std::vector<std::vector<PointInterval>> blind = {
      series({missing(), missing(), missing()}),
      series({est(1, ValueSource::LikeDay), est(1, ValueSource::Linear), est(1, ValueSource::LikeDay)})};
  for (const auto& f : validate(point, blind)) CHECK(f.empty());
  // One neighbour measured and consuming, another missing: 1 of 1 with data consumed.
  const std::vector<std::vector<PointInterval>> one = {series({m(1), m(1), m(1)}),
                                                       series({missing(), missing(), missing()})};
  for (const auto& f : validate(point, one)) CHECK(f == Flags{"frozen"});
}

TEST_CASE("frozen: the neighbours must have consumed in each of the intervals") {
  const std::vector<std::vector<PointInterval>> pause = {series({m(1), m(0), m(1)})};
  for (const auto& f : validate(series({m(0), m(0), m(0)}), pause)) CHECK(f.empty());
}

TEST_CASE("frozen: an unmeasured interval breaks the run") {
  const std::vector<std::vector<PointInterval>> busy = {series({m(1), m(1), m(1), m(1), m(1)})};
  const auto flags = validate(series({m(0), m(0), est(0, ValueSource::Linear), m(0), m(0)}), busy);
  CHECK(flags[0] == Flags{});
  CHECK(flags[1] == Flags{});
  CHECK(flags[2] == (Flags{"gap", "unscaled"}));
  CHECK(flags[3] == Flags{});
  CHECK(flags[4] == Flags{});
}

TEST_CASE("device conditions flag the intervals they overlap") {
  const auto point = series({m(1), m(1), m(1), m(1)});
  const std::vector<DeviceCondition> conditions = {
      // From noon of day 0 to exactly the end of day 0: day 0 only.
      {"magnetic_influence", kDay / 2, kDay},
      // From exactly the start of day 2 for one second: day 2 only.
      {"reverse_flow", 2 * kDay, 2 * kDay + 1},
      // Still open since the last second of day 2: days 2 and 3.
      {"sensor_fault", 3 * kDay - 1, std::numeric_limits<std::int64_t>::max()},
      // Not a meter condition this rule knows.
      {"battery_low", 0, 4 * kDay},
  };
  const auto flags = validate(point, {}, conditions);
  CHECK(flags[0] == Flags{"magnetic_influence"});
  CHECK(flags[1] == Flags{});
  CHECK(flags[2] == Flags{"reverse_flow", "sensor_fault"});
  CHECK(flags[3] == Flags{"sensor_fault"});
}

TEST_CASE("a condition ending exactly where an interval starts does not touch it") {
  const auto point = series({m(1), m(1)});
  const std::vector<DeviceCondition> conditions = {{"magnetic_influence", 0, kDay},
                                                   {"reverse_flow", 2 * kDay, 3 * kDay}};
  const auto flags = validate(point, {}, conditions);
  CHECK(flags[0] == Flags{"magnetic_influence"});
  CHECK(flags[1] == Flags{});
}
