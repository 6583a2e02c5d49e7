#pragma once
// Webhook delivery, as ChirpStack's HTTP integration does it: every device event is POSTed to
// each configured endpoint ([[integration.http]]) as the same JSON it is published with over
// MQTT, to the endpoint's URL with `?event=<kind>` added (up, join, ack, txack, status, log...).
//
// Guarantees, per endpoint:
//  - Durable and at least once. Each endpoint reads its own copy of the outbox (schema/
//    http_outbox.h, written in the transaction that stores the event); a row is deleted only
//    after the endpoint answered it. After a crash the last second's deliveries may repeat.
//  - In order: rows are sent one at a time in id (commit) order, so each device's events arrive
//    in the order they happened; a failed row is retried, with exponential backoff, before any
//    later one.
//  - Isolated. Each endpoint has its own thread, SQLite connection and HTTP connection: a dead
//    or slow endpoint (every step bounded by its timeout) delays nobody but itself — not MQTT,
//    not the radio path, not another endpoint; its backlog waits in the database.
//  - Bounded. Retries back off exponentially from retry_min to retry_max (60 s): a commit does
//    not cut a backoff short. An endpoint's backlog is capped at `max_backlog` rows: past it the
//    oldest waiting events are deleted unsent and counted as `discarded` (logged), so a dead
//    endpoint costs at most that much disk; MQTT's own outbox is not affected.
//  - An answer 2xx is delivered. 400, 413, 415 and 422 refuse that event (its content): it is
//    logged, counted as dropped, and the next event follows. Every other status (401, 403, 404
//    as much as 429 and 5xx: a wrong token or path is fixed by the operator, not by dropping
//    every event meanwhile) and no answer at all are retried.
//  - One deliverer per endpoint among several instances (PostgreSQL, docs/deployment.md layout 3):
//    with HttpDeliveryOptions::lease set, only the instance holding that endpoint's lease
//    ("webhook <id>") delivers; the others stand by and take over within about a second of the
//    holder's death (schema/leader_lease.h), starting again at the oldest row still stored.
// Events that are not device events (gateway statistics, object events) and kinds outside the
// endpoint's `events` filter are skipped. start(), stop(), notify() and stats() are thread-safe.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "appserver/integration/topics.h"

namespace uchet::schema {
class LeaderLease;
}

namespace uchet::appserver {

// The device event kinds uchet emits, which an endpoint's `events` filter may name.
inline constexpr std::array<std::string_view, 7> kHttpEventKinds = {"up",     "join", "ack",  "txack",
                                                                    "status", "log",  "alarm"};

// One [[integration.http]] entry, already checked.
struct HttpEndpointSettings {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> events;            // empty: every device event
  std::string ca_file;                        // empty: the system's CA store (https only)
  std::chrono::milliseconds timeout{10'000};  // each step: resolve, connect, handshake, write, read
  std::int64_t max_backlog = 100'000;         // rows kept for the endpoint; older ones are discarded
};

struct HttpDeliveryOptions {
  // Several instances on one database: deliver only while holding this lease (its hold() is
  // called on the endpoint's worker thread; it must outlive the integration). Null: always.
  schema::LeaderLease* lease = nullptr;
  std::chrono::milliseconds retry_min{1'000};
  std::chrono::milliseconds retry_max{60'000};
  std::chrono::milliseconds poll_interval{1'000};    // new rows are found at least this often
  std::chrono::milliseconds delete_interval{1'000};  // delivered rows are deleted together
};

// What an endpoint has done since start, for the stop line and the metrics endpoint.
struct HttpEndpointStats {
  std::string url;              // without its query (which may carry a token)
  std::uint64_t delivered = 0;  // events answered 2xx
  std::uint64_t failed = 0;     // attempts that got no answer or a status to retry on
  std::uint64_t dropped = 0;    // events the endpoint refused (400, 413, 415, 422), not retried
  std::uint64_t discarded = 0;  // events deleted unsent because the backlog exceeded max_backlog
  bool retrying = false;        // the oldest event is waiting for its next attempt
  std::int64_t backlog = 0;     // events waiting (refreshed after each batch)
};

class HttpIntegration {
 public:
  // `endpoint_id` from schema::sync_http_endpoints. Opens its own connection to the database
  // file (throws schema::StorageError if that fails); does not start.
  HttpIntegration(HttpEndpointSettings settings, std::int64_t endpoint_id, const std::string& database_path,
                  TopicLayout topics, HttpDeliveryOptions options = {});
  ~HttpIntegration();  // stop()
  HttpIntegration(const HttpIntegration&) = delete;
  HttpIntegration& operator=(const HttpIntegration&) = delete;

  void start();
  // Stops after the request in flight (at most its timeout), deleting what was delivered.
  void stop();
  // Tells the worker rows were committed; cheap, any thread.
  void notify();
  HttpEndpointStats stats() const;

 private:
  class Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace uchet::appserver
