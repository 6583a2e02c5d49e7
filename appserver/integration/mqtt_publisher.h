#pragma once
// OutboxPublisher delivers the committed rows of the `outbox` table (outbox.h) to an MQTT
// broker, QoS 1, and deletes each row once the broker has acknowledged it (PUBACK).
//
// Guarantees:
//  - At least once. A row leaves the outbox only after its PUBACK, so a lost connection, a
//    broker restart, a daemon crash or stop() never loses an event; it may repeat one (a row
//    sent but not yet acknowledged when the connection dropped is sent again, and after a crash
//    also the rows acknowledged but not yet deleted: deletion is batched, see delete_interval).
//  - Order. On each connection rows are published in increasing id order; after every
//    (re)connect publishing starts again at the oldest row still in the outbox. A subscriber
//    therefore sees ids increasing, except that a reconnect may replay a tail it already saw.
//  - The outbox is the only queue. Nothing is held in memory while disconnected: every
//    connection uses a fresh libmosquitto client, because libmosquitto would otherwise replay
//    its own in-flight messages on reconnect, duplicating (and reordering against) our resend.
//    For the same reason the MQTT session is clean: the broker holds nothing for us either.
//  - Rows committed by any connection or process, or left over from before a restart, are
//    found by polling (PublisherOptions::poll_interval); notify() makes it immediate.
//  - A row MQTT refuses outright (invalid topic, oversized payload) is logged and deleted, so
//    it cannot block the outbox forever; enqueue_event() refuses such rows up front.
//
// Several instances (PostgreSQL, docs/deployment.md layout 3): with PublisherOptions::lease
// set, only the instance holding that lease ("outbox") connects and publishes; the others stand
// by without a broker connection and take over within about a second of the holder's death
// (schema/leader_lease.h). One publisher reading the outbox in id order, and ids following
// commit order (schema/outbox.h), keep the order per device across instances; a handover may
// repeat the rows the old holder had in flight or had not yet deleted (at least once).
//
// Threading: one worker thread owns the MQTT client and its own SQLite connection to the
// database file (WAL lets it read and delete beside the daemon's writer; with hand_off_acked it
// only reads). start(), stop(),
// notify() and stats() may be called from any thread. Broker and SQLite errors are logged
// and retried, with reconnects backing off from reconnect_min to reconnect_max; they never
// throw out of the worker. Connection changes are logged once per change of state.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "appserver/integration/topics.h"

struct mosquitto;

namespace uchet::schema {
class LeaderLease;
}

namespace uchet::appserver {

// The [mqtt] section of the configuration, already parsed (host and port split).
struct MqttSettings {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string username;  // empty: no authentication
  std::string password;
  std::string client_id;  // empty: the broker assigns one
  std::string ca_file;    // non-empty: TLS, verifying the broker against this CA
  bool tls = false;       // TLS (ssl://); without ca_file the broker is verified against the OS's CAs
  int keepalive_s = 30;
  // event_topic and command_topic: where device events go and commands come from.
  TopicLayout topics;

  bool uses_tls() const { return tls || !ca_file.empty(); }
};

// Sets up TLS on a libmosquitto client as `settings` asks (nothing when it asks for none):
// the broker's certificate is verified against ca_file, or the OS's CA store when only
// ssl:// was given, and its name must match the host. A libmosquitto error code.
int configure_tls(mosquitto* client, const MqttSettings& settings);

struct PublisherOptions {
  std::size_t max_inflight = 100;  // published rows awaiting PUBACK, at most
  // Acknowledged rows are deleted together, when this many have gathered or delete_interval has
  // passed. Each DELETE needs the write lock the network server holds while it stores frames;
  // deleting every few hundred rows made the publisher wait for it so often that MQTT delivery
  // fell seconds behind storage under load (BENCHMARKS.md, run J).
  std::size_t delete_batch = 8192;
  std::chrono::milliseconds delete_interval{1000};
  // When set, acknowledged ids are handed to this function (on the publisher's thread, every
  // delete_interval) instead of being deleted through the publisher's own connection; it returns
  // false to refuse them, and the publisher then deletes them itself. uchetd hands them to its
  // writer thread: one writer means the radio path never waits for the publisher's write lock,
  // and publishing never pauses for a DELETE (3,000 rows took 18-32 ms once a second, which was
  // the latency tail at 3,000 uplinks/s; BENCHMARKS.md, run K). Rows handed off are skipped
  // (not sent again) until they are gone from the outbox.
  std::function<bool(const std::vector<std::int64_t>& acknowledged_ids)> hand_off_acked;
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds reconnect_min{1000};
  // The broker is usually local: a short ceiling gets the backlog moving soon after it returns.
  std::chrono::milliseconds reconnect_max{5000};
  std::chrono::milliseconds connect_timeout{10000};  // TCP + TLS + CONNACK
  std::chrono::milliseconds drain_timeout{2000};     // stop() waits this long for PUBACKs
  // Several instances on one database: publish only while holding this lease (used on the
  // worker thread, which calls its hold(); it must outlive the publisher). Null: always.
  schema::LeaderLease* lease = nullptr;
};

struct PublisherStats {
  std::uint64_t published = 0;         // PUBLISH packets handed to the broker (resends included)
  std::uint64_t acknowledged = 0;      // PUBACKs received
  std::uint64_t dropped = 0;           // rows MQTT refused outright, deleted unsent
  std::uint64_t connect_failures = 0;  // connection attempts that did not reach CONNACK success
  std::int64_t backlog = 0;            // rows in the outbox (outbox_backlog), refreshed each poll
  bool connected = false;
  // Another instance holds the outbox lease: this one stands by, unconnected by design (not
  // counted as disconnected: disconnected_since is empty).
  bool standby = false;
  // Since when the publisher has had no connection (std::nullopt while connected): from its
  // start until the first CONNACK, and from each loss of the connection until the next.
  std::optional<std::chrono::system_clock::time_point> disconnected_since;
};

class OutboxPublisher {
 public:
  // Opens (and migrates, if needed) its own connection to the database file; throws
  // schema::StorageError if that fails. Does not connect yet.
  OutboxPublisher(MqttSettings settings, const std::string& database_path, PublisherOptions options = {});
  ~OutboxPublisher();  // stop()
  OutboxPublisher(const OutboxPublisher&) = delete;
  OutboxPublisher& operator=(const OutboxPublisher&) = delete;

  // Starts the worker thread, which connects and keeps reconnecting. No-op if running.
  void start();
  // Stops publishing, waits up to drain_timeout for outstanding PUBACKs, deletes the rows
  // acknowledged so far, disconnects and joins the worker. Idempotent; start() may follow.
  void stop();
  // Tells the publisher that rows were committed; call after the commit. Cheap, any thread.
  void notify();

  PublisherStats stats() const;

 private:
  class Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace uchet::appserver
