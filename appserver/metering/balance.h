#pragma once
// The house balance of one resource: the building meters against the sum of the premise meters,
// interval by interval on the common grid. Pure; uses grid consumption only, never raw readings
// taken at different instants.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "appserver/metering/point_consumption.h"

namespace uchet::appserver {

struct PointRow {
  std::string name;
  std::vector<PointInterval> intervals;  // all points on the same boundaries
};

struct EstimatedPoint {
  std::string point;
  ValueSource rule;  // Linear or LikeDay
};

struct BalanceRow {
  std::int64_t start = 0, end = 0;
  std::optional<double> building;       // Σ building points; absent when any of them has no value
  double premises = 0;                  // Σ premise points with a value (measured or estimated)
  std::optional<double> imbalance;      // building − premises
  std::optional<double> imbalance_pct;  // imbalance / building × 100 (absent when building is 0)
  int premise_points = 0;
  int premise_points_measured = 0;        // coverage = measured / premise_points
  std::vector<EstimatedPoint> estimated;  // premise and building points whose value was estimated
  std::vector<std::string> missing;       // points with no value at all
  bool building_estimated = false;
};

std::vector<BalanceRow> house_balance(std::span<const PointRow> building, std::span<const PointRow> premises);

}  // namespace uchet::appserver
