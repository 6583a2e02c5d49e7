#include "appserver/metering/point_consumption.h"

#include "appserver/metering/register_series.h"

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
// reading at the same second. Misread readings are dropped and overflows unwrapped
// (register_series.h) before anything is subtracted.
}  // namespace

RegisterSeries installation_register(const InstallationSeries& s) {
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
  return clean_register(out, s.register_range);
}

namespace {

struct Part {
  std::optional<double> consumption;
  bool rollback = false;
  bool manual = false;
};

// One installation's share of an interval, from lo to hi (both inside its span).
Part part(std::span<const GridPoint> series, std::int64_t lo, std::int64_t hi, std::int64_t max_gap_s) {
  const std::int64_t ends[] = {lo, hi};
  const auto grid = sample_grid(series, ends, max_gap_s);
  const Interval iv = consumption(grid).front();
  const bool manual = grid[0].manual || grid[1].manual;
  if (iv.register_rollback) return {std::nullopt, true, manual};
  if (!iv.consumption) return {std::nullopt, false, manual};
  // consumption() compares only the ends: a register that was reset and then climbed past its old
  // value inside the interval would otherwise yield a plausible but meaningless difference.
  double previous = *grid[0].value;
  const auto inside =
      std::upper_bound(series.begin(), series.end(), lo, [](std::int64_t t, const GridPoint& p) { return t < p.time; });
  for (auto it = inside; it != series.end() && it->time < hi; ++it) {
    if (it->value < previous) return {std::nullopt, true, manual};
    previous = it->value;
  }
  if (*grid[1].value < previous) return {std::nullopt, true, manual};
  return {iv.consumption, false, manual};
}

struct Sum {
  int installations = 0;  // overlapping the interval
  std::optional<double> consumption;
  bool rollback = false;
  bool manual = false;
};

Sum sum_over_installations(std::span<const InstallationSeries> installations, const std::vector<RegisterSeries>& series,
                           std::int64_t a, std::int64_t b, std::int64_t max_gap_s) {
  Sum sum;
  double total = 0;
  bool complete = true;
  for (std::size_t n = 0; n < installations.size(); ++n) {
    const auto& inst = installations[n];
    // A meter installed exactly at b or removed exactly at a measured nothing of [a, b].
    if (inst.installed_at >= b || removal(inst) <= a) continue;
    ++sum.installations;
    const Part p = part(series[n].points, std::max(a, inst.installed_at), std::min(b, removal(inst)), max_gap_s);
    if (p.rollback) sum.rollback = true;
    if (p.manual) sum.manual = true;
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

// A misread reading at or inside the interval's ends (every interval it would have bounded), or an
// overflow before a reading inside or at the end of the interval, of a meter installed during it.
void mark_register_facts(std::span<const InstallationSeries> installations, const std::vector<RegisterSeries>& series,
                         PointInterval& iv) {
  const auto bounded = [&](std::int64_t t) { return iv.start <= t && t <= iv.end; };
  const auto passed = [&](std::int64_t t) { return iv.start < t && t <= iv.end; };
  for (std::size_t n = 0; n < installations.size(); ++n) {
    if (installations[n].installed_at >= iv.end || removal(installations[n]) <= iv.start) continue;
    const auto& s = series[n];
    iv.register_glitch = iv.register_glitch || std::any_of(s.glitches.begin(), s.glitches.end(), bounded);
    iv.register_overflow = iv.register_overflow || std::any_of(s.overflows.begin(), s.overflows.end(), passed);
  }
}

bool estimated(const PointInterval& iv) {
  return iv.source == ValueSource::Linear || iv.source == ValueSource::LikeDay;
}

// A run of estimated intervals whose two ends have register values (the same sampling as a
// measured interval, across the whole run) takes its total from the register: each estimate is
// multiplied by register difference ÷ Σ estimates, so the estimator gives only the shape. When the
// estimates sum to zero while the register moved, the shape is the intervals' lengths (linear).
// A run with an interval left missing, or whose ends have no values, stays as estimated.
void scale_to_register(std::span<const InstallationSeries> installations, const std::vector<RegisterSeries>& series,
                       const EstimationSettings& settings, std::vector<PointInterval>& out) {
  for (std::size_t first = 0; first < out.size();) {
    const auto gap_member = [](const PointInterval& iv) {
      return iv.source != ValueSource::Measured && !iv.no_meter && !iv.register_rollback;
    };
    if (!gap_member(out[first])) {
      ++first;
      continue;
    }
    std::size_t last = first;  // one past the run
    while (last < out.size() && gap_member(out[last])) ++last;
    const bool all_estimated = std::all_of(out.begin() + first, out.begin() + last, estimated);
    const Sum total =
        sum_over_installations(installations, series, out[first].start, out[last - 1].end, settings.max_gap_s);
    if (all_estimated && total.consumption) {
      double estimates = 0, length = 0;
      for (std::size_t i = first; i < last; ++i) {
        estimates += *out[i].consumption;
        length += static_cast<double>(out[i].end - out[i].start);
      }
      for (std::size_t i = first; i < last; ++i) {
        const double share =
            estimates > 0 ? *out[i].consumption / estimates : static_cast<double>(out[i].end - out[i].start) / length;
        out[i].consumption = *total.consumption * share;
        out[i].scaled = true;
      }
    }
    first = last;
  }
}

}  // namespace

std::vector<PointInterval> point_consumption(std::span<const InstallationSeries> installations,
                                             std::span<const std::int64_t> boundaries,
                                             const EstimationSettings& settings) {
  std::vector<RegisterSeries> series;
  series.reserve(installations.size());
  for (const auto& inst : installations) series.push_back(installation_register(inst));

  std::vector<PointInterval> out;
  if (boundaries.size() < 2) return out;
  out.reserve(boundaries.size() - 1);
  for (std::size_t i = 1; i < boundaries.size(); ++i) {
    PointInterval iv;
    iv.start = boundaries[i - 1];
    iv.end = boundaries[i];
    const Sum measured = sum_over_installations(installations, series, iv.start, iv.end, settings.max_gap_s);
    iv.manual = measured.manual;
    mark_register_facts(installations, series, iv);
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
        iv.manual = linear.manual;
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
  scale_to_register(installations, series, settings, out);
  return out;
}

}  // namespace uchet::appserver
