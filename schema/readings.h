#pragma once
// Meter readings derived from frames (`reading`): one row per register value at one instant,
// keyed by (device, quantity, channel, storage, tariff, measured_at). Added by the application
// server's metering inside the frame's unit of work and by uchetctl redecode; read by the point
// series (appserver/point_data), the fleet report and uchetctl readings. Manual readings, the
// operator's corrections, are a table of their own (schema/objects.h).
//
// Functions take the connection (or a UnitOfWork) owned by the caller, on its thread, and throw
// StorageError on failure.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

// A reading to store. The views point into the decoded payload and live only for the call.
struct NewReading {
  std::string_view quantity, resource, unit;
  // Absent for archive packets, which name a resource rather than an input channel: the reading
  // then continues the series of the one channel (> 0) that measures this quantity and resource
  // on the device, when there is exactly one, and is stored on channel 0 otherwise.
  std::optional<std::int64_t> channel;
  std::int64_t storage = 0, tariff = 0;
  double value = 0;
  std::int64_t measured_at = 0, received_at = 0;
  std::int64_t frame_id = 0;
  std::string flags;   // "measured,clock-corrected" ...: how the value was obtained
  std::string status;  // the device's conditions with this reading: "sensor_fault,register_rollback"; "" none
};

// Stores the readings in order (the channel of each is resolved just before it is stored, so it
// sees the readings stored before it); a reading already stored under the same key is ignored.
// Returns how many rows were added.
int insert_readings(Database& db, lorawan::Eui64 dev_eui, std::span<const NewReading> readings);

// Deletes the readings derived from one archived frame (uchetctl redecode, before decoding again).
void delete_readings_of_frame(Database& db, std::int64_t frame_id);

// The register of a metering point: the current values (storage 0, tariff 0) of `quantity` and
// `resource` measured in [from, to] on the device's lowest channel carrying them, as
// (measured_at, value) in time order.
std::vector<std::pair<std::int64_t, double>> register_values(Database& db, lorawan::Eui64 dev_eui,
                                                             std::string_view quantity, std::string_view resource,
                                                             std::int64_t from, std::int64_t to);

// The channel insert_readings() would store `reading` on now.
std::int64_t resolved_channel(Database& db, lorawan::Eui64 dev_eui, const NewReading& reading);

// (measured_at, value) of the same register (device, quantity, resource, channel, storage,
// tariff) measured last before `before`, if any: what a new reading is compared with on arrival.
std::optional<std::pair<std::int64_t, double>> previous_register_value(Database& db, lorawan::Eui64 dev_eui,
                                                                       const NewReading& reading, std::int64_t channel,
                                                                       std::int64_t before);

struct ReadingTime {
  std::int64_t measured_at = 0;
  std::string flags, status;
};
// Current values (storage 0) of volume or energy measured in [from, to), in time order: the fleet
// report's evidence that a meter measured.
std::vector<ReadingTime> register_reading_times(Database& db, lorawan::Eui64 dev_eui, std::int64_t from,
                                                std::int64_t to);

// Readings of the device measured in [from, to] that carry a status, as (measured_at, status) in
// time order (validation's per-reading device conditions).
std::vector<std::pair<std::int64_t, std::string>> reading_statuses(Database& db, lorawan::Eui64 dev_eui,
                                                                   std::int64_t from, std::int64_t to);

struct StoredReading {
  std::string quantity, resource, unit, flags, status;
  int channel = 0, storage = 0, tariff = 0;
  double value = 0;
  std::int64_t measured_at = 0, received_at = 0;
};

// The device's readings measured in [from, to] (inclusive), of one quantity or all when
// `quantity` is empty, ordered by quantity, channel, storage, tariff and time.
std::vector<StoredReading> list_readings(Database& db, lorawan::Eui64 dev_eui, std::int64_t from, std::int64_t to,
                                         std::string_view quantity);

}  // namespace uchet::schema
