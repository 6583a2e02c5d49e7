#include "schema/alarms.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {

std::optional<std::int64_t> open_alarm_id(Database& db, lorawan::Eui64 dev_eui, std::string_view kind) {
  Statement q(db, "SELECT id FROM alarm WHERE dev_eui = ? AND kind = ? AND closed_at IS NULL");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, kind);
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

std::int64_t open_alarm(Database& db, lorawan::Eui64 dev_eui, std::string_view kind, std::int64_t opened_at,
                        std::optional<std::int64_t> frame_id) {
  Statement insert(db, "INSERT INTO alarm (dev_eui, kind, opened_at, open_frame_id) VALUES (?, ?, ?, ?) RETURNING id");
  insert.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, kind).bind(3, opened_at).bind(4, frame_id);
  return inserted_id(insert);
}

void close_alarm(Database& db, std::int64_t id, std::int64_t closed_at, std::int64_t frame_id) {
  Statement(db, "UPDATE alarm SET closed_at = ?, close_frame_id = ? WHERE id = ?")
      .bind(1, closed_at)
      .bind(2, frame_id)
      .bind(3, id)
      .run();
}

std::unordered_set<lorawan::Eui64> devices_with_open_alarm(Database& db, std::string_view kind) {
  std::unordered_set<lorawan::Eui64> out;
  Statement q(db, "SELECT DISTINCT dev_eui FROM alarm WHERE kind = ? AND closed_at IS NULL");
  q.bind(1, kind);
  while (q.step()) {
    if (auto eui = lorawan::parse_eui64(q.text(0))) out.insert(*eui);
  }
  return out;
}

std::vector<SilenceCandidate> devices_without_open_alarm(Database& db, std::string_view kind,
                                                         std::int64_t default_period_s) {
  // Last uplink per device from the frame archive. The correlated MAX is one step down the
  // (dev_eui, received_at_ms) index per device, where a join with GROUP BY would read every
  // archived frame each minute.
  Statement q(
      db,
      "SELECT d.dev_eui, (SELECT MAX(f.received_at_ms) FROM uplink_frame f WHERE f.dev_eui = d.dev_eui) / 1000, "
      "COALESCE(c.reporting_period_s, ?) "
      "FROM device d LEFT JOIN device_clock c ON c.dev_eui = d.dev_eui "
      "WHERE NOT EXISTS (SELECT 1 FROM alarm a WHERE a.dev_eui = d.dev_eui AND a.kind = ? AND a.closed_at IS NULL)");
  q.bind(1, default_period_s).bind(2, kind);
  std::vector<SilenceCandidate> out;
  while (q.step()) out.push_back({lorawan::parse_eui64(q.text(0)).value_or(0), q.optional_int64(1), q.int64(2)});
  return out;
}

std::vector<AlarmSpan> condition_alarms(Database& db, lorawan::Eui64 dev_eui, std::int64_t from, std::int64_t to) {
  Statement q(db,
              "SELECT kind, opened_at, closed_at FROM alarm WHERE dev_eui = ? "
              "AND kind IN ('magnetic_influence', 'reverse_flow', 'sensor_fault') "
              "AND opened_at <= ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY opened_at");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, to).bind(3, from);
  std::vector<AlarmSpan> out;
  while (q.step()) out.push_back({q.text(0), q.int64(1), q.optional_int64(2)});
  return out;
}

std::vector<DeviceAlarm> list_alarms(Database& db, std::string_view dev_eui, std::int64_t since, bool open_only) {
  Statement q(db,
              "SELECT id, dev_eui, kind, opened_at, closed_at FROM alarm WHERE (? = '' OR dev_eui = ?) "
              "AND opened_at >= ? AND (? = 0 OR closed_at IS NULL) ORDER BY opened_at, id");
  q.bind(1, dev_eui).bind(2, dev_eui).bind(3, since).bind(4, open_only ? 1 : 0);
  std::vector<DeviceAlarm> out;
  while (q.step()) out.push_back({q.int64(0), q.text(1), q.text(2), q.int64(3), q.optional_int64(4)});
  return out;
}

std::optional<std::int64_t> open_object_alarm_id(Database& db, std::int64_t object_id, std::string_view kind,
                                                 std::string_view resource) {
  Statement q(db,
              "SELECT id FROM object_alarm WHERE object_id = ? AND kind = ? AND resource = ? AND closed_at IS NULL");
  q.bind(1, object_id).bind(2, kind).bind(3, resource);
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

void open_object_alarm(Database& db, std::int64_t object_id, std::string_view kind, std::string_view resource,
                       std::int64_t opened_at) {
  Statement(db, "INSERT INTO object_alarm (object_id, kind, resource, opened_at) VALUES (?, ?, ?, ?)")
      .bind(1, object_id)
      .bind(2, kind)
      .bind(3, resource)
      .bind(4, opened_at)
      .run();
}

void close_object_alarm(Database& db, std::int64_t id, std::int64_t closed_at) {
  Statement(db, "UPDATE object_alarm SET closed_at = ? WHERE id = ?").bind(1, closed_at).bind(2, id).run();
}

std::vector<ObjectAlarm> list_object_alarms(Database& db, std::int64_t object_id, std::int64_t since, bool open_only) {
  Statement q(db,
              "SELECT id, kind, resource, opened_at, closed_at FROM object_alarm WHERE object_id = ? "
              "AND opened_at >= ? AND (? = 0 OR closed_at IS NULL) ORDER BY opened_at, id");
  q.bind(1, object_id).bind(2, since).bind(3, open_only ? 1 : 0);
  std::vector<ObjectAlarm> out;
  while (q.step()) out.push_back({q.int64(0), q.text(1), q.text(2), q.int64(3), q.optional_int64(4)});
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> open_alarms_by_kind(Database& db) {
  Statement q(
      db,
      "SELECT kind, COUNT(*) FROM (SELECT kind FROM alarm WHERE closed_at IS NULL "
      "UNION ALL SELECT kind FROM object_alarm WHERE closed_at IS NULL) AS open_alarm GROUP BY kind ORDER BY kind");
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (q.step()) out.emplace_back(q.text(0), q.int64(1));
  return out;
}

}  // namespace uchet::schema
