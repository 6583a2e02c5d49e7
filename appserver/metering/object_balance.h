#pragma once
// The house balance of an object from storage: loads every metering point of one resource with
// its installation history, puts them on the object's grid with technical estimation and
// validation, and balances building against premises (appserver/metering/balance.h). Also the
// storage side of the daemon's daily job: each closed day per object and resource is recorded
// once (balance_day), and an `imbalance` alarm is opened on the object after `alarm_days`
// consecutive days above `alarm_threshold_pct` (closed by the first day below it). Announcing
// them is integration/balance_events.h's job; nothing here publishes.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "appserver/metering/balance.h"
#include "appserver/metering/time_zone.h"
#include "appserver/metering/validation.h"
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
ObjectBalance object_balance(schema::Database& db, const schema::MeteringObject& object, const std::string& resource,
                             std::int64_t from, std::int64_t to, GridKind grid, const TimeZone& zone,
                             const BalanceSettings& settings);

// An object's imbalance alarm opened or closed by a closed day.
struct ImbalanceChange {
  bool opened = true;     // false: closed
  std::int64_t time = 0;  // the day's end
  double imbalance_pct = 0;
};

struct ClosedBalanceDay {
  BalanceRow row;
  std::optional<ImbalanceChange> alarm;
};

// The resources the object has a building metering point for (the ones it is balanced in).
std::vector<std::string> balanced_resources(schema::Database& db, std::int64_t object_id);

// The object's own time zone, else `default_zone` (a zone that does not load is logged).
TimeZone object_time_zone(const schema::MeteringObject& object, const TimeZone& default_zone);

// Records every closed day of one object and resource not recorded yet (from the last recorded
// day, else from the first installation, at most `max_backfill_days` back) and updates the
// imbalance alarm after each; returns the days in order, for announcing. Call it inside the
// caller's transaction: the days, their alarm changes and their events belong together.
std::vector<ClosedBalanceDay> close_balance_days(schema::Database& db, const schema::MeteringObject& object,
                                                 const std::string& resource, std::int64_t now, const TimeZone& zone,
                                                 const BalanceSettings& settings);

}  // namespace uchet::appserver
