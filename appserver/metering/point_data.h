#pragma once
// Loads what the pure metering-domain rules need from storage: a metering point's installation
// history with each meter's register readings (raw readings merged with manual ones; a manual
// value replaces the raw one at the same instant, the raw row stays), and the point's device
// conditions. The register of a point is quantity `volume` for water and `energy` for heat and
// electricity, of the reading rows whose resource matches the point (lowest channel, current
// value, tariff 0).
#include <cstdint>
#include <string>
#include <vector>

#include "appserver/metering/point_consumption.h"
#include "appserver/metering/validation.h"
#include "schema/database.h"
#include "schema/objects.h"

namespace uchet::appserver {

std::string register_quantity(const std::string& resource);  // "volume" or "energy"

// Installations of the point overlapping [from, to], with readings from `from - margin` to
// `to + margin` (margin: enough for interpolation across the boundaries).
std::vector<InstallationSeries> load_point_series(schema::Database& db, const schema::MeteringPoint& point,
                                                  std::int64_t from, std::int64_t to, std::int64_t margin_s);

// Device conditions (magnetic_influence, reverse_flow, sensor_fault alarms, and the status stored
// with each reading, marking the intervals that reading bounds or lies in) of the meters installed at the point,
// overlapping [from, to]. Manual readings are marked `manual` in the series; each installation's
// register range comes from its device's codec (codecs::CodecBehaviour::register_range).
std::vector<DeviceCondition> load_point_conditions(schema::Database& db, const schema::MeteringPoint& point,
                                                   std::int64_t from, std::int64_t to);

}  // namespace uchet::appserver
