#include "appserver/metering/grid.h"

#include <algorithm>

namespace uchet::appserver {

std::vector<GridValue> sample_grid(std::span<const GridPoint> readings, std::span<const std::int64_t> boundaries,
                                   std::int64_t max_gap_s) {
  std::vector<GridValue> out;
  out.reserve(boundaries.size());
  for (std::int64_t t : boundaries) {
    const auto after = std::lower_bound(readings.begin(), readings.end(), t,
                                        [](const GridPoint& p, std::int64_t time) { return p.time < time; });
    if (after != readings.end() && after->time == t) {
      out.push_back({t, after->value, GridValue::Method::Measured, after->manual});
      continue;
    }
    if (after == readings.begin() || after == readings.end() || after->time - std::prev(after)->time > max_gap_s) {
      out.push_back({t, std::nullopt, GridValue::Method::Missing});
      continue;
    }
    const GridPoint& a = *std::prev(after);
    const GridPoint& b = *after;
    const double fraction = static_cast<double>(t - a.time) / static_cast<double>(b.time - a.time);
    out.push_back({t, a.value + (b.value - a.value) * fraction, GridValue::Method::Interpolated, a.manual || b.manual});
  }
  return out;
}

std::vector<Interval> consumption(std::span<const GridValue> grid) {
  std::vector<Interval> out;
  for (std::size_t i = 1; i < grid.size(); ++i) {
    Interval iv{grid[i - 1].time, grid[i].time, std::nullopt, false};
    if (grid[i - 1].value && grid[i].value) {
      if (*grid[i].value < *grid[i - 1].value)
        iv.register_rollback = true;
      else
        iv.consumption = *grid[i].value - *grid[i - 1].value;
    }
    out.push_back(iv);
  }
  return out;
}

std::vector<std::int64_t> hour_boundaries(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> out;
  const std::int64_t rem = ((from % 3600) + 3600) % 3600;
  for (std::int64_t t = rem == 0 ? from : from - rem + 3600; t <= to; t += 3600) out.push_back(t);
  return out;
}

std::vector<std::int64_t> day_boundaries(const TimeZone& zone, std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> out;
  std::int64_t d = zone.start_of_local_day(from);
  if (d < from) d = zone.next_local_day(d);
  for (; d <= to; d = zone.next_local_day(d)) out.push_back(d);
  return out;
}

}  // namespace uchet::appserver
