#include "appserver/metering/object_balance.h"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "appserver/metering/point_data.h"
#include "schema/alarms.h"
#include "schema/balances.h"

namespace uchet::appserver {
namespace {

constexpr std::int64_t kDay = 86400;

}  // namespace

ObjectBalance object_balance(schema::Database& db, const schema::MeteringObject& object, const std::string& resource,
                             std::int64_t from, std::int64_t to, GridKind grid, const TimeZone& zone,
                             const BalanceSettings& settings) {
  EstimationSettings estimation;
  estimation.linear_max_gap_s = settings.linear_max_gap_s;
  estimation.max_gap_s = grid == GridKind::Day ? kDayMaxGap : kHourMaxGap;
  estimation.intervals_per_week = grid == GridKind::Day ? 7 : 168;

  // Like-day estimates and the spike check look back; the grid starts that much earlier and the
  // leading intervals are dropped from the result.
  const std::int64_t history = estimation.like_day_weeks * 7 * kDay + kDay;
  const auto boundaries =
      grid == GridKind::Day ? day_boundaries(zone, from - history, to) : hour_boundaries(from - history, to);
  const auto first =
      static_cast<std::size_t>(std::lower_bound(boundaries.begin(), boundaries.end(), from) - boundaries.begin());
  ObjectBalance result;
  if (boundaries.size() < first + 2) return result;

  struct Loaded {
    schema::MeteringPoint point;
    std::vector<PointInterval> intervals;  // with history
  };
  std::vector<Loaded> points;
  const std::int64_t margin = settings.linear_max_gap_s + kDay;
  for (auto& point : schema::list_points(db, object.id, resource)) {
    auto series = load_point_series(db, point, boundaries.front(), boundaries.back(), margin);
    auto intervals = point_consumption(series, boundaries, estimation);
    points.push_back({std::move(point), std::move(intervals)});
  }

  std::vector<PointRow> building, premises;
  for (const auto& p : points) {
    std::vector<std::vector<PointInterval>> neighbours;
    for (const auto& other : points)
      if (&other != &p && other.point.level == p.point.level) neighbours.push_back(other.intervals);
    const auto conditions = load_point_conditions(db, p.point, boundaries.front(), boundaries.back());
    const auto flags = validate_point(p.intervals, neighbours, conditions, settings.validation);
    std::vector<std::set<std::string>> kept(flags.begin() + static_cast<std::ptrdiff_t>(first), flags.end());
    if (std::any_of(kept.begin(), kept.end(), [](const auto& s) { return !s.empty(); }))
      result.flags[p.point.name] = std::move(kept);

    PointRow row{p.point.name, std::vector<PointInterval>(p.intervals.begin() + static_cast<std::ptrdiff_t>(first),
                                                          p.intervals.end())};
    result.points[p.point.name] = row.intervals;
    (p.point.level == "building" ? building : premises).push_back(std::move(row));
  }
  result.building_points = static_cast<int>(building.size());
  result.rows = house_balance(building, premises);
  return result;
}

namespace {

// True when the last `days` published days of this object and resource all exceeded the threshold.
bool sustained_imbalance(schema::Database& db, std::int64_t object_id, const std::string& resource, int days,
                         double threshold) {
  int above = 0;
  for (const auto& pct : schema::recent_imbalances(db, object_id, resource, days))
    if (pct && *pct > threshold) ++above;
  return above == days;
}

std::optional<ImbalanceChange> update_imbalance_alarm(schema::Database& db, const schema::MeteringObject& object,
                                                      const std::string& resource, const BalanceRow& row,
                                                      const BalanceSettings& settings) {
  if (!row.imbalance_pct) return std::nullopt;  // no building value: says nothing either way
  const auto open_id = schema::open_object_alarm_id(db, object.id, "imbalance", resource);

  if (!open_id && sustained_imbalance(db, object.id, resource, settings.alarm_days, settings.alarm_threshold_pct)) {
    schema::open_object_alarm(db, object.id, "imbalance", resource, row.end);
    return ImbalanceChange{true, row.end, *row.imbalance_pct};
  }
  if (open_id && *row.imbalance_pct <= settings.alarm_threshold_pct) {
    schema::close_object_alarm(db, *open_id, row.end);
    return ImbalanceChange{false, row.end, *row.imbalance_pct};
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> balanced_resources(schema::Database& db, std::int64_t object_id) {
  std::set<std::string> out;
  for (const auto& p : schema::list_points(db, object_id))
    if (p.level == "building") out.insert(p.resource);
  return {out.begin(), out.end()};
}

TimeZone object_time_zone(const schema::MeteringObject& object, const TimeZone& default_zone) {
  if (object.time_zone.empty()) return default_zone;
  auto loaded = TimeZone::load(object.time_zone);
  if (loaded) return *loaded;
  spdlog::warn("object {}: time zone {}: {}; using {}", object.name, object.time_zone, loaded.error(),
               default_zone.name());
  return default_zone;
}

std::vector<ClosedBalanceDay> close_balance_days(schema::Database& db, const schema::MeteringObject& object,
                                                 const std::string& resource, std::int64_t now, const TimeZone& zone,
                                                 const BalanceSettings& settings) {
  std::int64_t from;
  if (auto last = schema::last_balance_day(db, object.id, resource)) {
    from = zone.next_local_day(*last);
  } else {
    auto installed = schema::first_installation_at(db, object.id, resource);
    if (!installed) return {};
    const std::int64_t earliest = zone.start_of_local_day(now - settings.max_backfill_days * kDay);
    from = std::max(zone.start_of_local_day(*installed), earliest);
  }
  // The last closed day ends at `to`.
  std::int64_t to = from;
  while (zone.next_local_day(to) + settings.publish_delay_s <= now) to = zone.next_local_day(to);
  if (to == from) return {};

  std::vector<ClosedBalanceDay> days;
  const auto balance = object_balance(db, object, resource, from, to, GridKind::Day, zone, settings);
  for (const auto& row : balance.rows) {
    schema::insert_balance_day(db, object.id, resource, row.start, row.imbalance_pct);
    auto alarm = update_imbalance_alarm(db, object, resource, row, settings);
    days.push_back(ClosedBalanceDay{row, alarm});
  }
  return days;
}

}  // namespace uchet::appserver
