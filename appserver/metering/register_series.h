#pragma once
// The register of one meter installation as every rule reads it (grid, balance, billing): the
// operator's installation and removal values at the ends, the device's readings in between, and
// two facts applied to those readings before anything is subtracted. Pure.
//
//   glitch    one reading below the one before it while the next reading continues the old
//             series (next >= the one before): a misread, not water. It is dropped from the
//             series (the raw row stays in storage) and reported, so the intervals around it are
//             bridged like a lost reading and never gain or lose consumption because of it.
//   overflow  a reading below the one before it on a register whose range is known (it counts
//             modulo `range`, e.g. 2^32 litres), where going forward through the maximum is the
//             shorter way (cur + range − prev < prev − cur) and the next reading, when there is
//             one, continues from the new value: this and every later value is unwrapped by
//             adding the range, so consumption across the overflow is counted.
//
// A meter replacement needs no rule here: each installation is its own series, and the point
// adds their shares (point_consumption.h). Any other decrease stays in the series and is the
// rollback the grid reports: it has no consumption and is never estimated.
// A dip on the newest reading cannot be told from a restart until the next one arrives; it is a
// rollback until then.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "appserver/metering/grid.h"

namespace uchet::appserver {

struct RegisterSeries {
  std::vector<GridPoint> points;        // sorted by time, unique times, glitches dropped, unwrapped
  std::vector<std::int64_t> glitches;   // times of dropped readings
  std::vector<std::int64_t> overflows;  // times of the first reading after each overflow
};

// `readings` sorted by time with unique times. `range` absent or <= 0: not known (no overflow is
// recognised).
RegisterSeries clean_register(std::span<const GridPoint> readings, std::optional<double> range);

// Whether `value` after `previous` is an overflow of a register of that range (the shorter way
// round is forward through the maximum). The store uses it to tell a rollback from an overflow
// when a reading arrives.
bool register_overflowed(double previous, double value, std::optional<double> range);

}  // namespace uchet::appserver
