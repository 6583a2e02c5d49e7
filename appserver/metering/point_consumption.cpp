#include "appserver/metering/point_consumption.h"

#include <algorithm>
#include <limits>

namespace uchet::appserver {

std::string_view name(ValueSource s) {
  switch (s) {
    case ValueSource::Measured:
      return "measured";
    case ValueSource::Linear:
      return "linear";
    case ValueSource::LikeDay:
      return "like_day";
    case ValueSource::Missing:
      return "missing";
  }
  return "missing";
}

namespace {

constexpr auto kOpenEnd = std::numeric_limits<std::int64_t>::max();

std::int64_t removal(const InstallationSeries& s) { return s.removed_at.value_or(kOpenEnd); }

// The register of one installation. The device keeps reporting before it is installed here and
// after it is taken away, and those values belong to another place. The installation and removal
// readings are the operator's record of the register at those instants, so they win over a device
// reading at the same second.
std::vector<GridPoint> register_series(const InstallationSeries& s) {
  const bool recorded_removal = s.removed_at && s.removed_reading;
  std::vector<GridPoint> out;
  out.reserve(s.readings.size() + 2);
  out.push_back({s.installed_at, s.installed_reading});
  for (const auto& p : s.readings) {
    if (p.time <= s.installed_at) continue;
    if (p.time > removal(s) || (recorded_removal && p.time == *s.removed_at)) continue;
    out.push_back(p);
  }
  if (recorded_removal) out.push_back({*s.removed_at, *s.removed_reading});
  return out;
}

struct Part {
  std::optional<double> consumption;
  bool rollback = false;
};

// One installation's share of an interval, from lo to hi (both inside its span).
Part part(std::span<const GridPoint> series, std::int64_t lo, std::int64_t hi, std::int64_t max_gap_s) {
  const std::int64_t ends[] = {lo, hi};
  const auto grid = sample_grid(series, ends, max_gap_s);
  const Interval iv = consumption(grid).front();
  if (iv.register_rollback) return {std::nullopt, true};
  if (!iv.consumption) return {};
  // consumption() compares only the ends: a register that was reset and then climbed past its old
  // value inside the interval would otherwise yield a plausible but meaningless difference.
  double previous = *grid[0].value;
  const auto inside =
      std::upper_bound(series.begin(), series.end(), lo, [](std::int64_t t, const GridPoint& p) { return t < p.time; });
  for (auto it = inside; it != series.end() && it->time < hi; ++it) {
    if (it->value < previous) return {std::nullopt, true};
    previous = it->value;
  }
  if (*grid[1].value < previous) return {std::nullopt, true};
  return {iv.consumption, false};
}

struct Sum {
  int installations = 0;  // overlapping the interval
  std::optional<double> consumption;
  bool rollback = false;
};

Sum sum_over_installations(std::span<const InstallationSeries> installations,
                           const std::vector<std::vector<GridPoint>>& series, std::int64_t a, std::int64_t b,
                           std::int64_t max_gap_s) {
  Sum sum;
  double total = 0;
  bool complete = true;
  for (std::size_t n = 0; n < installations.size(); ++n) {
    const auto& inst = installations[n];
    // A meter installed exactly at b or removed exactly at a measured nothing of [a, b].
    if (inst.installed_at >= b || removal(inst) <= a) continue;
    ++sum.installations;
    const Part p = part(series[n], std::max(a, inst.installed_at), std::min(b, removal(inst)), max_gap_s);
    if (p.rollback) sum.rollback = true;
    if (p.consumption)
      total += *p.consumption;
    else
      complete = false;
  }
  // Half an interval is not the interval's consumption: any share missing leaves it all missing.
  if (sum.installations > 0 && complete && !sum.rollback) sum.consumption = total;
  return sum;
}

std::optional<double> like_day(const std::vector<PointInterval>& out, std::size_t i,
                               const EstimationSettings& settings) {
  if (settings.intervals_per_week <= 0) return std::nullopt;
  double total = 0;
  int count = 0;
  for (int k = 1; k <= settings.like_day_weeks; ++k) {
    const auto back = static_cast<std::int64_t>(k) * settings.intervals_per_week;
    if (back > static_cast<std::int64_t>(i)) break;
    // Only measured history: an estimate built on estimates drifts away from the meter.
    const PointInterval& earlier = out[i - static_cast<std::size_t>(back)];
    if (earlier.source != ValueSource::Measured) continue;
    total += *earlier.consumption;
    ++count;
  }
  if (count == 0) return std::nullopt;
  return total / count;
}

}  // namespace

std::vector<PointInterval> point_consumption(std::span<const InstallationSeries> installations,
                                             std::span<const std::int64_t> boundaries,
                                             const EstimationSettings& settings) {
  std::vector<std::vector<GridPoint>> series;
  series.reserve(installations.size());
  for (const auto& inst : installations) series.push_back(register_series(inst));

  std::vector<PointInterval> out;
  if (boundaries.size() < 2) return out;
  out.reserve(boundaries.size() - 1);
  for (std::size_t i = 1; i < boundaries.size(); ++i) {
    PointInterval iv;
    iv.start = boundaries[i - 1];
    iv.end = boundaries[i];
    const Sum measured = sum_over_installations(installations, series, iv.start, iv.end, settings.max_gap_s);
    if (measured.installations == 0) {
      iv.no_meter = true;
    } else if (measured.rollback) {
      iv.register_rollback = true;
    } else if (measured.consumption) {
      iv.consumption = measured.consumption;
      iv.source = ValueSource::Measured;
    } else if (settings.estimate) {
      const Sum linear = sum_over_installations(installations, series, iv.start, iv.end, settings.linear_max_gap_s);
      // A straight line across a register that went backwards would hide the reset; it is
      // reported as a rollback like a measured one (only seen when estimating, since the ordinary
      // sampling could not bridge the gap).
      if (linear.rollback) {
        iv.register_rollback = true;
      } else if (linear.consumption) {
        iv.consumption = linear.consumption;
        iv.source = ValueSource::Linear;
      }
    }
    out.push_back(iv);
  }

  if (!settings.estimate) return out;
  // Like-day reads only measured intervals, which the first pass settled, so it can run after it.
  // A rollback interval is not estimated either: its consumption is unknown, not merely unread, and
  // an operator has to look at the meter (validation flags it).
  for (std::size_t i = 0; i < out.size(); ++i) {
    PointInterval& iv = out[i];
    if (iv.source != ValueSource::Missing || iv.no_meter || iv.register_rollback) continue;
    if (const auto estimate = like_day(out, i, settings)) {
      iv.consumption = estimate;
      iv.source = ValueSource::LikeDay;
    }
  }
  return out;
}

}  // namespace uchet::appserver
