#pragma once
// The device clock model's state (`device_clock`): per device, the tracked offset of its clock,
// its reporting period (from DEVICE INFO) and when a correction was last queued. Written by the
// application server's metering inside the frame's unit of work; read there and by uchetctl.
//
// Functions take the connection (or a UnitOfWork) owned by the caller, on its thread, and throw
// StorageError on failure.
#include <cstdint>
#include <optional>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct DeviceClock {
  std::optional<double> offset_s;  // device time − network time; unknown until observed
  int observations = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> reporting_period_s;
  std::optional<std::int64_t> correction_sent_at;
};

// The device's row, if it has one.
std::optional<DeviceClock> find_device_clock(Database& db, lorawan::Eui64 dev_eui);
// Inserts or replaces the device's row.
void save_device_clock(Database& db, lorawan::Eui64 dev_eui, const DeviceClock& clock);

}  // namespace uchet::schema
