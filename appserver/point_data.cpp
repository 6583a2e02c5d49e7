#include "appserver/point_data.h"

#include "netserver/lorawan/encoding.h"

#include <algorithm>
#include <limits>
#include <map>

namespace uchet::appserver {

std::string register_quantity(const std::string& resource) {
  return resource == "cold_water" || resource == "hot_water" ? "volume" : "energy";
}

namespace {

std::int64_t span_end(const storage::MeterInstallation& inst) {
  return inst.removed_at.value_or(std::numeric_limits<std::int64_t>::max());
}

// The point's installations whose span overlaps [from, to].
std::vector<storage::MeterInstallation> installations_during(storage::Database& db, const storage::MeteringPoint& point,
                                                              std::int64_t from, std::int64_t to) {
  auto all = storage::installations_of_point(db, point.id);
  std::erase_if(all, [&](const auto& inst) { return inst.installed_at > to || span_end(inst) < from; });
  return all;
}

std::vector<GridPoint> register_readings(storage::Database& db, const storage::MeteringPoint& point,
                                         const storage::MeterInstallation& inst, std::int64_t from, std::int64_t to) {
  const auto quantity = register_quantity(point.resource);
  const auto dev_eui = lorawan::eui64_to_string(inst.dev_eui);
  // Ordered by channel first: only the lowest channel carrying this resource is the register.
  storage::Statement q(db,
                       "SELECT channel, measured_at, value FROM reading WHERE dev_eui = ? AND quantity = ? AND resource = ? "
                       "AND storage = 0 AND tariff = 0 AND measured_at BETWEEN ? AND ? ORDER BY channel, measured_at");
  q.bind(1, dev_eui).bind(2, quantity).bind(3, point.resource).bind(4, from).bind(5, to);
  std::map<std::int64_t, double> values;
  std::optional<std::int64_t> channel;
  while (q.step()) {
    if (channel && *channel != q.int64(0)) break;
    channel = q.int64(0);
    values[q.int64(1)] = q.real(2);
  }
  // A manual value is the operator's correction: it wins over the raw one at the same instant.
  for (const auto& manual : storage::manual_readings(db, inst.dev_eui, quantity, from, to)) values[manual.measured_at] = manual.value;

  std::vector<GridPoint> out;
  out.reserve(values.size());
  for (const auto& [time, value] : values) out.push_back({time, value});
  return out;
}

}  // namespace

std::vector<InstallationSeries> load_point_series(storage::Database& db, const storage::MeteringPoint& point,
                                                  std::int64_t from, std::int64_t to, std::int64_t margin_s) {
  std::vector<InstallationSeries> out;
  for (const auto& inst : installations_during(db, point, from, to)) {
    const std::int64_t lo = std::max(inst.installed_at, from - margin_s);
    const std::int64_t hi = std::min(span_end(inst), to + margin_s);
    out.push_back(InstallationSeries{inst.installed_at, inst.installed_reading, inst.removed_at, inst.removed_reading,
                                     register_readings(db, point, inst, lo, hi)});
  }
  return out;
}

std::vector<DeviceCondition> load_point_conditions(storage::Database& db, const storage::MeteringPoint& point,
                                                   std::int64_t from, std::int64_t to) {
  constexpr auto kOpen = std::numeric_limits<std::int64_t>::max();
  std::vector<DeviceCondition> out;
  for (const auto& inst : installations_during(db, point, from, to)) {
    storage::Statement q(db,
                         "SELECT kind, opened_at, closed_at FROM alarm WHERE dev_eui = ? "
                         "AND kind IN ('magnetic_influence', 'reverse_flow', 'sensor_fault') "
                         "AND opened_at <= ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY opened_at");
    q.bind(1, lorawan::eui64_to_string(inst.dev_eui)).bind(2, to).bind(3, from);
    while (q.step()) {
      // Only while this meter measured this point.
      const std::int64_t begin = std::max(q.int64(1), inst.installed_at);
      const std::int64_t end = std::min(q.optional_int64(2).value_or(kOpen), span_end(inst));
      if (begin < end) out.push_back({q.text(0), begin, end});
    }
  }
  return out;
}

}  // namespace uchet::appserver
