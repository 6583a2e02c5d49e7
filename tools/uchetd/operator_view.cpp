#include "tools/uchetd/operator_view.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "netserver/lorawan/encoding.h"

namespace uchet {

using observability::MetricFamily;
using observability::Sample;

namespace {

MetricFamily labelled(std::string name, std::string help, MetricFamily::Type type, std::string label,
                      std::vector<std::pair<std::string, std::uint64_t>> values) {
  MetricFamily f{std::move(name), std::move(help), type, {}};
  for (auto& [value_name, value] : values)
    f.samples.push_back(Sample{{{label, value_name}}, static_cast<double>(value)});
  return f;
}

void add_database_families(std::vector<MetricFamily>& out, const DatabaseFigures& d, std::int64_t now) {
  using observability::gauge;
  const auto G = MetricFamily::Type::gauge;
  const auto C = MetricFamily::Type::counter;
  out.push_back(gauge("uchet_devices", "Registered devices", static_cast<double>(d.devices)));
  out.push_back(
      gauge("uchet_sessions", "Devices with a network session (joined or ABP)", static_cast<double>(d.sessions)));
  MetricFamily alarms{"uchet_alarms_open", "Open alarms, by kind (devices' and buildings')", G, {}};
  for (const auto& [kind, count] : d.open_alarms)
    alarms.samples.push_back(Sample{{{"kind", kind}}, static_cast<double>(count)});
  out.push_back(std::move(alarms));
  out.push_back(gauge(
      "uchet_outbox_oldest_row_age_seconds", "Age of the oldest event waiting in the outbox (0 when empty)",
      d.oldest_outbox_row_at ? static_cast<double>(std::max<std::int64_t>(0, now - *d.oldest_outbox_row_at)) : 0));
  MetricFamily seen{"uchet_gateway_last_seen_timestamp_seconds",
                    "When the gateway's last status report arrived (Unix time; absent: never)",
                    G,
                    {}};
  MetricFamily up{"uchet_gateway_uplinks_total", "Packets the gateway reported receiving, by stage", C, {}};
  MetricFamily down{"uchet_gateway_downlinks_total", "Downlinks the gateway reported, by stage", C, {}};
  for (const auto& g : d.gateways) {
    if (g.last_seen_at)
      seen.samples.push_back(Sample{{{"gateway_id", g.gateway_id}}, static_cast<double>(*g.last_seen_at)});
    for (const auto& [stage, value] :
         {std::pair{"received", g.rx_received}, std::pair{"crc_ok", g.rx_ok}, std::pair{"forwarded", g.rx_forwarded}}) {
      up.samples.push_back(Sample{{{"gateway_id", g.gateway_id}, {"stage", stage}}, static_cast<double>(value)});
    }
    for (const auto& [stage, value] : {std::pair{"received", g.tx_received}, std::pair{"emitted", g.tx_emitted}}) {
      down.samples.push_back(Sample{{{"gateway_id", g.gateway_id}, {"stage", stage}}, static_cast<double>(value)});
    }
  }
  out.push_back(std::move(seen));
  out.push_back(std::move(up));
  out.push_back(std::move(down));
}

// The Basics Station server ([basic_station]): connections, refusals by reason, messages
// refused, downlink confirmations, and each connected gateway's last sign of life.
void add_basic_station_families(std::vector<MetricFamily>& out, const gateway_bridge::basic_station::StationCounters& b,
                                const std::vector<gateway_bridge::basic_station::StationConnection>& connections) {
  using observability::counter;
  using observability::gauge;
  const auto G = MetricFamily::Type::gauge;
  const auto C = MetricFamily::Type::counter;
  out.push_back(gauge("uchet_basic_station_connections", "Basics Station gateways connected now",
                      static_cast<double>(b.connections_open)));
  out.push_back(labelled("uchet_basic_station_connections_total", "Basics Station traffic connections, by event", C,
                         "event",
                         {{"accepted", b.connections_accepted},
                          {"replaced", b.connections_replaced},
                          {"timed_out", b.connections_timed_out}}));
  out.push_back(counter("uchet_basic_station_discoveries_total", "Basics Station discoveries answered with a URI",
                        static_cast<double>(b.discoveries_answered)));
  out.push_back(labelled("uchet_basic_station_refusals_total", "Basics Station connections refused, by reason", C,
                         "reason",
                         {{"unknown_gateway", b.refused_unknown_gateway},
                          {"credential", b.refused_credential},
                          {"handshake", b.refused_handshake},
                          {"over_limit", b.refused_over_limit}}));
  out.push_back(labelled("uchet_basic_station_messages_refused_total", "Basics Station messages refused, by reason", C,
                         "reason",
                         {{"oversized", b.messages_oversized},
                          {"malformed", b.messages_malformed},
                          {"unknown_type", b.messages_unknown_type}}));
  out.push_back(counter("uchet_basic_station_uplinks_total", "Receptions from Basics Station gateways",
                        static_cast<double>(b.uplinks)));
  out.push_back(labelled("uchet_basic_station_downlinks_total",
                         "Basics Station downlinks by outcome: confirmed by dntxed, none in time, a dntxed after "
                         "its bound, or lost to a closed connection",
                         C, "outcome",
                         {{"dntxed", b.dntxed},
                          {"dntxed_timeout", b.dntxed_timeouts},
                          {"dntxed_late", b.dntxed_late},
                          {"disconnected", b.disconnect_failures}}));
  MetricFamily seen{"uchet_basic_station_last_seen_timestamp_seconds",
                    "When a Basics Station gateway last sent a message or answered a ping (Unix time; those "
                    "connected since uchetd started)",
                    G,
                    {}};
  for (const auto& c : connections)
    seen.samples.push_back(Sample{{{"gateway_id", lorawan::eui64_to_string(c.gateway_eui)}},
                                  static_cast<double>(c.last_seen.time_since_epoch().count())});
  out.push_back(std::move(seen));
}

// Per gateway, from the downlink scheduler: its counters, refusals by reason, airtime per
// sub-band in the last hour.
void add_gateway_downlink_families(std::vector<MetricFamily>& out,
                                   const std::vector<netserver::scheduling::DownlinkScheduler::GatewayFigures>& gws) {
  const auto C = MetricFamily::Type::counter;
  MetricFamily planned{"uchet_gateway_downlink_scheduling_total",
                       "Downlink windows per gateway: booked (planned), handed over (sent), acknowledged without "
                       "error, MAC requests deferred",
                       C,
                       {}};
  MetricFamily refused{"uchet_gateway_downlinks_refused_total",
                       "Downlinks per gateway not planned or not on air, by reason (scheduler's or TX_ACK's)",
                       C,
                       {}};
  MetricFamily airtime{"uchet_gateway_airtime_last_hour_seconds",
                       "Downlink airtime per gateway and duty-cycle sub-band within the last hour",
                       MetricFamily::Type::gauge,
                       {}};
  for (const auto& g : gws) {
    const auto id = lorawan::eui64_to_string(g.gateway_eui);
    for (const auto& [stage, value] : {std::pair<const char*, std::uint64_t>{"planned", g.counters.planned},
                                       {"sent", g.counters.sent},
                                       {"acknowledged", g.counters.acknowledged},
                                       {"deferred", g.counters.deferred}}) {
      planned.samples.push_back(Sample{{{"gateway_id", id}, {"stage", stage}}, static_cast<double>(value)});
    }
    for (const auto& [reason, value] : g.counters.refused)
      refused.samples.push_back(Sample{{{"gateway_id", id}, {"reason", reason}}, static_cast<double>(value)});
    for (const auto& [band, used] : g.airtime_last_hour) {
      airtime.samples.push_back(
          Sample{{{"gateway_id", id}, {"sub_band", std::string(band)}}, std::chrono::duration<double>(used).count()});
    }
  }
  out.push_back(std::move(planned));
  out.push_back(std::move(refused));
  out.push_back(std::move(airtime));
}

// The downlink relay between instances on one PostgreSQL (docs/deployment.md, layout 3).
void add_relay_families(std::vector<MetricFamily>& out, const gateway_bridge::cluster_relay::RelayCounters& r) {
  const auto C = MetricFamily::Type::counter;
  out.push_back(labelled("uchet_relayed_downlinks_total",
                         "Downlinks this instance relayed to the instance holding their gateway's path, by stage: "
                         "written, sent by the holder's gateway, refused or failed there, given up without an "
                         "outcome, not relayed for a database error",
                         C, "stage",
                         {{"relayed", r.relayed},
                          {"sent", r.relayed_ok},
                          {"refused", r.relayed_failed},
                          {"no_outcome", r.relayed_no_outcome},
                          {"database_error", r.relay_errors}}));
  out.push_back(labelled("uchet_held_relayed_downlinks_total",
                         "Downlinks other instances relayed to this one, the holder of their gateway's path, by "
                         "stage: taken, handed to the gateway, refused too late, by the gateway's timeline or duty "
                         "cycle, for an unreachable gateway, or malformed",
                         C, "stage",
                         {{"taken", r.held_taken},
                          {"sent", r.held_sent},
                          {"too_late", r.held_too_late},
                          {"refused_timeline", r.held_refused_timeline},
                          {"refused_duty_cycle", r.held_refused_duty_cycle},
                          {"unreachable", r.held_unreachable},
                          {"malformed", r.held_malformed}}));
  out.push_back(observability::counter("uchet_gateway_path_writes_total",
                                       "Gateway downlink paths this instance wrote (taken or refreshed)",
                                       static_cast<double>(r.paths_written)));
  out.push_back(observability::counter("uchet_relay_listen_reconnects_total",
                                       "Times the relay's LISTEN connection dropped and was opened again (relayed "
                                       "downlinks and outcomes then re-read)",
                                       static_cast<double>(r.listen_reconnects)));
}

}  // namespace

std::vector<MetricFamily> metric_families(const DaemonFigures& f) {
  using observability::counter;
  using observability::gauge;
  const auto& n = f.network;
  const auto C = MetricFamily::Type::counter;
  std::vector<MetricFamily> out;
  out.push_back(counter("uchet_receptions_total", "Radio packets received from gateways (every copy of every frame)",
                        static_cast<double>(n.receptions)));
  out.push_back(counter("uchet_late_copies_total",
                        "Copies of a frame that arrived after its deduplication window closed",
                        static_cast<double>(n.late_copies)));
  out.push_back(counter("uchet_frames_total", "Deduplicated frames processed", static_cast<double>(n.frames)));
  out.push_back(counter("uchet_uplinks_accepted_total", "Data uplinks accepted (MIC and frame counter valid)",
                        static_cast<double>(n.uplinks_accepted)));
  out.push_back(counter("uchet_uplink_retransmissions_total", "Uplinks repeating the last frame counter",
                        static_cast<double>(n.uplink_retransmissions)));
  out.push_back(counter("uchet_joins_accepted_total", "Join-requests answered with a join-accept",
                        static_cast<double>(n.joins_accepted)));
  out.push_back(labelled("uchet_frames_rejected_total", "Frames refused, by reason", C, "reason",
                         {{"malformed", n.malformed},
                          {"unsupported_mtype", n.unsupported_mtype},
                          {"join_unknown_device", n.join_unknown_device},
                          {"join_bad_mic", n.join_bad_mic},
                          {"join_nonce_reused", n.join_nonce_reused},
                          {"unknown_dev_addr", n.uplink_unknown_dev_addr},
                          {"bad_mic", n.uplink_bad_mic},
                          {"replay", n.uplink_replay}}));
  out.push_back(labelled("uchet_downlinks_total", "Downlinks by outcome", C, "outcome",
                         {{"sent", n.downlinks_sent},
                          {"rerouted", n.downlinks_rerouted},
                          {"retried_rx2", n.downlinks_retried_rx2},
                          {"send_failed", n.downlink_send_failed},
                          {"failed_on_air", n.downlinks_failed_on_air},
                          {"returned_to_queue", n.downlinks_returned_to_queue},
                          {"tx_ack_error", n.tx_ack_errors},
                          {"not_planned", n.downlinks_not_planned}}));
  out.push_back(counter("uchet_mac_requests_deferred_total",
                        "Uplinks whose MAC requests were left for a later uplink (no airtime or slot at "
                        "housekeeping priority)",
                        static_cast<double>(n.mac_requests_deferred)));
  add_gateway_downlink_families(out, f.gateway_downlinks);
  if (f.basic_station) add_basic_station_families(out, *f.basic_station, f.station_connections);
  out.push_back(counter("uchet_dev_status_deferred_total", "DevStatusReq due but deferred by the network-wide budget",
                        static_cast<double>(n.dev_status_deferred)));
  out.push_back(counter("uchet_storage_failures_total", "Frames or jobs undone by a storage failure",
                        static_cast<double>(n.storage_failures)));
  // Several instances on one PostgreSQL database (docs/deployment.md, layout 3).
  out.push_back(counter("uchet_session_reloads_total",
                        "Device sessions reloaded because another instance may have changed them",
                        static_cast<double>(n.session_reloads)));
  out.push_back(counter("uchet_frames_claimed_elsewhere_total",
                        "Frames another instance claimed and processed: this one handed over its receptions and "
                        "dropped its copy",
                        static_cast<double>(n.frames_claimed_elsewhere)));
  out.push_back(gauge("uchet_held_frames", "Frames held until their owner on another instance has processed them",
                      static_cast<double>(f.held_frames)));
  out.push_back(counter("uchet_frames_taken_over_total",
                        "Frames whose owner died before processing them, taken over and processed here",
                        static_cast<double>(n.frames_taken_over)));
  out.push_back(labelled("uchet_held_frames_dropped_total",
                         "Frames held for another instance and dropped unprocessed by this one", C, "reason",
                         {{"owner_too_slow", n.held_frames_expired}, {"held_set_full", n.held_frames_dropped}}));
  out.push_back(labelled("uchet_taken_over_not_answered_total",
                         "Taken-over frames left unanswered (their class A windows had passed)", C, "what",
                         {{"answer", n.answers_not_owed}, {"join_request", n.late_joins_dropped}}));
  out.push_back(counter("uchet_late_uplinks_total",
                        "Data uplinks stored late: claimed before the device's newer frame, which another instance "
                        "stored first (FCntUp and MAC state left as that frame set them, no answer)",
                        static_cast<double>(n.late_uplinks)));
  out.push_back(counter("uchet_frame_claim_failures_total",
                        "Frame claims or hand-overs that failed (the frame was processed here regardless)",
                        static_cast<double>(n.claim_failures)));
  out.push_back(counter("uchet_claim_receptions_received_total",
                        "Receptions other instances handed over for frames this instance owned",
                        static_cast<double>(n.claim_receptions_received)));
  out.push_back(labelled("uchet_overload_drops_total", "Receptions dropped by the gateway bridge in overload", C,
                         "what", {{"push_data_datagrams", f.datagrams_shed}, {"receptions", f.uplinks_dropped}}));
  if (f.relay) add_relay_families(out, *f.relay);
  out.push_back(counter("uchet_mqtt_published_total", "MQTT PUBLISH packets handed to the broker (resends included)",
                        static_cast<double>(f.publisher.published)));
  out.push_back(counter("uchet_mqtt_acknowledged_total", "PUBACKs received from the broker",
                        static_cast<double>(f.publisher.acknowledged)));
  out.push_back(counter("uchet_mqtt_dropped_total", "Outbox rows the broker refused outright (deleted unsent)",
                        static_cast<double>(f.publisher.dropped)));
  out.push_back(counter("uchet_mqtt_connect_failures_total", "MQTT connection attempts that failed",
                        static_cast<double>(f.publisher.connect_failures)));
  out.push_back(
      gauge("uchet_mqtt_connected", "1 while the publisher is connected to the broker", f.publisher.connected ? 1 : 0));
  out.push_back(gauge("uchet_outbox_rows", "Events stored and not yet acknowledged by the broker",
                      static_cast<double>(f.publisher.backlog)));
  out.push_back(labelled("uchet_mqtt_commands_total", "Downlink commands received over MQTT, by outcome", C, "outcome",
                         {{"queued", f.commands_queued},
                          {"refused", f.commands_refused},
                          {"topic_refused", f.command_topics_refused},
                          {"lost", f.commands_lost}}));
  out.push_back(counter("uchet_callback_failures_total", "Exceptions caught at a callback boundary (bugs)",
                        static_cast<double>(f.callback_failures)));
  out.push_back(counter("uchet_frames_pruned_total",
                        "Archived uplink frames deleted by retention ([storage] frame_retention_days)",
                        static_cast<double>(f.frames_pruned)));
  out.push_back(
      gauge("uchet_wal_size_bytes", "Size of the database's write-ahead log", static_cast<double>(f.wal_bytes)));
  out.push_back(observability::histogram("uchet_commit_duration_seconds",
                                         "Duration of the network server's group commits", f.commit_latency));
  out.push_back(observability::histogram("uchet_uplink_stored_latency_seconds",
                                         "From a frame's first reception to the commit storing it (deduplication "
                                         "window included)",
                                         f.end_to_end_latency));
  out.push_back(observability::histogram("uchet_checkpoint_duration_seconds",
                                         "Duration of WAL checkpoints that copied pages", f.checkpoint_duration));
  if (f.database.valid) add_database_families(out, f.database, f.now);
  out.push_back(
      counter("uchet_http_requests_total", "Requests answered by this endpoint", static_cast<double>(f.http_requests)));
  out.push_back(counter("uchet_http_connections_refused_total",
                        "HTTP connections closed unanswered (too many, too slow or malformed)",
                        static_cast<double>(f.http_connections_refused)));
  MetricFamily leases{"uchet_lease_held",
                      "1 for each lease this instance holds (the outbox, a webhook, the MQTT commands, a singleton "
                      "job), 0 for those another instance holds",
                      MetricFamily::Type::gauge,
                      {}};
  for (const auto& [role, held] : f.leases) leases.samples.push_back(Sample{{{"role", role}}, held ? 1.0 : 0.0});
  out.push_back(std::move(leases));
  // The HTTP integration, one sample per endpoint (labelled by its URL).
  const auto per_webhook = [&](std::string name, std::string help, MetricFamily::Type type, auto value) {
    MetricFamily family{std::move(name), std::move(help), type, {}};
    for (const auto& w : f.webhooks) family.samples.push_back(Sample{{{"url", w.url}}, static_cast<double>(value(w))});
    out.push_back(std::move(family));
  };
  using Webhook = appserver::HttpEndpointStats;
  per_webhook("uchet_webhook_delivered_total", "Events an HTTP integration endpoint answered with 2xx", C,
              [](const Webhook& w) { return w.delivered; });
  per_webhook("uchet_webhook_failed_attempts_total", "POSTs that got no answer or a status that is retried", C,
              [](const Webhook& w) { return w.failed; });
  per_webhook("uchet_webhook_refused_total", "Events the endpoint refused (400, 413, 415, 422), not sent again", C,
              [](const Webhook& w) { return w.dropped; });
  per_webhook("uchet_webhook_discarded_total", "Events deleted unsent because the endpoint's backlog was full", C,
              [](const Webhook& w) { return w.discarded; });
  per_webhook("uchet_webhook_backlog_rows", "Events waiting for the endpoint", MetricFamily::Type::gauge,
              [](const Webhook& w) { return w.backlog; });
  return out;
}

observability::HttpResponse readiness(const ReadinessInputs& in) {
  nlohmann::json reasons = nlohmann::json::array();
  if (!in.network_server_answered) reasons.push_back("the network server did not answer within 2 s");
  if (!in.database) reasons.push_back("the database takes no writes: " + in.database.error());
  if (!in.publisher.connected && in.publisher.disconnected_since &&
      in.now - *in.publisher.disconnected_since >= in.broker_grace) {
    const auto away = std::chrono::duration_cast<std::chrono::seconds>(in.now - *in.publisher.disconnected_since);
    reasons.push_back("the MQTT broker has been unreachable for " + std::to_string(away.count()) + " s; " +
                      std::to_string(in.publisher.backlog) + " events wait in the outbox");
  }
  const bool ready = reasons.empty();
  nlohmann::json body{
      {"ready", ready}, {"mqttConnected", in.publisher.connected}, {"outboxRows", in.publisher.backlog}};
  if (!ready) body["reasons"] = std::move(reasons);
  return {ready ? 200u : 503u, "application/json", body.dump()};
}

}  // namespace uchet
