// point_consumption() with the register facts (issue 19 items 1, 3 and 4): a misread reading
// neither creates nor removes consumption, an overflow is counted, manual values are marked,
// and estimates across a gap with register values at both ends add up to the register's
// difference. Every expected value is worked out by hand in the comments.
#include <catch2/catch.hpp>

#include <numeric>

#include "appserver/metering/point_consumption.h"
#include "appserver/metering/validation.h"

using namespace uchet::appserver;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t T0 = 1767225600;  // 2026-01-01 00:00 UTC (a Thursday); UTC midnights here

std::vector<std::int64_t> days(int count) {  // count + 1 midnights from T0
  std::vector<std::int64_t> out;
  for (int d = 0; d <= count; ++d) out.push_back(T0 + d * kDay);
  return out;
}

// Daily midnight readings of a register that starts at `start` and grows by use(d) on day d,
// read at the midnights for which `read(k)` is true.
template <class Use, class Read>
std::vector<GridPoint> daily(double start, int count, Use use, Read read) {
  std::vector<GridPoint> out;
  double value = start;
  for (int k = 0; k <= count; ++k) {
    if (read(k)) out.push_back({T0 + k * kDay, value});
    value += use(k);
  }
  return out;
}

double total(const std::vector<PointInterval>& iv, std::size_t from, std::size_t to) {  // [from, to)
  double sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += iv[i].consumption.value_or(0);
  return sum;
}

}  // namespace

TEST_CASE("a 0.2 m3 dip on one reading creates and removes no consumption (item 1)") {
  // 0.133 m3 a day for 30 days: 3.990 m3. The reading at midnight 20 is 0.2 m3 too low, the one
  // at midnight 21 continues the old series.
  auto readings = daily(
      50.0, 30, [](int) { return 0.133; }, [](int) { return true; });
  readings[20].value -= 0.2;
  const std::vector<InstallationSeries> inst = {{T0 - kDay, 49.867, std::nullopt, std::nullopt, readings}};

  // Billing reads without estimates: the month's ends are measured, so the month is 3.990.
  EstimationSettings none;
  none.estimate = false;
  const std::int64_t month[] = {T0, T0 + 30 * kDay};
  const auto whole = point_consumption(inst, month, none);
  REQUIRE(whole[0].source == ValueSource::Measured);
  CHECK(*whole[0].consumption == Approx(3.990));
  CHECK_FALSE(whole[0].register_rollback);
  CHECK(whole[0].register_glitch);

  // Day by day: the misread midnight is dropped, so days 19 and 20 (the two the reading bounds)
  // have no measured value (their readings are 48 h apart, more than 26 h) and are bridged by
  // the linear estimate, 0.133 each; no day has a rollback.
  const auto out = point_consumption(inst, days(30), {});
  REQUIRE(out.size() == 30);
  for (std::size_t d = 0; d < 30; ++d) {
    INFO("day " << d);
    CHECK_FALSE(out[d].register_rollback);
    CHECK(*out[d].consumption == Approx(0.133));
    CHECK(out[d].register_glitch == (d == 19 || d == 20));
    CHECK(out[d].source == (d == 19 || d == 20 ? ValueSource::Linear : ValueSource::Measured));
  }
  CHECK(total(out, 0, 30) == Approx(3.990));

  const auto flags = validate_point(out, {}, {}, {});
  CHECK(flags[19] == std::set<std::string>{"gap", "register_glitch", "scaled"});
  CHECK(flags[20] == std::set<std::string>{"gap", "register_glitch", "scaled"});
  CHECK(flags[18].empty());
}

TEST_CASE("a register restart the next readings confirm stays a rollback; a replacement is no rollback") {
  // 10.0, 10.1, 10.2, then 0.0, 0.1: not a misread (0.1 < 10.2), no range known.
  const std::vector<GridPoint> r = {
      {T0, 10.0}, {T0 + kDay, 10.1}, {T0 + 2 * kDay, 10.2}, {T0 + 3 * kDay, 0.0}, {T0 + 4 * kDay, 0.1}};
  const std::vector<InstallationSeries> inst = {{T0 - kDay, 9.9, std::nullopt, std::nullopt, r}};
  const auto out = point_consumption(inst, days(4), {});
  CHECK(out[2].register_rollback);
  CHECK_FALSE(out[2].consumption);
  CHECK(*out[3].consumption == Approx(0.1));

  // The same values, but the meter was replaced at midnight 3 per the installation history: the
  // old meter removed at 10.2, a new one installed at 0.0. Day 2 is 10.2 - 10.1 = 0.1.
  const std::vector<InstallationSeries> replaced = {
      {T0 - kDay, 9.9, T0 + 3 * kDay, 10.2, {r[0], r[1], r[2]}},
      {T0 + 3 * kDay, 0.0, std::nullopt, std::nullopt, {r[4]}},
  };
  const auto out2 = point_consumption(replaced, days(4), {});
  CHECK_FALSE(out2[2].register_rollback);
  CHECK(*out2[2].consumption == Approx(0.0));  // 10.2 (removal) - 10.2 (midnight 2)
  CHECK(*out2[1].consumption == Approx(0.1));
  CHECK(*out2[3].consumption == Approx(0.1));  // new meter: 0.1 - 0.0
}

TEST_CASE("an overflow at the register's range is counted, not a rollback") {
  // Range 1000 m3: 999.8, 999.9, then 0.05, 0.2 -> 0.1, 0.15 (999.9 -> 1000.05), 0.15.
  const std::vector<GridPoint> r = {{T0, 999.8}, {T0 + kDay, 999.9}, {T0 + 2 * kDay, 0.05}, {T0 + 3 * kDay, 0.2}};
  const std::vector<InstallationSeries> inst = {{T0 - kDay, 999.7, std::nullopt, std::nullopt, r, 1000.0}};
  const auto out = point_consumption(inst, days(3), {});
  CHECK(*out[0].consumption == Approx(0.1));
  CHECK(*out[1].consumption == Approx(0.15));
  CHECK(out[1].register_overflow);
  CHECK_FALSE(out[1].register_rollback);
  CHECK(*out[2].consumption == Approx(0.15));
  CHECK(validate_point(out, {}, {}, {})[1] == std::set<std::string>{"register_overflow"});
}

TEST_CASE("like-day estimates across a bounded gap add up to the register difference (item 4)") {
  // Use per day d: 0.1 m3 on days with d % 7 in 0..4, 0.2 on the other two; days 21..27 the
  // flat is away and uses 0.05 a day: the register moves 7 x 0.05 = 0.35 across the gap.
  // Readings at every midnight except 22..27, so days 21..27 (seven) are a gap bounded by the
  // readings at midnights 21 and 28; 7 days > 72 h: like-day, the mean of the same weekday 1..3
  // weeks earlier = 0.1 or 0.2. Σ like-day = 5 x 0.1 + 2 x 0.2 = 0.9, so each estimate is scaled
  // by 0.35 / 0.9: 0.1 -> 0.038889, 0.2 -> 0.077778.
  const auto use = [](int d) { return d >= 21 && d <= 27 ? 0.05 : (d % 7 <= 4 ? 0.1 : 0.2); };
  const auto readings = daily(0.0, 31, use, [](int k) { return k < 22 || k > 27; });
  const std::vector<InstallationSeries> inst = {{T0 - kDay, 0.0, std::nullopt, std::nullopt, readings}};
  const auto out = point_consumption(inst, days(31), {});
  REQUIRE(out.size() == 31);
  for (std::size_t d = 21; d <= 27; ++d) {
    INFO("day " << d);
    CHECK(out[d].source == ValueSource::LikeDay);
    CHECK(out[d].scaled);
    CHECK(*out[d].consumption == Approx(d % 7 <= 4 ? 0.1 * 0.35 / 0.9 : 0.2 * 0.35 / 0.9));
  }
  CHECK(*out[21].consumption == Approx(0.038889).margin(1e-6));
  CHECK(*out[26].consumption == Approx(0.077778).margin(1e-6));
  CHECK(total(out, 21, 28) == Approx(0.35));
  CHECK(validate_point(out, {}, {}, {})[21] == std::set<std::string>{"gap", "scaled"});
  CHECK(*out[28].consumption == Approx(0.1));  // day 28: 28 % 7 = 0, measured
}

TEST_CASE("a gap without a register value at its end keeps the estimator's own total, flagged unscaled") {
  // The same use, but the meter falls silent after midnight 21: days 21..30 are like-day
  // estimates (0.1 or 0.2 by weekday), nothing to scale them to.
  const auto use = [](int d) { return d % 7 <= 4 ? 0.1 : 0.2; };
  const auto readings = daily(0.0, 31, use, [](int k) { return k <= 21; });
  const std::vector<InstallationSeries> inst = {{T0 - kDay, 0.0, std::nullopt, std::nullopt, readings}};
  const auto out = point_consumption(inst, days(31), {});
  for (std::size_t d = 21; d <= 30; ++d) {
    INFO("day " << d);
    CHECK(out[d].source == ValueSource::LikeDay);
    CHECK_FALSE(out[d].scaled);
    CHECK(*out[d].consumption == Approx(d % 7 <= 4 ? 0.1 : 0.2));
  }
  CHECK(validate_point(out, {}, {}, {})[25] == std::set<std::string>{"gap", "unscaled"});
}

TEST_CASE("a gap whose estimates are all zero while the register moved is spread by length") {
  // Days 7..13 used 0 in each of the weeks before (history 0), the register moves 0.7 across
  // the week-long gap 14..20: seven equal days, 0.1 each.
  const auto use = [](int d) { return d >= 14 && d <= 20 ? 0.1 : 0.0; };
  const auto readings = daily(5.0, 22, use, [](int k) { return k < 15 || k > 20; });
  const std::vector<InstallationSeries> inst = {{T0 - kDay, 5.0, std::nullopt, std::nullopt, readings}};
  const auto out = point_consumption(inst, days(22), {});
  for (std::size_t d = 14; d <= 20; ++d) {
    INFO("day " << d);
    CHECK(out[d].scaled);
    CHECK(*out[d].consumption == Approx(0.1));
  }
}

TEST_CASE("manual readings are marked on the intervals they bound") {
  // Readings at midnights 0 and 2 by radio, a manual one at midnight 1.
  const std::vector<GridPoint> r = {{T0, 1.0}, {T0 + kDay, 1.2, true}, {T0 + 2 * kDay, 1.5}, {T0 + 3 * kDay, 1.6}};
  const std::vector<InstallationSeries> inst = {{T0 - kDay, 1.0, std::nullopt, std::nullopt, r}};
  const auto out = point_consumption(inst, days(3), {});
  CHECK(out[0].manual);
  CHECK(out[1].manual);
  CHECK_FALSE(out[2].manual);
  CHECK(*out[0].consumption == Approx(0.2));
  CHECK(validate_point(out, {}, {}, {})[0] == std::set<std::string>{"manual"});
}
