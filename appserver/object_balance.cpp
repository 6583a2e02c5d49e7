#include "appserver/object_balance.h"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "appserver/outbox.h"
#include "appserver/point_data.h"
#include "schema/alarms.h"
#include "schema/balances.h"

namespace uchet::appserver {
namespace {

constexpr std::int64_t kDay = 86400;

// Six decimals: below a millilitre of water, and free of binary-fraction noise in the JSON.
double rounded(double v) { return std::round(v * 1e6) / 1e6; }

nlohmann::json optional_number(const std::optional<double>& v) { return v ? nlohmann::json(rounded(*v)) : nlohmann::json(); }

}  // namespace

ObjectBalance object_balance(storage::Database& db, const storage::MeteringObject& object, const std::string& resource,
                             std::int64_t from, std::int64_t to, GridKind grid, const TimeZone& zone,
                             const BalanceSettings& settings) {
  EstimationSettings estimation;
  estimation.linear_max_gap_s = settings.linear_max_gap_s;
  estimation.max_gap_s = grid == GridKind::Day ? kDayMaxGap : kHourMaxGap;
  estimation.intervals_per_week = grid == GridKind::Day ? 7 : 168;

  // Like-day estimates and the spike check look back; the grid starts that much earlier and the
  // leading intervals are dropped from the result.
  const std::int64_t history = estimation.like_day_weeks * 7 * kDay + kDay;
  const auto boundaries = grid == GridKind::Day ? day_boundaries(zone, from - history, to) : hour_boundaries(from - history, to);
  const auto first = static_cast<std::size_t>(std::lower_bound(boundaries.begin(), boundaries.end(), from) - boundaries.begin());
  ObjectBalance result;
  if (boundaries.size() < first + 2) return result;

  struct Loaded {
    storage::MeteringPoint point;
    std::vector<PointInterval> intervals;  // with history
  };
  std::vector<Loaded> points;
  const std::int64_t margin = settings.linear_max_gap_s + kDay;
  for (auto& point : storage::list_points(db, object.id, resource)) {
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
    if (std::any_of(kept.begin(), kept.end(), [](const auto& s) { return !s.empty(); })) result.flags[p.point.name] = std::move(kept);

    PointRow row{p.point.name, std::vector<PointInterval>(p.intervals.begin() + static_cast<std::ptrdiff_t>(first), p.intervals.end())};
    result.points[p.point.name] = row.intervals;
    (p.point.level == "building" ? building : premises).push_back(std::move(row));
  }
  result.building_points = static_cast<int>(building.size());
  result.rows = house_balance(building, premises);
  return result;
}

nlohmann::json balance_row_json(const BalanceRow& row, const TimeZone& zone) {
  nlohmann::json estimated = nlohmann::json::array();
  for (const auto& e : row.estimated) estimated.push_back({{"point", e.point}, {"rule", name(e.rule)}});
  nlohmann::json coverage = {{"measured", row.premise_points_measured}, {"points", row.premise_points}};
  coverage["pct"] = row.premise_points ? nlohmann::json(rounded(100.0 * row.premise_points_measured / row.premise_points))
                                       : nlohmann::json();
  return {{"start", zone.format_iso8601(row.start)},
          {"end", zone.format_iso8601(row.end)},
          {"building", optional_number(row.building)},
          {"buildingEstimated", row.building_estimated},
          {"premises", rounded(row.premises)},
          {"imbalance", optional_number(row.imbalance)},
          {"imbalancePct", optional_number(row.imbalance_pct)},
          {"coverage", coverage},
          {"estimated", estimated},
          {"missing", row.missing}};
}

namespace {

// True when the last `days` published days of this object and resource all exceeded the threshold.
bool sustained_imbalance(storage::Database& db, std::int64_t object_id, const std::string& resource, int days, double threshold) {
  int above = 0;
  for (const auto& pct : storage::recent_imbalances(db, object_id, resource, days))
    if (pct && *pct > threshold) ++above;
  return above == days;
}

void update_imbalance_alarm(storage::Database& db, const storage::MeteringObject& object, const std::string& resource,
                            const BalanceRow& row, const BalanceSettings& settings) {
  if (!row.imbalance_pct) return;  // no building value: says nothing either way
  const auto open_id = storage::open_object_alarm_id(db, object.id, "imbalance", resource);

  const std::string topic = "object/" + object.name + "/event/alarm";
  nlohmann::json event = {{"object", object.name}, {"kind", "imbalance"}, {"resource", resource},
                          {"imbalancePct", rounded(*row.imbalance_pct)}, {"thresholdPct", settings.alarm_threshold_pct}};
  if (!open_id && sustained_imbalance(db, object.id, resource, settings.alarm_days, settings.alarm_threshold_pct)) {
    storage::open_object_alarm(db, object.id, "imbalance", resource, row.end);
    event["state"] = "opened";
    event["time"] = row.end;
    enqueue_event(db, topic, event.dump());
  } else if (open_id && *row.imbalance_pct <= settings.alarm_threshold_pct) {
    storage::close_object_alarm(db, *open_id, row.end);
    event["state"] = "closed";
    event["time"] = row.end;
    enqueue_event(db, topic, event.dump());
  }
}

std::vector<std::string> balanced_resources(storage::Database& db, std::int64_t object_id) {
  std::set<std::string> out;
  for (const auto& p : storage::list_points(db, object_id))
    if (p.level == "building") out.insert(p.resource);
  return {out.begin(), out.end()};
}

}  // namespace

namespace {

// Publishes the closed days of one object and resource; returns how many.
int publish_object_resource(storage::Database& db, const storage::MeteringObject& object, const std::string& resource,
                            std::int64_t now, const TimeZone& zone, const BalanceSettings& settings) {
  std::int64_t from;
  if (auto last = storage::last_balance_day(db, object.id, resource)) {
    from = zone.next_local_day(*last);
  } else {
    auto installed = storage::first_installation_at(db, object.id, resource);
    if (!installed) return 0;
    const std::int64_t earliest = zone.start_of_local_day(now - settings.max_backfill_days * kDay);
    from = std::max(zone.start_of_local_day(*installed), earliest);
  }
  // The last closed day ends at `to`.
  std::int64_t to = from;
  while (zone.next_local_day(to) + settings.publish_delay_s <= now) to = zone.next_local_day(to);
  if (to == from) return 0;

  int published = 0;
  const auto balance = object_balance(db, object, resource, from, to, GridKind::Day, zone, settings);
  for (const auto& row : balance.rows) {
    storage::insert_balance_day(db, object.id, resource, row.start, row.imbalance_pct);
    auto event = balance_row_json(row, zone);
    event["object"] = object.name;
    event["resource"] = resource;
    event["grid"] = "day";
    enqueue_event(db, "object/" + object.name + "/event/balance", event.dump());
    update_imbalance_alarm(db, object, resource, row, settings);
    ++published;
  }
  return published;
}

}  // namespace

int publish_closed_balances(storage::Database& db, std::int64_t now, const TimeZone& default_zone,
                            const BalanceSettings& settings) {
  int published = 0;
  for (const auto& object : storage::list_objects(db)) {
    TimeZone zone = default_zone;
    if (!object.time_zone.empty()) {
      auto loaded = TimeZone::load(object.time_zone);
      if (loaded) zone = *loaded;
      else spdlog::warn("object {}: time zone {}: {}; using {}", object.name, object.time_zone, loaded.error(), default_zone.name());
    }
    for (const auto& resource : balanced_resources(db, object.id)) {
      // One transaction per object and resource: the days, their events and the alarm change are
      // stored together, and one object's failure does not hold back the others.
      try {
        storage::Transaction tx(db);
        const int days = publish_object_resource(db, object, resource, now, zone, settings);
        tx.commit();
        published += days;
      } catch (const std::exception& e) {
        spdlog::error("house balance of {} ({}) not published: {}", object.name, resource, e.what());
      }
    }
  }
  return published;
}

}  // namespace uchet::appserver
