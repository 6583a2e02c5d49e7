#pragma once
// Validation of a metering point's interval consumption (the V of VEE): flags, never deletions.
// Pure. Each rule looks at one point's intervals (and, for `frozen`, its neighbours'):
//   gap                 the interval has no measured consumption (estimated or missing);
//   register_rollback   the register went backwards (not a misread, overflow or replacement);
//   register_glitch     a single misread reading at or inside the interval's ends was left out
//                       (register_series.h): the interval is bridged as across a lost reading;
//   register_overflow   the register passed its maximum inside the interval (counted, not lost);
//   manual              a value at the interval's ends is (interpolated from) a manual reading;
//   scaled, unscaled    an estimate whose gap had register values at both ends and was scaled to
//                       their difference, or one whose gap had not (the estimator's own total);
//   spike               consumption > spike_factor × the mean of the previous spike_window
//                       measured intervals (needs at least 3 of them, and a mean > 0);
//   frozen              zero consumption for frozen_intervals consecutive measured intervals
//                       (flagging each of them) while at least half of the neighbour points with
//                       data consumed in each of those intervals;
//   magnetic_influence, reverse_flow, sensor_fault
//                       the meter reported that condition during the interval: from its alarms,
//                       and from the status stored with its readings (schema/readings.h).
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "appserver/metering/point_consumption.h"

namespace uchet::appserver {

struct ValidationSettings {
  double spike_factor = 5.0;
  int spike_window = 7;
  int frozen_intervals = 3;
};

// A device condition reported between `from` and `to` (an alarm's open..close; to may be
// INT64_MAX when still open).
struct DeviceCondition {
  std::string kind;  // magnetic_influence, reverse_flow, sensor_fault (others are ignored)
  std::int64_t from = 0, to = 0;
};

// Flags per interval of `point` (same length and order). `neighbours` are the other points of the
// same resource and level in the object, on the same boundaries.
std::vector<std::set<std::string>> validate_point(std::span<const PointInterval> point,
                                                  std::span<const std::vector<PointInterval>> neighbours,
                                                  std::span<const DeviceCondition> conditions,
                                                  const ValidationSettings& settings);

}  // namespace uchet::appserver
