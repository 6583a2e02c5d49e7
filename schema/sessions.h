#pragma once
// LoRaWAN device sessions and join state as the network server keeps them durable: one row per
// device, replaced whole on join, counters updated in the transaction that stores each frame.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netserver/lorawan/keys.h"
#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct DeviceSession {
  lorawan::Eui64 dev_eui = 0;
  lorawan::DevAddr dev_addr = 0;
  std::string mac_version = "1.0.3";
  lorawan::SessionKeys keys;
  std::uint32_t f_cnt_up = 0;      // next expected FCntUp
  std::uint32_t n_f_cnt_down = 0;  // next NFCntDown (the only FCntDown in 1.0.x)
  std::uint32_t a_f_cnt_down = 0;  // next AFCntDown (1.1)
  int rx1_delay = 1;
  int rx1_dr_offset = 0;
  std::optional<int> rx2_dr;
  std::optional<std::uint32_t> rx2_frequency;
  int dr = 0;
  int tx_power_index = 0;
  int nb_trans = 1;
  std::string mac_state = "{}";  // JSON owned by the network server (pending requests, ADR history)
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_uplink_at;

  bool is_lorawan_11() const { return mac_version == "1.1"; }
  // Before the first uplink nothing can be a retransmission.
  bool has_uplink() const { return last_uplink_at.has_value(); }
};

std::vector<DeviceSession> load_sessions(Database& db);
std::optional<DeviceSession> find_session(Database& db, lorawan::Eui64 dev_eui);
// find_session inside the caller's transaction, holding the session's row until it ends
// (PostgreSQL: SELECT … FOR UPDATE; SQLite's write transaction already excludes every other
// writer). Several uchetd on one PostgreSQL delivering a device's class C queue each read its
// FCntDown this way, so that no two downlinks go out with the same FCntDown.
std::optional<DeviceSession> find_session_for_update(Database& db, lorawan::Eui64 dev_eui);
// Devices with a session (joined or ABP), for /metrics.
std::int64_t count_sessions(Database& db);
// Inserts or replaces the device's session (a join: new DevAddr and keys).
void save_session(Database& db, const DeviceSession& session);
// Writes what an uplink or downlink changes in an existing session — counters, radio settings,
// MAC state, last uplink — in place. Cheaper than save_session on the hot path: the row keeps its
// place and its index entries (REPLACE deletes and re-inserts both, dirtying three or four pages
// per uplink). Throws StorageError if the session is gone (its device deleted meanwhile).
void update_session_state(Database& db, const DeviceSession& session);

// Join state: DevNonces already used, the largest one (counter-based DevNonce of 1.0.4/1.1),
// and the device's JoinNonce.
bool dev_nonce_used(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui, std::uint16_t dev_nonce);
std::optional<std::uint16_t> max_dev_nonce(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui);
void record_dev_nonce(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui, std::uint16_t dev_nonce);
std::uint32_t join_nonce(Database& db, lorawan::Eui64 dev_eui);
void set_join_nonce(Database& db, lorawan::Eui64 dev_eui, std::uint32_t join_nonce);

}  // namespace uchet::schema
