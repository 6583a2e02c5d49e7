#include "appserver/metering/point_data.h"

#include "schema/alarms.h"
#include "schema/readings.h"

#include <algorithm>
#include <limits>
#include <map>

namespace uchet::appserver {

std::string register_quantity(const std::string& resource) {
  return resource == "cold_water" || resource == "hot_water" ? "volume" : "energy";
}

namespace {

std::int64_t span_end(const schema::MeterInstallation& inst) {
  return inst.removed_at.value_or(std::numeric_limits<std::int64_t>::max());
}

// The point's installations whose span overlaps [from, to].
std::vector<schema::MeterInstallation> installations_during(schema::Database& db, const schema::MeteringPoint& point,
                                                            std::int64_t from, std::int64_t to) {
  auto all = schema::installations_of_point(db, point.id);
  std::erase_if(all, [&](const auto& inst) { return inst.installed_at > to || span_end(inst) < from; });
  return all;
}

std::vector<GridPoint> register_readings(schema::Database& db, const schema::MeteringPoint& point,
                                         const schema::MeterInstallation& inst, std::int64_t from, std::int64_t to) {
  const auto quantity = register_quantity(point.resource);
  std::map<std::int64_t, double> values;
  for (const auto& [time, value] : schema::register_values(db, inst.dev_eui, quantity, point.resource, from, to)) {
    values[time] = value;
  }
  // A manual value is the operator's correction: it wins over the raw one at the same instant.
  for (const auto& manual : schema::manual_readings(db, inst.dev_eui, quantity, from, to))
    values[manual.measured_at] = manual.value;

  std::vector<GridPoint> out;
  out.reserve(values.size());
  for (const auto& [time, value] : values) out.push_back({time, value});
  return out;
}

}  // namespace

std::vector<InstallationSeries> load_point_series(schema::Database& db, const schema::MeteringPoint& point,
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

std::vector<DeviceCondition> load_point_conditions(schema::Database& db, const schema::MeteringPoint& point,
                                                   std::int64_t from, std::int64_t to) {
  constexpr auto kOpen = std::numeric_limits<std::int64_t>::max();
  std::vector<DeviceCondition> out;
  for (const auto& inst : installations_during(db, point, from, to)) {
    for (const auto& alarm : schema::condition_alarms(db, inst.dev_eui, from, to)) {
      // Only while this meter measured this point.
      const std::int64_t begin = std::max(alarm.opened_at, inst.installed_at);
      const std::int64_t end = std::min(alarm.closed_at.value_or(kOpen), span_end(inst));
      if (begin < end) out.push_back({alarm.kind, begin, end});
    }
  }
  return out;
}

}  // namespace uchet::appserver
