#pragma once
// Application downlinks waiting for a transmission opportunity. uchetctl and the MQTT command
// handler add items; the network server takes them in order. An unconfirmed item is removed
// when it is handed to a gateway; a confirmed one stays (with the FCntDown it went out with)
// until the device acknowledges it or it expires.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct QueueItem {
  std::int64_t id = 0;
  lorawan::Eui64 dev_eui = 0;
  std::uint8_t f_port = 1;
  lorawan::Bytes data;
  bool confirmed = false;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::uint32_t> f_cnt_down;  // set once sent
  int attempts = 0;
  // The item's identity for integrations (queueItemId in ack, txack and log events): a UUID,
  // unique among all items ever queued. Empty when enqueuing: a new random one is made; a
  // command's own `id` may be given instead (a repeated one fails the insert: UNIQUE).
  std::string queue_item_id;
  // A codec's clock correction (appserver/metering/), not an application payload: sent at the
  // clock-correction tier when airtime is short (netserver/scheduling/downlink_priority.h).
  bool clock_correction = false;
};

// What every queued downlink must satisfy, whoever queues it: FPort 1–223 (0 is for MAC
// commands, 224 for the test protocol) and at most 242 bytes, the largest FRMPayload any
// RU864/EU868 data rate carries.
lorawan::Result<void> check_downlink(std::int64_t f_port, std::size_t payload_size);

// Returns the new row id. `item.queue_item_id` empty: a new random UUID is stored.
std::int64_t enqueue_downlink(Database& db, const QueueItem& item);
// Whether an item was ever queued with this public id (in the queue now or gone since):
// queue item ids are never reused (migration 0012).
bool queue_item_id_in_use(Database& db, std::string_view queue_item_id);
// Oldest items first, expired ones excluded.
std::vector<QueueItem> pending_downlinks(Database& db, lorawan::Eui64 dev_eui, std::int64_t now);
// Removes and returns the device's items whose expiry has passed.
std::vector<QueueItem> take_expired_downlinks(Database& db, lorawan::Eui64 dev_eui, std::int64_t now);
void mark_downlink_sent(Database& db, std::int64_t id, std::uint32_t f_cnt_down);
// Takes a pending item (never sent) for its first transmission, as mark_downlink_sent (confirmed)
// or delete_downlink (unconfirmed) would, but only while it is still pending: false when someone
// else took it first — another uchetd on the same PostgreSQL delivering the same class C queue.
// The conditional update is the claim: on PostgreSQL the second taker waits for the first one's
// transaction and then finds nothing to take, so each item goes on air once. Nothing to expire:
// a taker that dies before committing leaves the item pending.
bool take_pending_downlink(Database& db, const QueueItem& item, std::uint32_t f_cnt_down);
// Puts an item back exactly as pending_downlinks() returned it (same id, so same place in the
// queue; its FCntDown, if any, from an earlier attempt), after it was taken for a downlink that
// no gateway accepted or whose gateway reported an error in every receive window (TX_ACK). The
// item may have been deleted (unconfirmed) or marked sent (confirmed) since.
void return_downlink(Database& db, const QueueItem& item);
void delete_downlink(Database& db, std::int64_t id);
// Devices with any item (sent or not, expired or not): the network server reads this once per
// write transaction instead of looking up the queue of every uplink's device.
std::vector<lorawan::Eui64> devices_with_downlinks(Database& db);
// How many enqueue_downlink() calls this process has made, on any connection. A reader that
// cached devices_with_downlinks() inside a write transaction (when no other process can write)
// knows its copy is still complete while this has not moved.
std::uint64_t downlinks_enqueued_in_process();
// Devices with items not yet sent (class C delivery polls this).
std::vector<lorawan::Eui64> devices_with_unsent_downlinks(Database& db);

}  // namespace uchet::schema
