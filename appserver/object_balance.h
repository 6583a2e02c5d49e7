#pragma once
// The house balance of an object from storage: loads every metering point of one resource with
// its installation history, puts them on the object's grid with technical estimation and
// validation, and balances building against premises (appserver/balance.h). Also the daemon's
// daily job: each closed day per object and resource is published once as
// `object/{objectName}/event/balance`, and an `imbalance` alarm is opened on the object after
// `alarm_days` consecutive days above `alarm_threshold_pct` (closed by the first day below it).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "appserver/balance.h"
#include "appserver/time_zone.h"
#include "appserver/validation.h"
#include "schema/database.h"
#include "schema/objects.h"

namespace uchet::appserver {

enum class GridKind { Day, Hour };

struct BalanceSettings {
  double alarm_threshold_pct = 10;
  int alarm_days = 2;
  std::int64_t publish_delay_s = 6 * 3600;  // a day is closed this long after it ended
  int max_backfill_days = 35;               // how far back the daemon publishes on its first run
  std::int64_t linear_max_gap_s = 3 * 86400;
  ValidationSettings validation;
};

struct ObjectBalance {
  std::vector<BalanceRow> rows;
  // Validation flags per point name, one set per row (only points with any flag).
  std::map<std::string, std::vector<std::set<std::string>>> flags;
  // Every point's intervals (consumption, estimate rule), one per row, by point name.
  std::map<std::string, std::vector<PointInterval>> points;
  int building_points = 0;
};

// Balance over the grid boundaries in [from, to] (both inclusive) in the object's zone.
ObjectBalance object_balance(storage::Database& db, const storage::MeteringObject& object, const std::string& resource,
                             std::int64_t from, std::int64_t to, GridKind grid, const TimeZone& zone,
                             const BalanceSettings& settings);

// One row as JSON (times as ISO 8601 in `zone`); also the payload of the balance event.
nlohmann::json balance_row_json(const BalanceRow& row, const TimeZone& zone);

// The daemon's job: publishes every closed, not yet published day and updates imbalance alarms,
// each object and resource in a transaction of its own (call it outside any transaction; a
// failing one is logged and retried on the next call). `default_zone` is used for objects
// without a time zone. Returns the number of days published.
int publish_closed_balances(storage::Database& db, std::int64_t now, const TimeZone& default_zone,
                            const BalanceSettings& settings);

}  // namespace uchet::appserver
