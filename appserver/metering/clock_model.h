#pragma once
// Device clock model for KARAT-926LW modules, which stamp readings with their own clock (Unix s,
// 0 = never set). An observation pairs a device stamp with the network's estimate of the true
// instant the device stamped it: reception time (gateway GPS time when present, else server
// time) minus the frame's time on air; the caller computes that. Pure: time is passed in.
#include <cstdint>
#include <optional>

namespace uchet::appserver {

struct ClockObservation {
  std::int64_t device_time;  // Unix s by the device clock
  double network_time;       // Unix s (fractional) by the network, same moment
};

// device_time - network_time: positive when the device clock is fast.
double observed_offset(const ClockObservation& obs);

struct ClockState {
  std::optional<double> offset_s;  // absent until the first observation
  std::int64_t updated_at = 0;     // Unix s of the last update
  int observations = 0;            // observations merged since the last jump (1 = just reset)
};

// Observations further than this from the tracked offset mean the device clock was set or
// jumped, so the newest one replaces the estimate instead of being averaged into it.
inline constexpr double kClockJumpThreshold_s = 2.0;
// Weight of the newest observation in the exponential average: network timestamps jitter by
// up to ~1 s (server time, whole-second device stamps), and drift between uplinks is tiny, so
// halving the jitter each time while following drift within a few uplinks is enough.
inline constexpr double kClockSmoothing = 0.5;

ClockState update_clock(ClockState state, double observed_offset_s, std::int64_t now);

// The true time of a device stamp: round(device_time - offset).
std::int64_t corrected_time(std::int64_t device_time, double offset_s);
// For a device whose clock is unset: the reporting-period boundary (multiple of period_s since
// the epoch) nearest the network time; halfway rounds up. period_s must be > 0.
std::int64_t nearest_period_boundary(double network_time, std::int64_t period_s);
// |offset| > max_offset_s.
bool needs_correction(double offset_s, int max_offset_s);
// What the device must add to its clock: -round(offset).
std::int64_t correction_seconds(double offset_s);

}  // namespace uchet::appserver
