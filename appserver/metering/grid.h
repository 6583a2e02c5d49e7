#pragma once
// The common time grid of one cumulative register (e.g. a water meter's volume, m3): values at
// grid boundaries (local midnights, hours) from irregular readings, then consumption per grid
// interval. Pure. Values are only ever measured or interpolated between two real readings close
// enough together; never extrapolated, and a register that went backwards never yields negative
// consumption.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "appserver/metering/time_zone.h"

namespace uchet::appserver {

struct GridPoint {
  std::int64_t time;  // Unix s
  double value;
  bool manual = false;  // entered by an operator (uchetctl reading set), not read over the air
};

struct GridValue {
  enum class Method { Measured, Interpolated, Missing };
  std::int64_t time;
  std::optional<double> value;  // absent exactly when method == Missing
  Method method;
  bool manual = false;  // the reading it is (or is interpolated from) was entered manually
};

struct Interval {
  std::int64_t start, end;
  std::optional<double> consumption;  // end value - start value; absent when either is missing or on rollback
  bool register_rollback = false;     // both values present and end < start (meter reset/replaced)
};

// Default interpolation limits: a daily grid tolerates one lost daily reading plus jitter, an
// hourly grid a couple of lost hourly snapshots.
inline constexpr std::int64_t kDayMaxGap = 26 * 3600;
inline constexpr std::int64_t kHourMaxGap = 3 * 3600;

// Per boundary: Measured when a reading has exactly that time; else Interpolated linearly between
// the nearest readings strictly before and after it when they are at most max_gap_s apart; else
// Missing. `manual` carries over from the reading(s) used. `readings` must be sorted by time with unique times;
// boundaries may be in any order. Interpolation across a register decrease is kept: consumption() then flags the
// rollback.
std::vector<GridValue> sample_grid(std::span<const GridPoint> readings, std::span<const std::int64_t> boundaries,
                                   std::int64_t max_gap_s);

// One interval per consecutive pair of grid values (n values give n - 1 intervals).
std::vector<Interval> consumption(std::span<const GridValue> grid);

// Every whole UTC hour t (t % 3600 == 0) with from <= t <= to, both ends inclusive; empty if none.
std::vector<std::int64_t> hour_boundaries(std::int64_t from, std::int64_t to);
// Every start of a local day d in `zone` with from <= d <= to, both ends inclusive; empty if none.
std::vector<std::int64_t> day_boundaries(const TimeZone& zone, std::int64_t from, std::int64_t to);

}  // namespace uchet::appserver
