#include "appserver/metering.h"

#include <cmath>

#include "appserver/clock_model.h"
#include "codecs/karat_926lw.h"
#include "netserver/lorawan/encoding.h"
#include "schema/downlink_queue.h"

namespace uchet::appserver {
namespace {

// Status flags that are alarms (нештатные ситуации); the rest are informational.
constexpr const char* kAlarmFlags[] = {"magnetic_influence", "leak",         "burst",       "reverse_flow",
                                       "sensor_fault",       "low_battery",  "case_opened", "valve_closed"};
constexpr std::int64_t kDefaultReportingPeriod = 24 * 3600;

// How long a queued clock correction is given to take effect before another one is sent.
std::int64_t correction_hold_off(std::optional<std::int64_t> reporting_period_s) {
  return std::max<std::int64_t>(3 * 3600, 2 * reporting_period_s.value_or(kDefaultReportingPeriod) + 3600);
}

struct ClockRow {
  ClockState state;
  std::optional<std::int64_t> reporting_period_s;
  std::optional<std::int64_t> correction_sent_at;
};

ClockRow load_clock(storage::Database& db, const std::string& dev_eui) {
  ClockRow row;
  storage::Statement q(db, "SELECT offset_s, observations, updated_at, reporting_period_s, correction_sent_at FROM device_clock WHERE dev_eui = ?");
  q.bind(1, dev_eui);
  if (q.step()) {
    row.state.offset_s = q.optional_real(0);
    row.state.observations = static_cast<int>(q.int64(1));
    row.state.updated_at = q.int64(2);
    row.reporting_period_s = q.optional_int64(3);
    row.correction_sent_at = q.optional_int64(4);
  }
  return row;
}

void save_clock(storage::Database& db, const std::string& dev_eui, const ClockRow& row) {
  storage::Statement(db,
                     "INSERT INTO device_clock (dev_eui, offset_s, observations, updated_at, reporting_period_s, correction_sent_at) "
                     "VALUES (?,?,?,?,?,?) ON CONFLICT(dev_eui) DO UPDATE SET offset_s = excluded.offset_s, "
                     "observations = excluded.observations, updated_at = excluded.updated_at, "
                     "reporting_period_s = excluded.reporting_period_s, correction_sent_at = excluded.correction_sent_at")
      .bind(1, dev_eui)
      .bind(2, row.state.offset_s)
      .bind(3, row.state.observations)
      .bind(4, row.state.updated_at)
      .bind(5, row.reporting_period_s)
      .bind(6, row.correction_sent_at)
      .run();
}

void queue_time_correction(storage::Database& db, lorawan::Eui64 dev_eui, std::int64_t correction) {
  auto downlink = codecs::karat926::time_correction(correction);
  storage::QueueItem item;
  item.dev_eui = dev_eui;
  item.f_port = downlink.fport;
  item.data = downlink.bytes;
  item.expires_at = storage::unix_now() + 24 * 3600;  // a stale correction would be wrong
  storage::enqueue_downlink(db, item);
}

std::optional<std::int64_t> open_alarm_id(storage::Database& db, const std::string& dev_eui, const std::string& kind) {
  storage::Statement q(db, "SELECT id FROM alarm WHERE dev_eui = ? AND kind = ? AND closed_at IS NULL");
  q.bind(1, dev_eui).bind(2, kind);
  if (!q.step()) return std::nullopt;
  return q.int64(0);
}

AlarmChange open_alarm(storage::Database& db, const std::string& dev_eui, const std::string& kind, std::int64_t time,
                       std::optional<std::int64_t> frame_id) {
  storage::Statement(db, "INSERT INTO alarm (dev_eui, kind, opened_at, open_frame_id) VALUES (?, ?, ?, ?)")
      .bind(1, dev_eui)
      .bind(2, kind)
      .bind(3, time)
      .bind(4, frame_id)
      .run();
  return AlarmChange{kind, true, time, db.last_insert_rowid()};
}

AlarmChange close_alarm(storage::Database& db, std::int64_t id, const std::string& kind, std::int64_t time, std::int64_t frame_id) {
  storage::Statement(db, "UPDATE alarm SET closed_at = ?, close_frame_id = ? WHERE id = ?").bind(1, time).bind(2, frame_id).bind(3, id).run();
  return AlarmChange{kind, false, time, id};
}

}  // namespace

MeteringResult apply_decoded(storage::Database& db, const storage::Device& device, const codecs::DecodedPayload& p,
                             const FrameContext& frame, const MeteringSettings& settings) {
  MeteringResult result;
  const auto dev_eui = lorawan::eui64_to_string(device.dev_eui);
  const double network_start = frame.network_time - frame.time_on_air_s;  // when the device stamped
  ClockRow clock = load_clock(db, dev_eui);
  bool clock_changed = false;

  if (p.packet == "device_info" && p.extra.contains("reporting_period_s") && p.extra["reporting_period_s"].is_number()) {
    clock.reporting_period_s = p.extra["reporting_period_s"].get<std::int64_t>();
    clock_changed = true;
  }

  // Device clock observations: packets stamped at (or right before) transmission.
  std::optional<std::int64_t> stamped_at_transmission;
  if (p.packet == "time_request" && p.extra.value("device_time_unix", 0) != 0) {
    stamped_at_transmission = p.extra["device_time_unix"].get<std::int64_t>();
  } else if ((p.packet == "current" || p.packet == "alarm") && p.time) {
    stamped_at_transmission = *p.time;
  }
  if (stamped_at_transmission) {
    const double observed = observed_offset(ClockObservation{*stamped_at_transmission, network_start});
    clock.state = update_clock(clock.state, observed, frame.received_at);
    clock_changed = true;
    if (p.packet == "time_request") {
      // The module asked: answer exactly (network time of the uplink − device time).
      const auto correction = correction_seconds(observed);
      queue_time_correction(db, device.dev_eui, correction);
      result.correction_queued = correction;
      clock.correction_sent_at = frame.received_at;
    } else if (clock.state.offset_s && !needs_correction(*clock.state.offset_s, settings.max_clock_offset_s)) {
      clock.correction_sent_at.reset();  // the clock is right (again): no correction is in flight
    } else if (clock.state.offset_s &&
               (!clock.correction_sent_at ||
                frame.received_at - *clock.correction_sent_at >= correction_hold_off(clock.reporting_period_s))) {
      // A class A device gets the correction with its next uplink and shows the new clock only in
      // the one after, so a second correction is not queued before that could have happened.
      const auto correction = correction_seconds(*clock.state.offset_s);
      queue_time_correction(db, device.dev_eui, correction);
      result.correction_queued = correction;
      clock.correction_sent_at = frame.received_at;
    }
  }
  if (clock_changed) save_clock(db, dev_eui, clock);

  result.readings_stored =
      store_readings(db, device, p, frame, clock.state.offset_s, clock.reporting_period_s.value_or(3600));

  // Alarms follow the status word of packets that carry one.
  if (p.packet == "current" || p.packet == "alarm") {
    const std::int64_t at = p.time ? (clock.state.offset_s ? corrected_time(*p.time, *clock.state.offset_s) : *p.time)
                                   : frame.received_at;
    for (const char* kind : kAlarmFlags) {
      const bool set = std::find(p.flags.begin(), p.flags.end(), kind) != p.flags.end();
      auto open = open_alarm_id(db, dev_eui, kind);
      if (set && !open) result.alarms.push_back(open_alarm(db, dev_eui, kind, at, frame.frame_id));
      if (!set && open) result.alarms.push_back(close_alarm(db, *open, kind, at, frame.frame_id));
    }
  }
  return result;
}

int store_readings(storage::Database& db, const storage::Device& device, const codecs::DecodedPayload& p,
                   const FrameContext& frame, std::optional<double> clock_offset_s, std::int64_t period) {
  storage::Statement insert(db,
                            "INSERT INTO reading (dev_eui, quantity, resource, channel, storage, tariff, value, unit, measured_at, "
                            "received_at, frame_id, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                            "ON CONFLICT (dev_eui, quantity, channel, storage, tariff, measured_at) DO NOTHING");
  const auto dev_eui = lorawan::eui64_to_string(device.dev_eui);
  // Archive packets name a resource, not an input channel: they continue the series of the one
  // channel that measures that resource, when there is exactly one.
  auto channel_of = [&](const codecs::Reading& r) -> std::int64_t {
    if (r.channel) return *r.channel;
    storage::Statement q(db, "SELECT DISTINCT channel FROM reading WHERE dev_eui = ? AND quantity = ? AND resource = ? AND channel > 0 LIMIT 2");
    q.bind(1, dev_eui).bind(2, r.quantity).bind(3, r.resource);
    std::vector<std::int64_t> channels;
    while (q.step()) channels.push_back(q.int64(0));
    return channels.size() == 1 ? channels.front() : 0;
  };
  int stored = 0;
  for (const auto& r : p.readings) {
    std::int64_t measured_at;
    std::string flags = "measured";
    if (r.time) {
      if (clock_offset_s) {
        measured_at = corrected_time(*r.time, *clock_offset_s);
        flags += ",clock-corrected";
      } else {
        measured_at = *r.time;
      }
    } else {
      measured_at = nearest_period_boundary(frame.network_time, period);
      flags += ",clock-unknown";
    }
    insert.reset();
    insert.bind(1, dev_eui)
        .bind(2, r.quantity)
        .bind(3, r.resource)
        .bind(4, channel_of(r))
        .bind(5, static_cast<std::int64_t>(r.storage.value_or(0)))
        .bind(6, static_cast<std::int64_t>(r.tariff.value_or(0)))
        .bind(7, r.value)
        .bind(8, r.unit)
        .bind(9, measured_at)
        .bind(10, frame.received_at)
        .bind(11, frame.frame_id)
        .bind(12, flags)
        .run();
    stored += db.changes();
  }
  return stored;
}

std::pair<std::optional<double>, std::int64_t> device_clock(storage::Database& db, lorawan::Eui64 dev_eui) {
  auto row = load_clock(db, lorawan::eui64_to_string(dev_eui));
  return {row.state.offset_s, row.reporting_period_s.value_or(3600)};
}

std::optional<AlarmChange> close_silence(storage::Database& db, lorawan::Eui64 dev_eui, std::int64_t now, std::int64_t frame_id) {
  auto open = open_alarm_id(db, lorawan::eui64_to_string(dev_eui), "silent");
  if (!open) return std::nullopt;
  return close_alarm(db, *open, "silent", now, frame_id);
}

std::vector<std::pair<lorawan::Eui64, AlarmChange>> open_silence_alarms(storage::Database& db, std::int64_t now) {
  // Last uplink per device from the frame archive; devices never heard are not "silent" yet.
  // The correlated MAX is one step down the (dev_eui, received_at_ms) index per device, where a
  // join with GROUP BY would read every archived frame each minute.
  storage::Statement q(db,
                       "SELECT d.dev_eui, (SELECT MAX(f.received_at_ms) FROM uplink_frame f WHERE f.dev_eui = d.dev_eui) / 1000, "
                       "COALESCE(c.reporting_period_s, ?) "
                       "FROM device d LEFT JOIN device_clock c ON c.dev_eui = d.dev_eui "
                       "WHERE NOT EXISTS (SELECT 1 FROM alarm a WHERE a.dev_eui = d.dev_eui AND a.kind = 'silent' AND a.closed_at IS NULL)");
  q.bind(1, kDefaultReportingPeriod);
  std::vector<std::pair<std::string, std::int64_t>> silent;
  while (q.step()) {
    if (q.is_null(1)) continue;
    if (now - q.int64(1) >= 3 * q.int64(2)) silent.emplace_back(q.text(0), q.int64(1) + 3 * q.int64(2));
  }
  std::vector<std::pair<lorawan::Eui64, AlarmChange>> out;
  for (const auto& [dev_eui, since] : silent) {
    out.emplace_back(lorawan::parse_eui64(dev_eui).value_or(0), open_alarm(db, dev_eui, "silent", since, std::nullopt));
  }
  return out;
}

}  // namespace uchet::appserver
