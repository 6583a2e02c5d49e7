#pragma once
// From a decoded payload to meter data, inside the frame's transaction: readings placed on the
// common time base, the device clock model (offset tracking and the correction downlinks
// the codec declares), the answer to time requests, and alarms from status flags. What a device
// format supports (clock corrections, time requests, reporting periods) comes from the codec
// registry (codecs::behaviour), never from naming a codec here.
//
// Time base: a reading stamped by the device clock is stored at device time − tracked offset
// (flag clock-corrected); a reading without a device time (clock never set) is placed at the
// reporting-period boundary nearest the network time (flag clock-unknown); while the period is
// unknown that is the hour boundary (kUnknownPeriodGridS).
//
// Status: every reading carries the device conditions of its packet (sensor_fault, ... — the
// alarm kinds among the payload's flags), and `register_rollback` when a current register value
// is below the one measured before it and neither an overflow at the register's range (the
// codec's register_range) nor an installation of the meter in between explains it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codecs/codec.h"
#include "schema/database.h"
#include "schema/devices.h"

namespace uchet::appserver {

// The reporting period assumed for a device that has announced none (README and
// docs/billing-and-fleet.md: 24 h): when it counts as silent, how long a clock correction is
// given to take effect, the intervals of `uchetctl fleet report`.
inline constexpr std::int64_t kDefaultReportingPeriodS = 24 * 3600;
// The device's announced reporting period, else kDefaultReportingPeriodS (a non-positive
// period is no period).
std::int64_t reporting_period_or_default(std::optional<std::int64_t> announced_s);

// The grid a reading without device time is placed on while the device's reporting period is
// unknown: the hour, not kDefaultReportingPeriodS — a day grid would fold an hourly device's
// readings into one a day (a reading at an occupied time is a duplicate and dropped).
inline constexpr std::int64_t kUnknownPeriodGridS = 3600;

struct FrameContext {
  std::int64_t frame_id = 0;
  std::int64_t received_at = 0;  // Unix seconds
  double network_time = 0;       // Unix seconds: when the frame ended on air, best estimate
  double time_on_air_s = 0;
};

struct MeteringSettings {
  int max_clock_offset_s = 30;
};

struct AlarmChange {
  std::string kind;
  bool opened = true;  // false: closed
  std::int64_t time = 0;
  std::int64_t alarm_id = 0;
};

struct MeteringResult {
  int readings_stored = 0;
  std::optional<std::int64_t> correction_queued;  // seconds the device was told to add
  std::vector<AlarmChange> alarms;
};

MeteringResult apply_decoded(schema::Database& db, const schema::Device& device, const codecs::DecodedPayload& payload,
                             const FrameContext& frame, const MeteringSettings& settings);

// The readings part alone, with a given clock model: stores the payload's readings placed on
// the time base (duplicates of stored readings are ignored). Returns how many rows were added.
// `redecode` uses it with the device's current offset; it queues and changes nothing else.
int store_readings(schema::Database& db, const schema::Device& device, const codecs::DecodedPayload& payload,
                   const FrameContext& frame, std::optional<double> clock_offset_s, std::int64_t reporting_period_s);

// The device's tracked clock offset and the grid for readings without device time: its
// reporting period, kUnknownPeriodGridS when unknown.
std::pair<std::optional<double>, std::int64_t> device_clock(schema::Database& db, lorawan::Eui64 dev_eui);

// Any uplink ends a `silent` alarm; returns the change when one was open.
std::optional<AlarmChange> close_silence(schema::Database& db, lorawan::Eui64 dev_eui, std::int64_t now,
                                         std::int64_t frame_id);

// Opens `silent` alarms for devices with no uplink for 3 × their reporting period
// (kDefaultReportingPeriodS when unknown). Returns the devices and changes, for publishing.
std::vector<std::pair<lorawan::Eui64, AlarmChange>> open_silence_alarms(schema::Database& db, std::int64_t now);

}  // namespace uchet::appserver
