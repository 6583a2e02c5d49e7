#include "appserver/metering/validation.h"

#include <string_view>

namespace uchet::appserver {
namespace {

bool measured(const PointInterval& iv) { return iv.source == ValueSource::Measured && iv.consumption.has_value(); }

// Only measured intervals are judged: an estimate is already flagged `gap`, and calling it a spike
// would blame the meter for the estimator's guess.
bool spike(std::span<const PointInterval> point, std::size_t i, const ValidationSettings& settings) {
  if (!measured(point[i])) return false;
  double total = 0;
  int count = 0;
  // The previous spike_window measured intervals, skipping unmeasured ones, so that a gap just
  // before a burst of consumption does not hide it.
  for (std::size_t j = i; j-- > 0 && count < settings.spike_window;) {
    if (!measured(point[j])) continue;
    total += *point[j].consumption;
    ++count;
  }
  // Fewer than three intervals say too little about normal use; a mean of zero would make any
  // consumption after a vacant period a spike.
  if (count < 3) return false;
  const double mean = total / count;
  return mean > 0 && *point[i].consumption > settings.spike_factor * mean;
}

// A zero from this meter is suspicious only when the building was in use: at least half of the
// neighbours that measured the interval consumed in it. Estimated neighbour values are not
// evidence of use, and with no measured neighbour at all there is nothing to compare against.
bool neighbours_consumed(std::span<const std::vector<PointInterval>> neighbours, std::size_t i) {
  int with_data = 0, consumed = 0;
  for (const auto& n : neighbours) {
    if (i >= n.size() || !measured(n[i])) continue;
    ++with_data;
    if (*n[i].consumption > 0) ++consumed;
  }
  return with_data > 0 && 2 * consumed >= with_data;
}

void flag_frozen(std::span<const PointInterval> point, std::span<const std::vector<PointInterval>> neighbours,
                 int frozen_intervals, std::vector<std::set<std::string>>& flags) {
  if (frozen_intervals < 1) return;
  std::size_t run_start = 0, run = 0;
  for (std::size_t i = 0; i <= point.size(); ++i) {
    const bool stuck =
        i < point.size() && measured(point[i]) && *point[i].consumption == 0 && neighbours_consumed(neighbours, i);
    if (stuck) {
      if (run++ == 0) run_start = i;
      continue;
    }
    if (run >= static_cast<std::size_t>(frozen_intervals))
      for (std::size_t j = run_start; j < run_start + run; ++j) flags[j].insert("frozen");
    run = 0;
  }
}

bool reported_condition(std::string_view kind) {
  return kind == "magnetic_influence" || kind == "reverse_flow" || kind == "sensor_fault";
}

}  // namespace

std::vector<std::set<std::string>> validate_point(std::span<const PointInterval> point,
                                                  std::span<const std::vector<PointInterval>> neighbours,
                                                  std::span<const DeviceCondition> conditions,
                                                  const ValidationSettings& settings) {
  std::vector<std::set<std::string>> flags(point.size());
  for (std::size_t i = 0; i < point.size(); ++i) {
    const PointInterval& iv = point[i];
    if (iv.source != ValueSource::Measured) flags[i].insert("gap");
    if (iv.register_rollback) flags[i].insert("register_rollback");
    if (iv.register_glitch) flags[i].insert("register_glitch");
    if (iv.register_overflow) flags[i].insert("register_overflow");
    if (iv.manual) flags[i].insert("manual");
    if (iv.source == ValueSource::Linear || iv.source == ValueSource::LikeDay)
      flags[i].insert(iv.scaled ? "scaled" : "unscaled");
    if (spike(point, i, settings)) flags[i].insert("spike");
    for (const auto& c : conditions)
      if (reported_condition(c.kind) && c.from < iv.end && c.to > iv.start) flags[i].insert(c.kind);
  }
  flag_frozen(point, neighbours, settings.frozen_intervals, flags);
  return flags;
}

}  // namespace uchet::appserver
