#include "appserver/metering/metering.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "appserver/metering/clock_model.h"
#include "appserver/metering/register_series.h"
#include "netserver/lorawan/encoding.h"
#include "schema/alarms.h"
#include "schema/device_clocks.h"
#include "schema/downlink_queue.h"
#include "schema/objects.h"
#include "schema/readings.h"

namespace uchet::appserver {
namespace {

// Status flags that are alarms (нештатные ситуации); the rest are informational.
constexpr const char* kAlarmFlags[] = {"magnetic_influence", "leak",        "burst",       "reverse_flow",
                                       "sensor_fault",       "low_battery", "case_opened", "valve_closed"};

// How long a queued clock correction is given to take effect before another one is sent.
std::int64_t correction_hold_off(std::optional<std::int64_t> reporting_period_s) {
  return std::max<std::int64_t>(3 * 3600, 2 * reporting_period_or_default(reporting_period_s) + 3600);
}

struct ClockRow {
  ClockState state;
  std::optional<std::int64_t> reporting_period_s;
  std::optional<std::int64_t> correction_sent_at;
};

ClockRow load_clock(schema::Database& db, lorawan::Eui64 dev_eui) {
  ClockRow row;
  if (auto stored = schema::find_device_clock(db, dev_eui)) {
    row.state.offset_s = stored->offset_s;
    row.state.observations = stored->observations;
    row.state.updated_at = stored->updated_at;
    row.reporting_period_s = stored->reporting_period_s;
    row.correction_sent_at = stored->correction_sent_at;
  }
  return row;
}

void save_clock(schema::Database& db, lorawan::Eui64 dev_eui, const ClockRow& row) {
  schema::save_device_clock(db, dev_eui,
                            {row.state.offset_s, row.state.observations, row.state.updated_at, row.reporting_period_s,
                             row.correction_sent_at});
}

void queue_time_correction(schema::Database& db, lorawan::Eui64 dev_eui, const codecs::Downlink& downlink) {
  schema::QueueItem item;
  item.dev_eui = dev_eui;
  item.f_port = downlink.fport;
  item.data = downlink.bytes;
  item.expires_at = schema::unix_now() + 24 * 3600;  // a stale correction would be wrong
  item.clock_correction = true;
  schema::enqueue_downlink(db, item);
}

AlarmChange alarm_opened(schema::Database& db, lorawan::Eui64 dev_eui, std::string_view kind, std::int64_t time,
                         std::optional<std::int64_t> frame_id) {
  return AlarmChange{std::string(kind), true, time, schema::open_alarm(db, dev_eui, kind, time, frame_id)};
}

AlarmChange alarm_closed(schema::Database& db, std::int64_t id, std::string_view kind, std::int64_t time,
                         std::int64_t frame_id) {
  schema::close_alarm(db, id, time, frame_id);
  return AlarmChange{std::string(kind), false, time, id};
}

// The payload's device conditions, which every reading decoded from it carries ("" when none).
std::string packet_status(const codecs::DecodedPayload& p) {
  std::string status;
  for (const char* kind : kAlarmFlags) {
    if (std::find(p.flags.begin(), p.flags.end(), kind) == p.flags.end()) continue;
    if (!status.empty()) status += ',';
    status += kind;
  }
  return status;
}

bool cumulative(std::string_view quantity) {
  return quantity == "volume" || quantity == "energy" || quantity == "mass" || quantity == "pulses";
}

// A current register value below the one measured before it, which neither an overflow at the
// register's range nor the meter's (re)installation in between explains. Whether it was a misread
// the next reading tells; the grid decides that (register_series.h), this marks the reading itself.
bool rolled_back(schema::Database& db, lorawan::Eui64 dev_eui, const schema::NewReading& r,
                 const codecs::CodecBehaviour& codec) {
  if (r.storage != 0 || !cumulative(r.quantity)) return false;
  const auto previous =
      schema::previous_register_value(db, dev_eui, r, schema::resolved_channel(db, dev_eui, r), r.measured_at);
  if (!previous || r.value >= previous->second) return false;
  const auto range = codec.register_range ? codec.register_range(r.quantity) : std::nullopt;
  if (register_overflowed(previous->second, r.value, range)) return false;
  for (const auto& inst : schema::installations_of_device(db, dev_eui))
    if (inst.installed_at > previous->first && inst.installed_at <= r.measured_at) return false;
  return true;
}

}  // namespace

std::int64_t reporting_period_or_default(std::optional<std::int64_t> announced_s) {
  return announced_s && *announced_s > 0 ? *announced_s : kDefaultReportingPeriodS;
}

MeteringResult apply_decoded(schema::Database& db, const schema::Device& device, const codecs::DecodedPayload& p,
                             const FrameContext& frame, const MeteringSettings& settings) {
  MeteringResult result;
  const auto dev_eui = device.dev_eui;
  const double network_start = frame.network_time - frame.time_on_air_s;  // when the device stamped
  ClockRow clock = load_clock(db, dev_eui);
  bool clock_changed = false;

  const codecs::CodecBehaviour& codec = codecs::behaviour(device.codec);

  if (auto period = codec.announced_reporting_period ? codec.announced_reporting_period(p) : std::nullopt) {
    clock.reporting_period_s = *period;
    clock_changed = true;
  }

  // Device clock observations: packets stamped at (or right before) transmission.
  const auto stamped_at_transmission = codec.stamped_at_transmission ? codec.stamped_at_transmission(p) : std::nullopt;
  if (stamped_at_transmission) {
    const double observed = observed_offset(ClockObservation{*stamped_at_transmission, network_start});
    clock.state = update_clock(clock.state, observed, frame.received_at);
    clock_changed = true;
    if (!codec.clock_correction) {
      // The device's clock cannot be set over the air: its offset is only tracked.
    } else if (codec.asks_for_time && codec.asks_for_time(p)) {
      // The module asked: answer exactly (network time of the uplink − device time).
      const auto correction = correction_seconds(observed);
      queue_time_correction(db, device.dev_eui, codec.clock_correction(correction));
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
      queue_time_correction(db, device.dev_eui, codec.clock_correction(correction));
      result.correction_queued = correction;
      clock.correction_sent_at = frame.received_at;
    }
  }
  if (clock_changed) save_clock(db, dev_eui, clock);

  result.readings_stored = store_readings(db, device, p, frame, clock.state.offset_s,
                                          clock.reporting_period_s.value_or(kUnknownPeriodGridS));

  // Alarms follow the status word of packets that carry one.
  if (codec.carries_status_word && codec.carries_status_word(p)) {
    const std::int64_t at =
        p.time ? (clock.state.offset_s ? corrected_time(*p.time, *clock.state.offset_s) : *p.time) : frame.received_at;
    for (const char* kind : kAlarmFlags) {
      const bool set = std::find(p.flags.begin(), p.flags.end(), kind) != p.flags.end();
      auto open = schema::open_alarm_id(db, dev_eui, kind);
      if (set && !open) result.alarms.push_back(alarm_opened(db, dev_eui, kind, at, frame.frame_id));
      if (!set && open) result.alarms.push_back(alarm_closed(db, *open, kind, at, frame.frame_id));
    }
  }
  return result;
}

int store_readings(schema::Database& db, const schema::Device& device, const codecs::DecodedPayload& p,
                   const FrameContext& frame, std::optional<double> clock_offset_s, std::int64_t period) {
  // Archive packets name a resource, not an input channel (no r.channel): the store continues
  // the series of the one channel that measures that resource, when there is exactly one.
  const codecs::CodecBehaviour& codec = codecs::behaviour(device.codec);
  const std::string status = packet_status(p);
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
    std::optional<std::int64_t> channel;
    if (r.channel) channel = *r.channel;
    schema::NewReading row{r.quantity,
                           r.resource,
                           r.unit,
                           channel,
                           static_cast<std::int64_t>(r.storage.value_or(0)),
                           static_cast<std::int64_t>(r.tariff.value_or(0)),
                           r.value,
                           measured_at,
                           frame.received_at,
                           frame.frame_id,
                           std::move(flags),
                           status};
    if (rolled_back(db, device.dev_eui, row, codec))
      row.status = row.status.empty() ? "register_rollback" : row.status + ",register_rollback";
    // One at a time: each reading is compared with (and its channel resolved after) the ones before it.
    stored += schema::insert_readings(db, device.dev_eui, std::span(&row, 1));
  }
  return stored;
}

std::pair<std::optional<double>, std::int64_t> device_clock(schema::Database& db, lorawan::Eui64 dev_eui) {
  auto row = load_clock(db, dev_eui);
  return {row.state.offset_s, row.reporting_period_s.value_or(kUnknownPeriodGridS)};
}

std::optional<AlarmChange> close_silence(schema::Database& db, lorawan::Eui64 dev_eui, std::int64_t now,
                                         std::int64_t frame_id) {
  auto open = schema::open_alarm_id(db, dev_eui, schema::kSilentAlarm);
  if (!open) return std::nullopt;
  return alarm_closed(db, *open, schema::kSilentAlarm, now, frame_id);
}

std::vector<std::pair<lorawan::Eui64, AlarmChange>> open_silence_alarms(schema::Database& db, std::int64_t now) {
  // Last uplink per device from the frame archive; devices never heard are not "silent" yet.
  std::vector<std::pair<lorawan::Eui64, std::int64_t>> silent;
  for (const auto& c : schema::devices_without_open_alarm(db, schema::kSilentAlarm, kDefaultReportingPeriodS)) {
    if (!c.last_uplink_at) continue;
    if (now - *c.last_uplink_at >= 3 * c.reporting_period_s)
      silent.emplace_back(c.dev_eui, *c.last_uplink_at + 3 * c.reporting_period_s);
  }
  std::vector<std::pair<lorawan::Eui64, AlarmChange>> out;
  for (const auto& [dev_eui, since] : silent) {
    out.emplace_back(dev_eui, alarm_opened(db, dev_eui, schema::kSilentAlarm, since, std::nullopt));
  }
  return out;
}

}  // namespace uchet::appserver
