#include "appserver/metering/clock_model.h"

#include <cmath>

namespace uchet::appserver {

double observed_offset(const ClockObservation& obs) { return static_cast<double>(obs.device_time) - obs.network_time; }

ClockState update_clock(ClockState state, double observed_offset_s, std::int64_t now) {
  if (!state.offset_s || std::abs(observed_offset_s - *state.offset_s) > kClockJumpThreshold_s) {
    state.offset_s = observed_offset_s;
    state.observations = 1;
  } else {
    state.offset_s = *state.offset_s + kClockSmoothing * (observed_offset_s - *state.offset_s);
    ++state.observations;
  }
  state.updated_at = now;
  return state;
}

std::int64_t corrected_time(std::int64_t device_time, double offset_s) {
  return std::llround(static_cast<double>(device_time) - offset_s);
}

std::int64_t nearest_period_boundary(double network_time, std::int64_t period_s) {
  const double periods = std::floor(network_time / static_cast<double>(period_s) + 0.5);
  return static_cast<std::int64_t>(periods) * period_s;
}

bool needs_correction(double offset_s, int max_offset_s) { return std::abs(offset_s) > max_offset_s; }

std::int64_t correction_seconds(double offset_s) { return -std::llround(offset_s); }

}  // namespace uchet::appserver
