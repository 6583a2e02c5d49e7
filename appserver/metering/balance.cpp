#include "appserver/metering/balance.h"

namespace uchet::appserver {

std::vector<BalanceRow> house_balance(std::span<const PointRow> building, std::span<const PointRow> premises) {
  std::size_t n = 0;
  for (const auto& p : building) n = std::max(n, p.intervals.size());
  for (const auto& p : premises) n = std::max(n, p.intervals.size());

  std::vector<BalanceRow> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    BalanceRow& row = rows[i];
    auto place = [&](const PointRow& point) -> const PointInterval* {
      if (i >= point.intervals.size()) return nullptr;
      const auto& iv = point.intervals[i];
      row.start = iv.start;
      row.end = iv.end;
      return &iv;
    };
    auto note_estimate = [&](const PointRow& point, const PointInterval& iv) {
      if (iv.source == ValueSource::Linear || iv.source == ValueSource::LikeDay)
        row.estimated.push_back({point.name, iv.source});
      if (!iv.consumption) row.missing.push_back(point.name);
    };

    double building_sum = 0;
    bool building_complete = !building.empty();
    for (const auto& point : building) {
      const auto* iv = place(point);
      if (!iv || !iv->consumption) {
        building_complete = false;
        if (iv)
          note_estimate(point, *iv);
        else
          row.missing.push_back(point.name);
        continue;
      }
      building_sum += *iv->consumption;
      if (iv->source != ValueSource::Measured) row.building_estimated = true;
      note_estimate(point, *iv);
    }
    if (building_complete) row.building = building_sum;

    row.premise_points = static_cast<int>(premises.size());
    for (const auto& point : premises) {
      const auto* iv = place(point);
      if (!iv) {
        row.missing.push_back(point.name);
        continue;
      }
      if (iv->consumption) row.premises += *iv->consumption;
      if (iv->source == ValueSource::Measured) ++row.premise_points_measured;
      note_estimate(point, *iv);
    }

    if (row.building) {
      row.imbalance = *row.building - row.premises;
      if (*row.building != 0) row.imbalance_pct = *row.imbalance / *row.building * 100.0;
    }
  }
  return rows;
}

}  // namespace uchet::appserver
