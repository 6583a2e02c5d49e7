#pragma once
// The frame archive (`uplink_frame`): every accepted uplink as received, so that readings can be
// derived again (uchetctl redecode) and a device's last uplink is known (silence alarms,
// schema/alarms.h). Rows are only added by the application server, inside the frame's unit of
// work, and read by uchetctl; nothing updates them, and only retention deletes them
// (prune_uplink_frames, [storage] frame_retention_days).
//
// Functions take the connection (or a UnitOfWork) owned by the caller, on its thread, and throw
// StorageError on failure.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

// A frame to archive. The views point into the caller's data and need to live only for the call
// (the application server builds one per uplink; copying the payload and the JSON would cost).
struct NewUplinkFrame {
  std::string_view deduplication_id;
  lorawan::Eui64 dev_eui = 0;
  lorawan::DevAddr dev_addr = 0;
  std::int64_t f_cnt = 0;
  std::optional<std::int64_t> f_port;
  bool confirmed = false;
  int dr = 0;
  std::span<const std::uint8_t> payload;  // decrypted FRMPayload
  std::string_view rx_info, tx_info;      // JSON, as published in the up event
  std::int64_t received_at_ms = 0;
  std::int64_t network_time_ms = 0;
  bool network_time_gps = false;
};

// Adds the frame; returns its id (the frame_id of the readings and alarms derived from it).
std::int64_t insert_uplink_frame(Database& db, const NewUplinkFrame& frame);

struct ArchivedFrame {
  std::int64_t id = 0;
  std::string dev_eui;  // as stored (hex)
  std::optional<std::int64_t> f_port;
  std::vector<std::uint8_t> payload;
  std::int64_t received_at_ms = 0;
  std::int64_t network_time_ms = 0;
};

// Frames received in [from_ms, to_ms] (inclusive), of one device (hex DevEUI) or of all when
// `dev_eui` is empty, in id order.
// One step of retention: looks at the next `limit` frames after id `after_id` (in id order,
// which is arrival order) and deletes those received before `cutoff_ms`, up to the first one
// received at or after it. Each device's newest frame is kept whatever its age, so its last
// uplink stays known (the silence check reads it). Readings and alarms derived from a deleted
// frame stay; their frame_id becomes NULL (they can no longer be decoded again). A step costs
// the `limit` rows it looks at, never a scan of the archive; the caller's transaction, and
// small steps keep the write lock short. `done` when a young frame or the end was reached: the
// next pass starts again from `after_id` 0 (the kept newest frames at the front are looked at
// again, at most one per device); otherwise the next step goes on from `next_after`.
struct PruneStep {
  int deleted = 0;
  std::int64_t next_after = 0;
  bool done = false;
};
PruneStep prune_uplink_frames(Database& db, std::int64_t cutoff_ms, std::int64_t after_id, int limit);

std::vector<ArchivedFrame> archived_frames(Database& db, std::string_view dev_eui, std::int64_t from_ms,
                                           std::int64_t to_ms);

}  // namespace uchet::schema
