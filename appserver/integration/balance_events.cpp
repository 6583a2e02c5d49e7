#include "appserver/integration/balance_events.h"

#include <cmath>

#include <spdlog/spdlog.h>

#include "appserver/integration/outbox.h"
#include "common/json_writer.h"

namespace uchet::appserver {
namespace {

using common::JsonWriter;

// Six decimals: below a millilitre of water, and free of binary-fraction noise in the JSON.
double rounded(double v) { return std::round(v * 1e6) / 1e6; }

void optional_number(JsonWriter& j, const std::optional<double>& v) {
  if (v)
    j.number(rounded(*v));
  else
    j.null();
}

// The row's members, into an object the caller opened.
void write_row_members(JsonWriter& j, const BalanceRow& row, const TimeZone& zone) {
  j.key("building");
  optional_number(j, row.building);
  j.key("buildingEstimated").boolean(row.building_estimated);
  j.key("coverage").begin_object();
  j.key("measured").number(row.premise_points_measured);
  j.key("pct");
  if (row.premise_points)
    j.number(rounded(100.0 * row.premise_points_measured / row.premise_points));
  else
    j.null();
  j.key("points").number(row.premise_points);
  j.end_object();
  j.key("end").string(zone.format_iso8601(row.end));
  j.key("estimated").begin_array();
  for (const auto& e : row.estimated) {
    j.begin_object();
    j.key("point").string(e.point);
    j.key("rule").string(name(e.rule));
    j.end_object();
  }
  j.end_array();
  j.key("imbalance");
  optional_number(j, row.imbalance);
  j.key("imbalancePct");
  optional_number(j, row.imbalance_pct);
  j.key("missing").begin_array();
  for (const auto& m : row.missing) j.string(m);
  j.end_array();
  j.key("premises").number(rounded(row.premises));
  j.key("start").string(zone.format_iso8601(row.start));
}

}  // namespace

std::string balance_row_json(const BalanceRow& row, const TimeZone& zone) {
  JsonWriter j;
  j.begin_object();
  write_row_members(j, row, zone);
  j.end_object();
  return j.str();
}

std::string balance_event_json(std::string_view object_name, std::string_view resource, const BalanceRow& row,
                               const TimeZone& zone) {
  JsonWriter j;
  j.begin_object();
  write_row_members(j, row, zone);
  j.key("grid").string("day");
  j.key("object").string(object_name);
  j.key("resource").string(resource);
  j.end_object();
  return j.str();
}

std::string imbalance_event_json(std::string_view object_name, std::string_view resource, const ImbalanceChange& change,
                                 double threshold_pct) {
  JsonWriter j;
  j.begin_object();
  j.key("imbalancePct").number(rounded(change.imbalance_pct));
  j.key("kind").string("imbalance");
  j.key("object").string(object_name);
  j.key("resource").string(resource);
  j.key("state").string(change.opened ? "opened" : "closed");
  j.key("thresholdPct").number(threshold_pct);
  j.key("time").number(change.time);
  j.end_object();
  return j.str();
}

int publish_closed_balances(schema::Database& db, std::int64_t now, const TimeZone& default_zone,
                            const BalanceSettings& settings) {
  int published = 0;
  for (const auto& object : schema::list_objects(db)) {
    const TimeZone zone = object_time_zone(object, default_zone);
    for (const auto& resource : balanced_resources(db, object.id)) {
      // One transaction per object and resource: the days, their events and the alarm change are
      // stored together, and one object's failure does not hold back the others.
      try {
        schema::Transaction tx(db);
        const auto days = close_balance_days(db, object, resource, now, zone, settings);
        for (const auto& day : days) {
          enqueue_event(db, object_event_topic(object.name, "balance"),
                        balance_event_json(object.name, resource, day.row, zone));
          if (day.alarm) {
            enqueue_event(db, object_event_topic(object.name, "alarm"),
                          imbalance_event_json(object.name, resource, *day.alarm, settings.alarm_threshold_pct));
          }
        }
        tx.commit();
        published += static_cast<int>(days.size());
      } catch (const std::exception& e) {
        spdlog::error("house balance of {} ({}) not published: {}", object.name, resource, e.what());
      }
    }
  }
  return published;
}

}  // namespace uchet::appserver
