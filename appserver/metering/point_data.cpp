#include "appserver/metering/point_data.h"

#include "codecs/codec.h"
#include "schema/alarms.h"
#include "schema/devices.h"
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
  std::map<std::int64_t, GridPoint> values;
  for (const auto& [time, value] : schema::register_values(db, inst.dev_eui, quantity, point.resource, from, to)) {
    values[time] = {time, value};
  }
  // A manual value is the operator's correction: it wins over the raw one at the same instant.
  for (const auto& manual : schema::manual_readings(db, inst.dev_eui, quantity, from, to))
    values[manual.measured_at] = {manual.measured_at, manual.value, true};

  std::vector<GridPoint> out;
  out.reserve(values.size());
  for (const auto& [time, point] : values) out.push_back(point);
  return out;
}

std::optional<double> register_range(schema::Database& db, const schema::MeteringPoint& point, lorawan::Eui64 dev_eui) {
  const auto device = schema::find_device(db, dev_eui);
  if (!device) return std::nullopt;
  const auto& codec = codecs::behaviour(device->codec);
  return codec.register_range ? codec.register_range(register_quantity(point.resource)) : std::nullopt;
}

}  // namespace

std::vector<InstallationSeries> load_point_series(schema::Database& db, const schema::MeteringPoint& point,
                                                  std::int64_t from, std::int64_t to, std::int64_t margin_s) {
  std::vector<InstallationSeries> out;
  for (const auto& inst : installations_during(db, point, from, to)) {
    const std::int64_t lo = std::max(inst.installed_at, from - margin_s);
    const std::int64_t hi = std::min(span_end(inst), to + margin_s);
    out.push_back(InstallationSeries{inst.installed_at, inst.installed_reading, inst.removed_at, inst.removed_reading,
                                     register_readings(db, point, inst, lo, hi),
                                     register_range(db, point, inst.dev_eui)});
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
    // The status stored with each reading: the condition at that instant, so it marks the
    // intervals the reading bounds or lies in.
    for (const auto& [time, status] : schema::reading_statuses(db, inst.dev_eui, from, to)) {
      if (time < inst.installed_at || time > span_end(inst)) continue;
      std::size_t begin = 0;
      while (begin <= status.size()) {
        const std::size_t comma = std::min(status.find(',', begin), status.size());
        if (comma > begin) out.push_back({status.substr(begin, comma - begin), time - 1, time + 1});
        begin = comma + 1;
      }
    }
  }
  return out;
}

}  // namespace uchet::appserver
