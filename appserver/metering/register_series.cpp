#include "appserver/metering/register_series.h"

namespace uchet::appserver {

bool register_overflowed(double previous, double value, std::optional<double> range) {
  if (!range || *range <= 0 || value >= previous) return false;
  return value + *range - previous < previous - value;
}

RegisterSeries clean_register(std::span<const GridPoint> readings, std::optional<double> range) {
  RegisterSeries out;
  out.points.reserve(readings.size());
  double offset = 0;  // ranges added by overflows so far
  for (std::size_t i = 0; i < readings.size(); ++i) {
    GridPoint p = readings[i];
    p.value += offset;
    if (out.points.empty() || p.value >= out.points.back().value) {
      out.points.push_back(p);
      continue;
    }
    const double previous = out.points.back().value;
    const bool has_next = i + 1 < readings.size();
    const double next = has_next ? readings[i + 1].value + offset : 0;
    // The next reading settles it: back on the old series means this one was misread.
    if (has_next && next >= previous) {
      out.glitches.push_back(p.time);
      continue;
    }
    // An overflow the next reading confirms (it continues from the small value, not the old one).
    if (register_overflowed(previous, p.value, range) && (!has_next || next >= p.value)) {
      offset += *range;
      p.value += *range;
      out.overflows.push_back(p.time);
    }
    out.points.push_back(p);
  }
  return out;
}

}  // namespace uchet::appserver
