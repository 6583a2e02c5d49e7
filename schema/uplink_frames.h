#pragma once
// The frame archive (`uplink_frame`): every accepted uplink as received, so that readings can be
// derived again (uchetctl redecode) and a device's last uplink is known (silence alarms,
// schema/alarms.h). Rows are only added by the application server, inside the frame's unit of
// work, and read by uchetctl; nothing updates or deletes them.
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
std::vector<ArchivedFrame> archived_frames(Database& db, std::string_view dev_eui, std::int64_t from_ms,
                                           std::int64_t to_ms);

}  // namespace uchet::schema
