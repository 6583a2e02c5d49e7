#pragma once
// Consumption of a metering point per grid interval, across meter replacements, with technical
// estimation of gaps. Pure.
//
// A point is measured by a sequence of installations (one meter at a time). Each installation
// contributes its register from installed_at (value = installed_reading) to removed_at (value =
// removed_reading) or open-ended; readings outside that span are ignored. The consumption of an
// interval [a, b] is the sum over the installations overlapping it of value(min(b, removed)) −
// value(max(a, installed)), each end sampled as by sample_grid() with `max_gap_s`. So the day a
// meter is replaced counts the old meter up to its removal and the new one from its installation.
//
// Technical estimation (for the balance and analytics, never for billing) fills intervals left
// without consumption:
//   linear   — the same sampling with `linear_max_gap_s` instead: straight line between the
//              readings around the gap, for gaps up to that limit;
//   like_day — beyond it: the mean consumption of the same interval 1..like_day_weeks weeks
//              earlier (`intervals_per_week` steps back), using only measured intervals;
//   missing  — when neither applies (no meter installed, or no history).
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "appserver/metering/grid.h"
#include "appserver/metering/register_series.h"

namespace uchet::appserver {

struct InstallationSeries {
  std::int64_t installed_at = 0;
  double installed_reading = 0;
  std::optional<std::int64_t> removed_at;
  std::optional<double> removed_reading;  // present exactly when removed_at is
  std::vector<GridPoint> readings;        // the device's register, sorted by time, unique times
  std::optional<double> register_range;   // the register wraps to 0 here (register_series.h); absent: unknown
};

enum class ValueSource { Measured, Linear, LikeDay, Missing };
std::string_view name(ValueSource s);  // "measured", "linear", "like_day", "missing"

struct PointInterval {
  std::int64_t start = 0, end = 0;
  std::optional<double> consumption;  // absent exactly when source == Missing
  ValueSource source = ValueSource::Missing;
  bool register_rollback = false;  // a register went backwards inside the interval (no consumption)
  bool no_meter = false;           // no installation overlaps the interval
  bool register_glitch = false;    // a misread reading at or inside its ends was left out (register_series.h)
  bool register_overflow = false;  // a register passed its maximum inside the interval (counted)
  bool manual = false;             // a value at its ends is (interpolated from) a manual reading
  bool scaled = false;             // an estimate scaled to the register difference across its gap
};

struct EstimationSettings {
  std::int64_t max_gap_s = kDayMaxGap;        // ordinary grid interpolation
  std::int64_t linear_max_gap_s = 3 * 86400;  // technical linear estimation limit
  int like_day_weeks = 3;
  int intervals_per_week = 7;  // 7 for a day grid, 168 for an hour grid
  bool estimate = true;        // false: Measured or Missing only
};

// The register of one installation as every rule reads it: installed_reading at installed_at, the
// device's readings inside the span, removed_reading at removed_at, then glitches dropped and
// overflows unwrapped (register_series.h).
RegisterSeries installation_register(const InstallationSeries& installation);

// One PointInterval per consecutive pair of `boundaries` (sorted ascending). Pass boundaries that
// start like_day_weeks weeks before the period wanted so that like-day estimates have history,
// then drop the leading intervals.
std::vector<PointInterval> point_consumption(std::span<const InstallationSeries> installations,
                                             std::span<const std::int64_t> boundaries,
                                             const EstimationSettings& settings);

}  // namespace uchet::appserver
