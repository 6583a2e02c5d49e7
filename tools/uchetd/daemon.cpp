#include "tools/uchetd/daemon.h"

#include <boost/asio.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <set>

#include <unistd.h>

#include "appserver/application_server.h"
#include "appserver/integration/balance_events.h"
#include "appserver/integration/gateway_stats.h"
#include "appserver/integration/http_integration.h"
#include "appserver/integration/mqtt_command_listener.h"
#include "appserver/integration/mqtt_publisher.h"
#include "appserver/integration/outbox.h"
#include "common/callback_guard.h"
#include "gateway-bridge/backend_set.h"
#include "gateway-bridge/basic_station/station_backend.h"
#include "gateway-bridge/cluster_relay/cluster_relay.h"
#include "gateway-bridge/semtech_udp/udp_backend.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/region.h"
#include "netserver/network_server.h"
#include "observability/http_endpoint.h"
#include "schema/basic_station_gateways.h"
#include "schema/checkpointer.h"
#include "schema/database.h"
#include "schema/database_lock.h"
#include "schema/frame_claims.h"
#include "schema/gateway_downlink_figures.h"
#include "schema/health.h"
#include "schema/http_outbox.h"
#include "schema/instances.h"
#include "schema/key_encryption.h"
#include "schema/leader_lease.h"
#include "schema/location.h"
#include "schema/migrations.h"
#include "schema/storage_stats.h"
#include "tools/balance_settings.h"
#include "tools/uchetd/database_figures.h"
#include "tools/uchetd/frame_retention.h"
#include "tools/uchetd/operator_view.h"
#include "tools/uchetd/station_credentials.h"

namespace uchet {
namespace {

appserver::MqttSettings mqtt_settings(const Config& config) {
  auto server = parse_mqtt_server(config.mqtt.server);  // validated at load
  appserver::MqttSettings s;
  s.host = server ? server->host : "127.0.0.1";
  s.port = server ? server->port : 1883;
  s.tls = server && server->tls;
  s.username = config.mqtt.username;
  s.password = config.mqtt.password;
  s.client_id = mqtt_client_id(config);  // per instance on PostgreSQL (tools/config.h)
  s.ca_file = config.mqtt.ca_file;
  s.keepalive_s = config.mqtt.keepalive_s;
  s.topics =
      appserver::TopicLayout::parse(config.mqtt.event_topic, config.mqtt.command_topic).value();  // validated at load
  return s;
}

// Runs `work` now and then every `period` until the timer is cancelled; a failure is logged and
// the next run goes ahead.
void run_periodically(boost::asio::steady_timer& timer, std::chrono::steady_clock::duration period, const char* what,
                      std::function<void()> work) {
  common::run_guarded(what, work);
  timer.expires_after(period);
  timer.async_wait([&timer, period, what, work = std::move(work)](const boost::system::error_code& ec) mutable {
    if (!ec) run_periodically(timer, period, what, std::move(work));
  });
}

// A relayed transmission the holder's scheduler refused, in the gateway's vocabulary: what a
// gateway's own just-in-time queue would have answered (the sender falls back as for that).
gateway_bridge::TxStatus refusal_status(netserver::scheduling::Refusal refusal) {
  using netserver::scheduling::Refusal;
  switch (refusal) {
    case Refusal::SlotTaken:
      return gateway_bridge::TxStatus::CollisionPacket;
    case Refusal::DutyCycle:
      return gateway_bridge::TxStatus::DutyCycleOverflow;
    case Refusal::NoSubBand:
      return gateway_bridge::TxStatus::TxFreq;
    case Refusal::UnknownClock:
    case Refusal::NoGateway:
      break;
  }
  return gateway_bridge::TxStatus::InternalError;
}

constexpr const char* kVersion = "0.1.0";
// How often an instance writes its heartbeat (PostgreSQL): `uchetctl instance list` calls a live
// instance stale after schema::kStaleHeartbeat without one.
constexpr std::chrono::seconds kHeartbeatInterval{5};
// How often uchetd saves the downlink figures of the gateways that had a downlink decision since
// their last save (all of them every minute): the most a crash leaves unsaved of a gateway's
// duty-cycle hour.
constexpr std::chrono::seconds kDownlinkFiguresCheck{5};

// A gateway's duty-cycle hour as last saved (netserver/scheduling/saved_airtime.h), read on the
// network server's connection and thread. updated_at is whole seconds, as is unix_now(): the age
// is taken a second short, so that the saved airtime never leaves the hour before what it stands
// for. A failed read leaves the budget as it is (logged; at most once a minute per gateway, as
// the scheduler reads at most that often).
std::optional<netserver::scheduling::SavedAirtime> read_saved_airtime(schema::Database& db,
                                                                      lorawan::Eui64 gateway_eui) {
  try {
    const auto saved = schema::find_gateway_downlink_figures(db, gateway_eui);
    if (!saved) return std::nullopt;
    if (saved->airtime_saved_at == 0) return std::nullopt;
    const auto age = std::max<std::int64_t>(0, schema::unix_now() - saved->airtime_saved_at - 1);
    return netserver::scheduling::saved_airtime(saved->figures, std::chrono::seconds(age));
  } catch (const schema::StorageError& e) {
    spdlog::warn("gateway {}: saved duty-cycle airtime not read, its budget starts from this instance's own: {}",
                 lorawan::eui64_to_string(gateway_eui), e.what());
    return std::nullopt;
  }
}

std::string host_name() {
  char host[256] = {};
  return ::gethostname(host, sizeof host - 1) == 0 ? std::string(host) : std::string();
}

}  // namespace

int run_daemon(const Config& config) {
  // Held for the whole run: `uchetctl restore` refuses while it is, and so does a second uchetd
  // on an SQLite file, or one with the same [cluster] instance on PostgreSQL.
  const std::string& location = config.storage.location();
  const std::string printable = schema::printable_location(location);  // never the DSN's password
  const bool sqlite = !schema::is_postgresql_location(location);
  const std::string& instance = config.cluster.instance;
  auto held = schema::DatabaseLock::acquire_instance(location, instance);
  if (!held) {
    spdlog::critical("storage: {}", held.error());
    return 2;
  }
  auto db = schema::Database::open(location);
  // Before anything reads a key: a wrong or missing KEK stops uchetd here, with nothing changed.
  auto keys = schema::open_key_encryption(db, config.storage.kek);
  if (!keys) {
    spdlog::critical("{}", keys.error());
    return 2;
  }
  if (!keys->wrapped) {
    spdlog::warn("root and session keys are stored in plain text in {} (set storage.kek_file to wrap them)", printable);
  } else if (keys->keys_wrapped_now > 0) {
    spdlog::info("wrapped {} stored keys with the key-encryption key of {}", keys->keys_wrapped_now,
                 config.storage.kek_file);
  }
  auto region = lorawan::region_by_name(config.network.region);
  if (!region) {
    spdlog::critical("network.region: {}", region.error());
    return 2;
  }
  spdlog::info("uchetd {} starting: database {} (schema v{}), region {}, gateway bridge on {}, MQTT {}", kVersion,
               printable, schema::schema_version(db), config.network.region, config.gateway_bridge.bind,
               config.mqtt.server);
  if (!sqlite) {
    // One of several instances on this database (docs/deployment.md, layout 3): its row, written
    // again on a restart (it rejoins under the same name), and a heartbeat below.
    schema::register_instance(db, schema::InstanceRecord{instance, schema::unix_now(), schema::unix_now(), ::getpid(),
                                                         host_name(), kVersion});
    spdlog::info("cluster: instance {}, MQTT client id {}", instance, mqtt_client_id(config));
  }

  boost::asio::io_context io;
  // Caught from here on: a SIGTERM during start-up (say, from a supervisor that gave up waiting)
  // is held until the loop runs and then stops uchetd cleanly, instead of killing it before the
  // publisher could delete what the broker acknowledged (those events would be sent again).
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);

  // WAL checkpoints (copy + fdatasync) on their own thread, not inside the radio path's commits.
  // SQLite only: a PostgreSQL server checkpoints by itself.
  std::optional<schema::Checkpointer> checkpointer;
  if (sqlite) {
    checkpointer.emplace(location);
    schema::leave_checkpoints_to_checkpointer(db);
  }

  // Downstream first: the publisher drains the outbox whatever happens upstream. It only reads:
  // acknowledged rows are deleted here, on this (the writer's) thread, between the network
  // server's passes, so that no two threads of uchetd wait for each other's write lock.
  std::atomic<bool> writer_running{true};
  std::vector<std::int64_t> undeleted;  // acknowledged rows a failed DELETE left; io thread only
  appserver::PublisherOptions publisher_options;
  publisher_options.delete_interval = std::chrono::milliseconds(100);
  publisher_options.hand_off_acked = [&io, &db, &writer_running, &undeleted](const std::vector<std::int64_t>& ids) {
    if (!writer_running) return false;  // stopping: the publisher deletes them itself
    boost::asio::post(io, [&db, &undeleted, ids] {
      undeleted.insert(undeleted.end(), ids.begin(), ids.end());
      try {
        appserver::delete_outbox_rows(db, undeleted);
        undeleted.clear();
      } catch (const std::exception& e) {
        // Retried with the next hand-off; were uchetd to stop first, they are sent again after
        // the restart (at least once, never lost).
        spdlog::error("deleting {} acknowledged outbox rows failed (retried): {}", undeleted.size(), e.what());
      }
    });
    return true;
  };
  const auto mqtt = mqtt_settings(config);
  // Leases (schema/leader_lease.h): with several instances on one PostgreSQL database, one of
  // them drains the outbox, delivers each webhook, applies the MQTT commands and runs each
  // singleton job. On SQLite every lease is held and the workers are not even given one.
  std::vector<std::unique_ptr<schema::LeaderLease>> leases;
  const auto lease = [&](std::string role) {
    leases.push_back(std::make_unique<schema::LeaderLease>(location, instance, std::move(role)));
    return leases.back().get();
  };
  const auto worker_lease = [&](std::string role) { return sqlite ? nullptr : lease(std::move(role)); };
  publisher_options.lease = worker_lease("outbox");
  appserver::OutboxPublisher publisher(mqtt, location, publisher_options);
  publisher.start();
  // Webhooks ([[integration.http]]): the endpoint table is made to match the configuration
  // before anything is stored, so a removed endpoint gets no copy of any new event.
  std::vector<std::unique_ptr<appserver::HttpIntegration>> webhooks;
  {
    std::vector<std::string> urls;
    for (const auto& endpoint : config.http_integrations) urls.push_back(endpoint.url);
    const auto endpoint_ids = schema::sync_http_endpoints(db, urls);
    for (std::size_t i = 0; i < urls.size(); ++i) {
      appserver::HttpDeliveryOptions delivery;
      delivery.lease = worker_lease("webhook " + std::to_string(endpoint_ids[i]));
      webhooks.push_back(std::make_unique<appserver::HttpIntegration>(config.http_integrations[i], endpoint_ids[i],
                                                                      location, mqtt.topics, delivery));
      webhooks.back()->start();
      spdlog::info("HTTP integration: events POSTed to {}", webhooks.back()->stats().url);
    }
  }
  // After each commit that stored events: every delivery wakes up (cheap, any thread).
  const auto events_committed = [&publisher, &webhooks] {
    publisher.notify();
    for (auto& webhook : webhooks) webhook->notify();
  };
  appserver::MeteringSettings metering;
  metering.max_clock_offset_s = config.time.max_clock_offset_s;
  appserver::EventIdentity identity{config.tenant.id, config.tenant.name, config.network.region};
  std::ranges::transform(identity.region_config_id, identity.region_config_id.begin(),
                         [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });  // "ru864"
  appserver::ApplicationServer application(metering, events_committed, mqtt.topics, identity);
  // One client id for the whole cluster (the configured one): the broker's persistent session
  // for it outlives a handover of the commands lease (mqtt_command_listener.h).
  auto command_mqtt = mqtt;
  command_mqtt.client_id = config.mqtt.client_id;
  appserver::CommandListener commands(command_mqtt, location, events_committed, identity, worker_lease("commands"));
  commands.start();

  netserver::NetworkSettings settings{*region};
  settings.net_id = config.network.net_id;
  settings.dedup_window = std::chrono::milliseconds(config.network.dedup_window_ms);
  settings.rx1_delay_s = config.network.rx1_delay_s;
  settings.rx1_dr_offset = config.network.rx1_dr_offset;
  settings.installation_margin_db = config.network.installation_margin_db;
  settings.dev_status_interval = std::chrono::hours(config.network.dev_status_interval_h);
  settings.dev_status_max_per_s = config.network.dev_status_max_per_s;
  settings.extra_channels_hz = extra_channels(config);
  settings.duty_cycle = config.network.duty_cycle;
  // The duty-cycle hour survives a restart, and a gateway's path moving to this instance, through
  // the figures saved within 5 s of each downlink decision (below).
  settings.saved_airtime = [&db](lorawan::Eui64 gateway) { return read_saved_airtime(db, gateway); };

  // Each gateway protocol is a backend, all behind one BackendSet: the network server knows only
  // the backend contract. A gateway may speak either protocol (a Basics Station gateway is not
  // refused over Semtech UDP: docs/basic-station.md).
  gateway_bridge::semtech_udp::UdpBackendOptions bridge_config;
  bridge_config.endpoint.bind = config.gateway_bridge.bind;
  gateway_bridge::semtech_udp::UdpBackend semtech_udp(bridge_config);
  std::vector<gateway_bridge::GatewayBackend*> backends{&semtech_udp};
  // Basics Station ([basic_station] bind): credentials from the database, reloaded on the
  // registry version as the network server's registry is (a gateway added while uchetd runs may
  // connect within a second).
  StationCredentialCache station_credentials;
  std::unique_ptr<gateway_bridge::basic_station::StationBackend> basic_station;
  if (!config.basic_station.bind.empty()) {
    station_credentials.refresh(db);
    gateway_bridge::basic_station::StationBackendOptions options;
    options.bind = config.basic_station.bind;
    options.tls_cert_file = config.basic_station.tls_cert;
    options.tls_key_file = config.basic_station.tls_key;
    options.public_host = config.basic_station.public_host;
    options.ping_interval = std::chrono::seconds(config.basic_station.ping_interval_s);
    options.router_config.extra_channels_hz = settings.extra_channels_hz;  // the network server's plan
    options.credentials = [&station_credentials](lorawan::Eui64 gateway) { return station_credentials.find(gateway); };
    basic_station = std::make_unique<gateway_bridge::basic_station::StationBackend>(*region, options);
    backends.push_back(basic_station.get());
  }
  gateway_bridge::BackendSet gateway_bridge(backends);
  // Several uchetd on one PostgreSQL: a downlink for a gateway whose path another instance holds
  // is relayed through the database to that instance, which re-checks it against its own
  // timeline and duty cycle of the gateway (gateway-bridge/cluster_relay/cluster_relay.h).
  netserver::NetworkServer* network_view = nullptr;  // set below; the relay calls it only once started
  std::unique_ptr<gateway_bridge::cluster_relay::ClusterRelay> relay;
  gateway_bridge::GatewayBackend* gateways = &gateway_bridge;
  if (!sqlite) {
    gateway_bridge::cluster_relay::ClusterRelayOptions options;
    options.location = location;
    options.instance = instance;
    options.admit = [&network_view](lorawan::Eui64 gateway, const gateway_bridge::Transmission& transmission)
        -> std::expected<std::uint64_t, gateway_bridge::TxStatus> {
      auto booked = network_view->book_relayed(gateway, transmission);
      if (!booked) return std::unexpected(refusal_status(booked.error()));
      return *booked;
    };
    options.release = [&network_view](lorawan::Eui64 gateway, std::uint64_t booking) {
      network_view->release_relayed(gateway, booking);
    };
    spdlog::info("cluster: this instance is {}; downlinks for gateways other instances hold go through them",
                 options.instance);
    relay = std::make_unique<gateway_bridge::cluster_relay::ClusterRelay>(gateway_bridge, std::move(options));
    gateways = relay.get();
  }
  // Several instances: frames are claimed across them on a connection of their own (declared
  // before the network server, which uses it until it is destroyed).
  std::optional<schema::Database> claims;
  if (!sqlite) claims.emplace(schema::open_claims(location));
  netserver::NetworkServer network(io, db, settings, application, *gateways);
  network_view = &network;
  if (claims) network.share_frames(*claims, instance);
  network.start();

  // The bridge receives and acknowledges on a thread of its own; its callbacks run here, on io.
  gateway_bridge::BackendCallbacks callbacks;
  callbacks.on_reception = [&network](gateway_bridge::Reception&& rx) { network.handle_uplink(std::move(rx)); };
  callbacks.on_outcome = [&network](const gateway_bridge::TxOutcome& outcome) { network.handle_outcome(outcome); };
  callbacks.on_stats = [&db, &events_committed](lorawan::Eui64 gateway, const gateway_bridge::GatewayStats& stats) {
    try {
      appserver::record_gateway_stats(db, gateway, stats);
      events_committed();
    } catch (const std::exception& e) {
      spdlog::error("gateway stats not stored: {}", e.what());
    }
  };
  callbacks.is_known_gateway = [&network](lorawan::Eui64 gateway) { return network.gateway_registered(gateway); };
  if (auto started = gateways->start(io, callbacks); !started) {
    spdlog::critical("{}: {}", basic_station ? "gateway_bridge.bind or [basic_station]" : "gateway_bridge.bind",
                     started.error());
    return 2;
  }
  spdlog::info("listening for packet forwarders on {}", config.gateway_bridge.bind);
  if (basic_station) {
    spdlog::info("listening for LoRa Basics Stations on {} ({}://{}:{}/router-info), {} gateways registered for it",
                 config.basic_station.bind, basic_station->tls() ? "wss" : "ws", config.basic_station.public_host,
                 basic_station->port(), station_credentials.size());
    if (!basic_station->tls())
      spdlog::warn(
          "basic_station: no tls_cert/tls_key, so stations connect over plain ws://: a station sends no token "
          "there, only gateway EUIs are checked and the traffic is not encrypted");
  }

  // A day's house balance is published once the day is closed, so it is looked for on a timer,
  // like silence (the absence of events). Ten minutes keeps the delay after publish_delay_h small
  // without recomputing balances often.
  auto default_zone = appserver::TimeZone::load(config.time.time_zone);
  if (!default_zone) {
    spdlog::critical("time.time_zone: {}", default_zone.error());
    return 2;
  }
  const auto balance = balance_settings(config);
  // Singleton jobs: each runs where its lease is held. The leases are tried (or checked) every
  // second; the instance that takes one over runs its job at once, so a dead holder's jobs
  // resume within seconds on a survivor.
  struct SingletonJob {
    schema::LeaderLease* lease;
    std::function<void()> on_taken;
  };
  std::vector<SingletonJob> singletons;
  // Their leases share one connection (all four run on this thread): one session polled instead
  // of four, and a dead or cut-off instance loses them together.
  const auto jobs_session = schema::LeaderLease::shared_session(location, instance);
  const auto job_lease = [&](std::string_view role) {
    leases.push_back(std::make_unique<schema::LeaderLease>(location, instance, std::string(role), jobs_session));
    return leases.back().get();
  };
  auto* retention_lease = job_lease(schema::kSharedLeaseRoles[0]);
  auto* silence_lease = job_lease(schema::kSharedLeaseRoles[1]);
  auto* balance_lease = job_lease(schema::kSharedLeaseRoles[2]);
  auto* claim_pruning_lease = job_lease(schema::kSharedLeaseRoles[3]);
  std::optional<FrameRetention> retention;
  if (config.storage.frame_retention_days > 0) {
    retention.emplace(io, db,
                      FrameRetentionOptions{.days = config.storage.frame_retention_days,
                                            .leading = [retention_lease] { return retention_lease->held(); }});
    retention->start();
    spdlog::info("archived uplink frames are kept {} days", config.storage.frame_retention_days);
  } else {
    spdlog::info("archived uplink frames are kept forever (storage.frame_retention_days = 0)");
  }
  boost::asio::steady_timer silence_timer(io), balance_timer(io), downlink_figures_timer(io);
  boost::asio::steady_timer station_credentials_timer(io), station_state_timer(io), heartbeat_timer(io);
  boost::asio::steady_timer lease_timer(io), claim_pruning_timer(io);
  if (!sqlite) {
    run_periodically(heartbeat_timer, kHeartbeatInterval, "instance heartbeat",
                     [&] { schema::record_heartbeat(db, instance, schema::unix_now()); });
  }
  // Each Basics Station gateway's connection state, for `uchetctl gateway show`.
  const auto save_station_state = [&] {
    if (!basic_station) return;
    std::vector<schema::StationConnectionState> states;
    for (const auto& c : basic_station->connections())
      states.push_back({c.gateway_eui, c.connected, c.connected_since.time_since_epoch().count(),
                        c.last_seen.time_since_epoch().count()});
    schema::Transaction tx(db);
    schema::save_station_connections(db, schema::unix_now(), states);
    tx.commit();
  };
  if (basic_station) {
    run_periodically(station_credentials_timer, std::chrono::seconds(1), "basic station credentials", [&] {
      if (station_credentials.refresh(db))
        spdlog::info("basic station credentials reloaded: {} gateways", station_credentials.size());
    });
    run_periodically(station_state_timer, std::chrono::seconds(15), "basic station connection state",
                     save_station_state);
  }
  // Each gateway's downlink figures, for `uchetctl gateway show` and for the duty-cycle hour a
  // restarted or taking-over instance reads back (netserver/scheduling/saved_airtime.h). Every
  // kDownlinkFiguresCheck the gateways that booked or were refused anything since their last save
  // are saved; every minute (the airtime leaving the hour) and at stop all of them. A crash thus
  // loses at most the bookings of the last kDownlinkFiguresCheck. Several instances: a gateway's
  // airtime is saved only by an instance that has its downlink path (its scheduler is the one
  // that counts, docs/downlink-scheduling.md); the others save its counters alone.
  std::map<lorawan::Eui64, std::vector<std::pair<std::string, std::int64_t>>> saved_counters;
  int downlink_figure_checks = 0;
  const auto held_paths = [&] {
    std::set<lorawan::Eui64> held;
    for (const auto& [gateway, path] : gateway_bridge.downlink_paths()) held.insert(gateway);
    return held;
  };
  const auto save_downlink_figures = [&](bool all, const std::set<lorawan::Eui64>& held) {
    const auto figures = network.downlink_figures();
    if (figures.empty()) return;
    const auto now = schema::unix_now();
    schema::Transaction tx(db);
    for (const auto& g : figures) {
      auto list = netserver::scheduling::figure_list(g);
      std::vector<std::pair<std::string, std::int64_t>> counters;
      for (const auto& f : list)
        if (!f.first.starts_with(netserver::scheduling::kAirtimeFigurePrefix)) counters.push_back(f);
      auto& last = saved_counters[g.gateway_eui];
      if (!all && counters == last) continue;
      schema::save_gateway_downlink_figures(db, g.gateway_eui, now, list, sqlite || held.contains(g.gateway_eui));
      last = std::move(counters);
    }
    tx.commit();
  };
  run_periodically(downlink_figures_timer, kDownlinkFiguresCheck, "gateway downlink figures", [&] {
    const bool minute = ++downlink_figure_checks % (std::chrono::minutes(1) / kDownlinkFiguresCheck) == 0;
    save_downlink_figures(minute, held_paths());
  });
  const auto check_silence = [&] {
    if (silence_lease->held()) application.check_silence(db, schema::unix_now());
  };
  const auto publish_balances = [&] {
    if (!balance_lease->held()) return;
    const int days = appserver::publish_closed_balances(db, schema::unix_now(), *default_zone, balance);
    if (days > 0) {
      spdlog::info("published {} daily house balances", days);
      events_committed();
    }
  };
  singletons.push_back({silence_lease, [&] { common::run_guarded("silence check", check_silence); }});
  singletons.push_back({balance_lease, [&] { common::run_guarded("house balance", publish_balances); }});
  singletons.push_back({claim_pruning_lease, [] {}});
  singletons.push_back({retention_lease, [&] {
                          if (retention) retention->start();  // a look now (start() re-arms its timer)
                        }});
  run_periodically(silence_timer, std::chrono::minutes(1), "silence check", check_silence);
  run_periodically(balance_timer, std::chrono::minutes(10), "house balance", publish_balances);
  if (!sqlite) {
    // Frame claims are needed for the late-copy horizon (2 s); a minute's worth is kept.
    run_periodically(claim_pruning_timer, std::chrono::seconds(10), "frame claim pruning", [&] {
      if (claim_pruning_lease->held()) schema::prune_frame_claims(db, 60'000);
    });
  }
  if (!sqlite) {
    run_periodically(lease_timer, std::chrono::seconds(1), "singleton job leases", [&] {
      for (auto& job : singletons) {
        const bool was = job.lease->held();
        if (job.lease->hold() && !was) job.on_taken();
      }
    });
  }

  // The operator's endpoint ([http] bind) on a thread of its own. The network server's figures
  // are read on this (its) thread and handed over; the HTTP thread waits at most 2 s for them.
  schema::Database health_db = schema::Database::open(location);  // the HTTP thread's
  DatabaseFiguresCache database_figures(location);                // SQL gauges, off the radio path
  auto network_figures = [&]() -> std::optional<DaemonFigures> {
    auto promise = std::make_shared<std::promise<DaemonFigures>>();
    auto future = promise->get_future();
    boost::asio::post(io, [&, promise] {
      DaemonFigures f;
      f.network = network.counters();
      f.held_frames = network.held_frames();
      f.gateway_downlinks = network.downlink_figures();
      const auto shed = gateway_bridge.counters();
      f.datagrams_shed = shed.messages_shed;
      f.uplinks_dropped = shed.receptions_dropped;
      f.frames_pruned = retention ? retention->pruned() : 0;
      if (relay) f.relay = relay->relay_counters();
      if (basic_station) {
        f.basic_station = basic_station->station_counters();
        f.station_connections = basic_station->connections();
      }
      promise->set_value(f);
    });
    if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready) return std::nullopt;
    return future.get();
  };
  std::unique_ptr<observability::HttpEndpoint> http;
  // What the handler reads its own counters through: it may run (on the endpoint's thread)
  // before start() has returned and `http` is set.
  std::atomic<const observability::HttpEndpoint*> http_view{nullptr};
  auto answer_http = [&](const std::string& path) -> observability::HttpResponse {
    if (path == "/health") return {200, "application/json", R"({"alive":true})"};
    auto figures = network_figures();
    if (path == "/ready") {
      return readiness(ReadinessInputs{figures.has_value(), schema::check_writable(health_db), publisher.stats(),
                                       std::chrono::system_clock::now(),
                                       std::chrono::seconds(config.http.ready_broker_grace_s)});
    }
    if (!figures) return {503, "application/json", R"({"error":"the network server did not answer within 2 s"})"};
    figures->publisher = publisher.stats();
    figures->commands_queued = commands.accepted();
    figures->commands_refused = commands.rejected();
    figures->command_topics_refused = commands.refused_topics();
    figures->commands_lost = commands.failed();
    figures->callback_failures = common::callback_failures();
    figures->database = database_figures.latest();
    figures->now = schema::unix_now();
    figures->wal_bytes = sqlite ? schema::wal_size_bytes(location) : 0;
    figures->commit_latency = network.commit_latency().snapshot();
    figures->end_to_end_latency = network.end_to_end_latency().snapshot();
    if (checkpointer) figures->checkpoint_duration = checkpointer->durations().snapshot();
    for (const auto& webhook : webhooks) figures->webhooks.push_back(webhook->stats());
    for (const auto& l : leases) figures->leases.emplace_back(l->role(), l->held());
    if (const auto* endpoint = http_view.load()) {
      figures->http_requests = endpoint->requests();
      figures->http_connections_refused = endpoint->refused_connections();
    }
    return {200, "text/plain; version=0.0.4; charset=utf-8", observability::render(metric_families(*figures))};
  };
  auto http_started = observability::HttpEndpoint::start(
      observability::HttpEndpointOptions{.bind = config.http.bind, .token = config.http.token}, answer_http);
  if (!http_started) {
    spdlog::critical("http.bind: {}", http_started.error());
    return 2;
  }
  http = std::move(*http_started);
  http_view = http.get();
  spdlog::info("operator endpoint on http://{}/ (/metrics, /health, /ready){}", config.http.bind,
               config.http.token.empty() ? "" : ", bearer token required");

  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received, stopping", signo);
    const auto held = held_paths();  // before the backends stop and forget their gateways
    gateways->stop();                // hands over what it still queued before the network server stops
    network.stop();
    silence_timer.cancel();
    balance_timer.cancel();
    downlink_figures_timer.cancel();
    station_credentials_timer.cancel();
    station_state_timer.cancel();
    heartbeat_timer.cancel();
    lease_timer.cancel();
    claim_pruning_timer.cancel();
    common::run_guarded("gateway downlink figures", [&] { save_downlink_figures(true, held); });
    common::run_guarded("basic station connection state", save_station_state);  // all disconnected now
    if (retention) retention->stop();
    writer_running = false;
    io.stop();
  });
  io.run();
  http->stop();  // before the figures it reads go away
  database_figures.stop();
  // Outbox deletions handed over just before the stop (the rest of the queue is only timers
  // cancelled above): without them those rows would be sent again after the next start.
  io.restart();
  io.poll();
  commands.stop();
  publisher.stop();
  for (auto& webhook : webhooks) webhook->stop();
  if (checkpointer) checkpointer->stop();
  const auto& c = network.counters();
  const auto shed = gateway_bridge.counters();
  spdlog::info(
      "uchetd stopped: {} frames, {} uplinks accepted, {} joins, {} downlinks sent ({} via another gateway "
      "than the best, {} not sent: no gateway could take them, {} refused by the gateway in every window; "
      "{} queued payloads put back for a later try), {} PUSH_DATA datagrams and {} receptions "
      "dropped in overload",
      c.frames, c.uplinks_accepted, c.joins_accepted, c.downlinks_sent, c.downlinks_rerouted, c.downlink_send_failed,
      c.downlinks_failed_on_air, c.downlinks_returned_to_queue, shed.messages_shed, shed.receptions_dropped);
  if (basic_station) {
    const auto b = basic_station->station_counters();
    spdlog::info(
        "basic station: {} connections ({} replaced by a reconnect), {} discoveries answered, refused: {} unknown "
        "gateways, {} wrong credentials, {} failed handshakes, {} over the connection limit; messages refused: {} "
        "oversized, {} malformed, {} of unknown type; {} uplinks; downlinks: {} confirmed, {} without dntxed in "
        "time, {} late dntxed, {} lost to a closed connection",
        b.connections_accepted, b.connections_replaced, b.discoveries_answered, b.refused_unknown_gateway,
        b.refused_credential, b.refused_handshake, b.refused_over_limit, b.messages_oversized, b.messages_malformed,
        b.messages_unknown_type, b.uplinks, b.dntxed, b.dntxed_timeouts, b.dntxed_late, b.disconnect_failures);
  }
  if (relay) {
    const auto r = relay->relay_counters();
    spdlog::info(
        "cluster relay: {} downlinks relayed to the instance holding their gateway's path ({} sent, {} refused or "
        "failed, {} without an outcome in time, {} database errors); as the holder: {} taken, {} sent, {} too late, {} "
        "refused by the timeline, {} by the duty cycle, {} for an unreachable gateway, {} malformed; {} path writes, "
        "{} "
        "reconnects of the listening connection",
        r.relayed, r.relayed_ok, r.relayed_failed, r.relayed_no_outcome, r.relay_errors, r.held_taken, r.held_sent,
        r.held_too_late, r.held_refused_timeline, r.held_refused_duty_cycle, r.held_unreachable, r.held_malformed,
        r.paths_written, r.listen_reconnects);
  }
  spdlog::info(
      "downlink scheduling: {} downlinks not planned (no free window on any gateway that heard the uplink), "
      "{} uplinks' MAC requests deferred",
      c.downlinks_not_planned, c.mac_requests_deferred);
  for (const auto& g : network.downlink_figures()) {
    std::string figures;
    for (const auto& [name, value] : netserver::scheduling::figure_list(g))
      figures += (figures.empty() ? "" : ", ") + name + " " + std::to_string(value);
    spdlog::info("gateway {} downlinks: {}", lorawan::eui64_to_string(g.gateway_eui), figures);
  }
  spdlog::info(
      "MQTT commands: {} queued, {} refused with a log event, {} refused for a topic no application can "
      "have, {} lost to a storage failure; {} callback failures caught",
      commands.accepted(), commands.rejected(), commands.refused_topics(), commands.failed(),
      common::callback_failures());
  for (const auto& webhook : webhooks) {
    const auto s = webhook->stats();
    spdlog::info(
        "HTTP integration {}: {} events delivered, {} attempts failed, {} refused by the endpoint, {} "
        "discarded over the backlog cap, {} waiting",
        s.url, s.delivered, s.failed, s.dropped, s.discarded, s.backlog);
  }
  return 0;
}

}  // namespace uchet
