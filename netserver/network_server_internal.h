#pragma once
// Private to the NetworkServer's translation units.
#include <optional>
#include <unordered_set>
#include <vector>

#include "netserver/network_server.h"
#include "schema/downlink_queue.h"

namespace uchet::netserver {

// A downlink and the window booked for it (netserver/scheduling/): `on_rx2` says which of the
// device's two windows on `gateway_eui`, `booking` names the booking on that gateway's
// timeline, released when the transmission does not go on air.
struct NetworkServer::DownlinkPlan {
  lorawan::Eui64 dev_eui = 0;
  lorawan::Eui64 gateway_eui = 0;
  gateway_bridge::Transmission rx1;                 // class C: the one transmission
  std::optional<gateway_bridge::Transmission> rx2;  // the device's RX2 window (class A)
  // The queue item it carries, as it was taken from the queue: put back should no gateway take
  // the downlink (schema::return_downlink).
  std::optional<schema::QueueItem> queue_item;
  std::uint32_t f_cnt_down = 0;
  bool join_accept = false;
  // Class A: the other gateways that heard the uplink, best first, with their counter at the
  // uplink (other_gateways()); tried in turn when `gateway_eui` cannot take the downlink (no
  // live downlink path). rx1/rx2 are timed on uplink_at, the uplink on `gateway_eui`'s counter.
  gateway_bridge::CounterTime uplink_at;
  std::vector<std::pair<lorawan::Eui64, gateway_bridge::CounterTime>> other_gateways;
  std::size_t next_other = 0;  // other_gateways before this one were tried
  scheduling::DownlinkPriority priority = scheduling::DownlinkPriority::Answer;
  bool on_rx2 = false;
  scheduling::BookingId booking = 0;
};

struct NetworkServer::PendingDownlink {
  DownlinkPlan plan;
};

// One group-commit transaction and what waits for its commit.
struct NetworkServer::Batch {
  explicit Batch(schema::Database& db) : tx(db) {}
  schema::Transaction tx;
  std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
  std::size_t frames = 0;               // accepted (savepoint released) in this transaction
  std::vector<SteadyTime> first_seen;   // of each accepted frame: end-to-end latency at the commit
  bool events = false;                  // the sink wrote events: wake the publisher after commit
  std::vector<DownlinkPlan> downlinks;  // sent after the commit, in frame order
  std::uint64_t uplinks_accepted = 0, joins_accepted = 0, late_uplinks = 0;
  std::vector<std::pair<lorawan::Eui64, LastGateways>> last_gateways;  // by device
  // Devices with downlink-queue rows, read once inside this transaction: while it holds the
  // write lock no other connection can add any, and this process's own enqueues are seen
  // through schema::downlinks_enqueued_in_process().
  std::optional<std::unordered_set<lorawan::Eui64>> queued;
  std::uint64_t queued_read_at = 0;
};

// A pass longer than this (a backlog after a stall) commits in parts, so the first frames of
// the pass are not announced later than this for the sake of the last ones, and the write lock
// (which the outbox publisher and uchetctl also need) is never held much longer.
// (NetworkSettings::max_batch_age, 2 ms by default.)

// Passes of the window timer are at least this far apart, so that frames closing close together
// share one pass and one commit (at 3,000 frames/s a window closes every 0.3 ms; each pass of
// its own paid a whole WAL commit). A frame waits at most this long beyond its dedup window.
inline constexpr std::chrono::milliseconds kMinPassInterval{2};

// After a gateway refused a downlink (no downlink path, or an error outcome for a class C one),
// class C delivery leaves it alone this long: with it offline, every class C device behind it
// would otherwise cost two transactions at every registry poll.
inline constexpr std::chrono::seconds kUnreachableGatewayBackoff{5};

// Several instances (network_server.h): how much longer than its dedup window an owner waits
// for the receptions other instances hand it, and after how long a claim of the same bytes is
// a new transmission (the deduplicator's late-copy horizon).
inline constexpr std::chrono::milliseconds kClaimGrace{50};
inline constexpr std::chrono::milliseconds kClaimHorizon{2000};

// Several instances: the frames a losing instance holds for their owners (network_server.h).
// Checked this often (one query for all); dropped when the owner, alive, has not processed one
// in kHeldLimit (its commits failing, or its host cut off while PostgreSQL still holds its
// lock); at most kHeldCap held (a full set drops the newest, counted).
inline constexpr std::chrono::milliseconds kHeldCheckInterval{250};
inline constexpr std::chrono::seconds kHeldLimit{20};
inline constexpr std::size_t kHeldCap = 20000;

SystemTime to_system_time(std::chrono::nanoseconds since_epoch);

}  // namespace uchet::netserver
