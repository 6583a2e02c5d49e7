#pragma once
// Alarms: a device's (`alarm`: status flags of its packets, and `silent` when it stops sending)
// and an object's (`object_alarm`: a sustained house imbalance). An alarm is open until
// closed_at is set; at most one of a kind is open per device (per object and resource), which
// the schema enforces. Device alarms are written by the application server's metering inside
// the frame's unit of work and by its silence check; object alarms by the balance publisher;
// uchetctl lists both.
//
// "Open" is defined once here: closed_at IS NULL. Functions take the connection (or a
// UnitOfWork) owned by the caller, on its thread, and throw StorageError on failure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

// The kind of the alarm a device gets when it stops sending (appserver/metering/metering.h).
inline constexpr std::string_view kSilentAlarm = "silent";

// The id of the device's open alarm of `kind`, if one is open.
std::optional<std::int64_t> open_alarm_id(Database& db, lorawan::Eui64 dev_eui, std::string_view kind);
// Opens an alarm (the caller checked none of its kind is open); returns its id.
std::int64_t open_alarm(Database& db, lorawan::Eui64 dev_eui, std::string_view kind, std::int64_t opened_at,
                        std::optional<std::int64_t> frame_id);
void close_alarm(Database& db, std::int64_t id, std::int64_t closed_at, std::int64_t frame_id);

// Devices with an open alarm of `kind`.
std::unordered_set<lorawan::Eui64> devices_with_open_alarm(Database& db, std::string_view kind);

// A device without an open alarm of a kind, with what a silence check needs: when its last
// archived uplink was received (absent when it was never heard) and its reporting period
// (`default_period_s` when unknown).
struct SilenceCandidate {
  lorawan::Eui64 dev_eui = 0;
  std::optional<std::int64_t> last_uplink_at;  // Unix seconds
  std::int64_t reporting_period_s = 0;
};
std::vector<SilenceCandidate> devices_without_open_alarm(Database& db, std::string_view kind,
                                                         std::int64_t default_period_s);

struct AlarmSpan {
  std::string kind;
  std::int64_t opened_at = 0;
  std::optional<std::int64_t> closed_at;
};
// The device's alarms that make its readings doubtful (magnetic influence, reverse flow, sensor
// fault) and were open at some time in [from, to], by opening time.
std::vector<AlarmSpan> condition_alarms(Database& db, lorawan::Eui64 dev_eui, std::int64_t from, std::int64_t to);

struct DeviceAlarm {
  std::int64_t id = 0;
  std::string dev_eui;  // as stored (hex)
  std::string kind;
  std::int64_t opened_at = 0;
  std::optional<std::int64_t> closed_at;
};
// Alarms opened at or after `since`, of one device (hex DevEUI) or all when empty; only open
// ones if `open_only`; by opening time and id.
std::vector<DeviceAlarm> list_alarms(Database& db, std::string_view dev_eui, std::int64_t since, bool open_only);

// Object alarms (kind "imbalance", per resource).
std::optional<std::int64_t> open_object_alarm_id(Database& db, std::int64_t object_id, std::string_view kind,
                                                 std::string_view resource);
void open_object_alarm(Database& db, std::int64_t object_id, std::string_view kind, std::string_view resource,
                       std::int64_t opened_at);
void close_object_alarm(Database& db, std::int64_t id, std::int64_t closed_at);

struct ObjectAlarm {
  std::int64_t id = 0;
  std::string kind, resource;
  std::int64_t opened_at = 0;
  std::optional<std::int64_t> closed_at;
};
std::vector<ObjectAlarm> list_object_alarms(Database& db, std::int64_t object_id, std::int64_t since, bool open_only);

// Open alarms by kind, devices' and objects' together (the kinds do not overlap), for /metrics.
std::vector<std::pair<std::string, std::int64_t>> open_alarms_by_kind(Database& db);

}  // namespace uchet::schema
