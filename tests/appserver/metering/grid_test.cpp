#include <catch2/catch.hpp>

#include <vector>

#include "appserver/metering/grid.h"

using namespace uchet::appserver;
using Method = GridValue::Method;

namespace {

Approx rel(double v) { return Approx(v).epsilon(1e-9); }

}  // namespace

TEST_CASE("readings exactly on boundaries are measured") {
  const std::vector<GridPoint> r{{0, 10.0}, {3600, 10.5}, {7200, 11.25}};
  const std::vector<std::int64_t> b{0, 3600, 7200};
  const auto g = sample_grid(r, b, kHourMaxGap);
  REQUIRE(g.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(g[i].time == b[i]);
    CHECK(g[i].method == Method::Measured);
    CHECK(g[i].value == r[i].value);
  }
  const auto c = consumption(g);
  REQUIRE(c.size() == 2);
  CHECK(c[0].start == 0);
  CHECK(c[0].end == 3600);
  CHECK(*c[0].consumption == rel(0.5));
  CHECK(*c[1].consumption == rel(0.75));
  CHECK_FALSE(c[1].register_rollback);
}

TEST_CASE("a boundary between two readings is interpolated linearly") {
  const std::vector<GridPoint> r{{0, 1.0}, {7200, 2.0}};
  const std::vector<std::int64_t> b{1800, 3600, 5400};
  const auto g = sample_grid(r, b, kHourMaxGap);
  REQUIRE(g.size() == 3);
  CHECK(g[0].method == Method::Interpolated);
  CHECK(*g[0].value == rel(1.25));
  CHECK(*g[1].value == rel(1.5));
  CHECK(*g[2].value == rel(1.75));
  const auto c = consumption(g);
  CHECK(*c[0].consumption == rel(0.25));
  CHECK(*c[1].consumption == rel(0.25));
}

TEST_CASE("a daily boundary between readings taken a few minutes after midnight") {
  // Readings at 00:05 local on two consecutive days (Yekaterinburg, 2026-11-22 and -23).
  const std::int64_t day = 1795287600;
  const std::vector<GridPoint> r{{day + 300, 10.000}, {day + 86400 + 300, 10.864}};
  const std::vector<std::int64_t> b{day, day + 86400};
  const auto g = sample_grid(r, b, kDayMaxGap);
  CHECK(g[0].method == Method::Missing);  // before the first reading: never extrapolated
  CHECK_FALSE(g[0].value);
  CHECK(g[1].method == Method::Interpolated);
  CHECK(*g[1].value == rel(10.861));  // 10 + 0.864 * 86100 / 86400
}

TEST_CASE("interpolation gap: at the limit is interpolated, one second over is missing") {
  const std::vector<std::int64_t> b{3600};
  const std::vector<GridPoint> at_limit{{0, 0.0}, {kHourMaxGap, 3.0}};
  const auto g1 = sample_grid(at_limit, b, kHourMaxGap);
  CHECK(g1[0].method == Method::Interpolated);
  CHECK(*g1[0].value == rel(1.0));
  const std::vector<GridPoint> over{{0, 0.0}, {kHourMaxGap + 1, 3.0}};
  const auto g2 = sample_grid(over, b, kHourMaxGap);
  CHECK(g2[0].method == Method::Missing);
  CHECK_FALSE(g2[0].value);
  // A measured boundary needs no neighbours, whatever the gap.
  const std::vector<std::int64_t> on{kHourMaxGap + 1};
  CHECK(sample_grid(over, on, kHourMaxGap)[0].method == Method::Measured);
}

TEST_CASE("boundaries before the first and after the last reading are missing") {
  const std::vector<GridPoint> r{{3600, 5.0}, {7200, 6.0}};
  const std::vector<std::int64_t> b{0, 3600, 7200, 10800};
  const auto g = sample_grid(r, b, kHourMaxGap);
  CHECK(g[0].method == Method::Missing);
  CHECK(g[1].method == Method::Measured);
  CHECK(g[2].method == Method::Measured);
  CHECK(g[3].method == Method::Missing);
  const auto c = consumption(g);
  REQUIRE(c.size() == 3);
  CHECK_FALSE(c[0].consumption);
  CHECK_FALSE(c[0].register_rollback);
  CHECK(*c[1].consumption == rel(1.0));
  CHECK_FALSE(c[2].consumption);
}

TEST_CASE("a register that went backwards is flagged, never negative consumption") {
  const std::vector<GridPoint> r{{0, 100.0}, {3600, 100.5}, {7200, 0.25}, {10800, 0.5}};
  const std::vector<std::int64_t> b{0, 3600, 7200, 10800};
  const auto c = consumption(sample_grid(r, b, kHourMaxGap));
  REQUIRE(c.size() == 3);
  CHECK(*c[0].consumption == rel(0.5));
  CHECK_FALSE(c[1].consumption);
  CHECK(c[1].register_rollback);
  CHECK(*c[2].consumption == rel(0.25));
  CHECK_FALSE(c[2].register_rollback);
  // Interpolating across the drop still shows a decrease on both sides of the boundary.
  const std::vector<std::int64_t> mid{3600, 5400, 7200};
  const auto c2 = consumption(sample_grid(r, mid, kHourMaxGap));
  CHECK(c2[0].register_rollback);
  CHECK(c2[1].register_rollback);
  // Equal values are zero consumption, not a rollback.
  const std::vector<GridValue> flat{{0, 1.0, Method::Measured}, {3600, 1.0, Method::Measured}};
  CHECK(*consumption(flat)[0].consumption == 0.0);
  CHECK_FALSE(consumption(flat)[0].register_rollback);
}

TEST_CASE("a single reading and empty inputs") {
  const std::vector<GridPoint> one{{3600, 7.0}};
  const std::vector<std::int64_t> b{0, 3600, 7200};
  const auto g = sample_grid(one, b, kHourMaxGap);
  CHECK(g[0].method == Method::Missing);
  CHECK(g[1].method == Method::Measured);
  CHECK(*g[1].value == 7.0);
  CHECK(g[2].method == Method::Missing);
  const auto c = consumption(g);
  CHECK_FALSE(c[0].consumption);
  CHECK_FALSE(c[1].consumption);

  const auto none = sample_grid({}, b, kHourMaxGap);
  REQUIRE(none.size() == 3);
  for (const auto& v : none) CHECK(v.method == Method::Missing);
  CHECK(sample_grid(one, {}, kHourMaxGap).empty());
  CHECK(consumption({}).empty());
  CHECK(consumption(std::vector<GridValue>{g[1]}).empty());
}

TEST_CASE("hour boundaries include both aligned ends") {
  CHECK(hour_boundaries(3600, 7200) == std::vector<std::int64_t>{3600, 7200});
  CHECK(hour_boundaries(3601, 10799) == std::vector<std::int64_t>{7200});
  CHECK(hour_boundaries(3601, 7199).empty());
  CHECK(hour_boundaries(-3601, 0) == std::vector<std::int64_t>{-3600, 0});
  CHECK(hour_boundaries(7200, 3600).empty());
}

TEST_CASE("day boundaries follow local midnights") {
  const auto ekb = TimeZone::load("Asia/Yekaterinburg");
  REQUIRE(ekb);
  const std::int64_t d = 1795287600;  // 2026-11-22T00:00+05:00
  CHECK(day_boundaries(*ekb, d, d + 2 * 86400) == std::vector<std::int64_t>{d, d + 86400, d + 2 * 86400});
  CHECK(day_boundaries(*ekb, d + 1, d + 2 * 86400 - 1) == std::vector<std::int64_t>{d + 86400});
  CHECK(day_boundaries(*ekb, d + 1, d + 86399).empty());

  const auto berlin = TimeZone::load("Europe/Berlin");
  REQUIRE(berlin);
  // 2026-03-28 .. 2026-03-31: the 29th lasts 23 h.
  CHECK(day_boundaries(*berlin, 1774652400, 1774908000) ==
        std::vector<std::int64_t>{1774652400, 1774738800, 1774821600, 1774908000});
}

TEST_CASE("hourly grid over the 25-hour day when Berlin leaves DST") {
  const auto berlin = TimeZone::load("Europe/Berlin");
  REQUIRE(berlin);
  const std::int64_t oct25 = 1792879200, oct26 = 1792969200;
  const auto days = day_boundaries(*berlin, oct25, oct26);
  REQUIRE(days == std::vector<std::int64_t>{oct25, oct26});
  const auto hours = hour_boundaries(oct25, oct26);
  REQUIRE(hours.size() == 26);  // 25 hourly intervals
  // Hourly readings 30 min past each hour, 10 litres an hour.
  std::vector<GridPoint> r;
  for (std::int64_t t = oct25 - 1800, i = 0; t <= oct26 + 1800; t += 3600, ++i) r.push_back({t, 500.0 + 0.010 * i});
  const auto hourly = consumption(sample_grid(r, hours, kHourMaxGap));
  REQUIRE(hourly.size() == 25);
  double total = 0;
  for (const auto& iv : hourly) {
    REQUIRE(iv.consumption);
    CHECK(*iv.consumption == Approx(0.010).epsilon(1e-9));
    total += *iv.consumption;
  }
  const auto daily = consumption(sample_grid(r, days, kDayMaxGap));
  REQUIRE(daily.size() == 1);
  CHECK(*daily[0].consumption == rel(0.25));
  CHECK(total == rel(0.25));
}
