#pragma once
// What uchetd shows an operator over HTTP: its figures as Prometheus metric families, and the
// readiness verdict with its reasons. Pure: the daemon gathers the figures (the network
// server's on its own thread, the database's on a thread of their own every few seconds:
// tools/uchetd/database_figures.h) and the HTTP endpoint serves what these functions return.
// This is the one place metrics are named and rendered: a new figure is a field of
// DaemonFigures and a family in metric_families().
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "appserver/integration/http_integration.h"
#include "appserver/integration/mqtt_publisher.h"
#include "common/latency_histogram.h"
#include "gateway-bridge/basic_station/station_backend.h"
#include "gateway-bridge/cluster_relay/cluster_relay.h"
#include "netserver/network_server.h"
#include "observability/http_endpoint.h"
#include "observability/prometheus_text.h"

namespace uchet {

// Figures read from the database by SQL, refreshed off the radio path (database_figures.h).
struct DatabaseFigures {
  bool valid = false;  // false until the first refresh succeeded
  std::int64_t devices = 0, sessions = 0;
  std::vector<std::pair<std::string, std::int64_t>> open_alarms;  // by kind
  std::optional<std::int64_t> oldest_outbox_row_at;               // Unix seconds
  struct Gateway {
    std::string gateway_id;                    // EUI, 16 hex digits
    std::optional<std::int64_t> last_seen_at;  // Unix seconds
    std::int64_t rx_received = 0, rx_ok = 0, rx_forwarded = 0, tx_received = 0, tx_emitted = 0;
  };
  std::vector<Gateway> gateways;
};

struct DaemonFigures {
  netserver::NetworkCounters network;
  std::size_t held_frames = 0;                            // frames held for their owners on other instances
  std::uint64_t datagrams_shed = 0, uplinks_dropped = 0;  // gateway bridge overload
  appserver::PublisherStats publisher;
  std::uint64_t commands_queued = 0, commands_refused = 0, command_topics_refused = 0, commands_lost = 0;
  std::uint64_t callback_failures = 0;
  std::uint64_t http_requests = 0, http_connections_refused = 0;
  DatabaseFigures database;
  std::int64_t now = 0;  // Unix seconds, for the outbox's age
  std::int64_t wal_bytes = 0;
  std::uint64_t frames_pruned = 0;  // [storage] frame_retention_days
  common::LatencyHistogram::Snapshot commit_latency, end_to_end_latency, checkpoint_duration;
  std::vector<appserver::HttpEndpointStats> webhooks;  // one per [[integration.http]] entry
  // The downlink scheduler's per-gateway counters and airtime (netserver/scheduling/).
  std::vector<netserver::scheduling::DownlinkScheduler::GatewayFigures> gateway_downlinks;
  // The Basics Station server's counters and live connections; absent when it is off.
  std::optional<gateway_bridge::basic_station::StationCounters> basic_station;
  std::vector<gateway_bridge::basic_station::StationConnection> station_connections;
  // Each lease this instance competes for (schema/leader_lease.h) and whether it holds it now;
  // on SQLite every lease is held.
  std::vector<std::pair<std::string, bool>> leases;
  // The downlink relay between instances (gateway-bridge/cluster_relay/); absent on SQLite.
  std::optional<gateway_bridge::cluster_relay::RelayCounters> relay;
};

std::vector<observability::MetricFamily> metric_families(const DaemonFigures& figures);

struct ReadinessInputs {
  bool network_server_answered = false;       // within the endpoint's wait
  std::expected<void, std::string> database;  // schema::check_writable
  appserver::PublisherStats publisher;
  std::chrono::system_clock::time_point now;
  std::chrono::seconds broker_grace{300};  // http.ready_broker_grace_s
};

// 200 {"ready":true,...} or 503 {"ready":false,"reasons":[...]}: ready while the network
// server answers, the database takes writes, and the broker is connected or has been away for
// less than the grace (events wait in the outbox meanwhile, none is lost).
observability::HttpResponse readiness(const ReadinessInputs& in);

}  // namespace uchet
