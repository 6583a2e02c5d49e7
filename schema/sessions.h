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
  // Counts the row's writes (migration 0018): a write is made only on the generation the
  // session was read at, so a copy that another uchetd instance made stale changes nothing.
  std::int64_t generation = 0;

  bool is_lorawan_11() const { return mac_version == "1.1"; }
  // Before the first uplink nothing can be a retransmission.
  bool has_uplink() const { return last_uplink_at.has_value(); }
};

// The session row is not the one a write was based on: another instance stored a frame or a
// join of the device since it was read, or the device rejoined or was deleted. Nothing was
// written; the caller reloads the session (find_session) and judges its frame again.
class StaleSession : public StorageError {
 public:
  using StorageError::StorageError;
};

std::vector<DeviceSession> load_sessions(Database& db);
// The sessions sharing a DevAddr (a DevAddr the cache did not know, or whose MIC no cached key
// verified: a join stored by another instance).
std::vector<DeviceSession> load_sessions_for(Database& db, lorawan::DevAddr dev_addr);
std::optional<DeviceSession> find_session(Database& db, lorawan::Eui64 dev_eui);
// find_session inside the caller's transaction, holding the session's row until it ends
// (PostgreSQL: SELECT … FOR UPDATE; SQLite's write transaction already excludes every other
// writer). Several uchetd on one PostgreSQL delivering a device's class C queue each read its
// FCntDown this way, so that no two downlinks go out with the same FCntDown.
std::optional<DeviceSession> find_session_for_update(Database& db, lorawan::Eui64 dev_eui);
// Devices with a session (joined or ABP), for /metrics.
std::int64_t count_sessions(Database& db);
// Inserts or replaces the device's session (a join: new DevAddr and keys), one generation past
// the row it replaces; sets session.generation to what was stored.
void save_session(Database& db, DeviceSession& session);
// Writes what an uplink or downlink changes in an existing session — counters, radio settings,
// MAC state, last uplink — in place, if the row is still at session.generation (then counted
// one up, in the row and in `session`). Cheaper than save_session on the hot path: the row keeps
// its place and its index entries (REPLACE deletes and re-inserts both, dirtying three or four
// pages per uplink). Throws StaleSession if the row changed since it was read or is gone.
void update_session_state(Database& db, DeviceSession& session);

// Join state: DevNonces already used, the largest one (counter-based DevNonce of 1.0.4/1.1),
// and the device's JoinNonce.
bool dev_nonce_used(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui, std::uint16_t dev_nonce);
std::optional<std::uint16_t> max_dev_nonce(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui);
// Records the DevNonce; false when it was recorded already. The unique key decides, not an
// earlier read: of two instances handling one join-request, or a replay of it, the second to
// insert gets false (on PostgreSQL it waits for the first's transaction) and refuses the join.
[[nodiscard]] bool record_dev_nonce(Database& db, lorawan::Eui64 dev_eui, lorawan::Eui64 join_eui,
                                    std::uint16_t dev_nonce);
std::uint32_t join_nonce(Database& db, lorawan::Eui64 dev_eui);
// Sets the device's JoinNonce if it is still `previous`; false when another instance's join
// took the next value first (the join is then refused: the device asks again).
[[nodiscard]] bool set_join_nonce(Database& db, lorawan::Eui64 dev_eui, std::uint32_t previous,
                                  std::uint32_t join_nonce);

}  // namespace uchet::schema
