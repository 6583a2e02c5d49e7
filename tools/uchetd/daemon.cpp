#include "tools/uchetd/daemon.h"

#include <boost/asio.hpp>

#include <atomic>
#include <functional>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/callback_guard.h"
#include "appserver/application_server.h"
#include "appserver/gateway_stats.h"
#include "appserver/mqtt_command_listener.h"
#include "appserver/mqtt_publisher.h"
#include "appserver/outbox.h"
#include "appserver/object_balance.h"
#include "gateway-bridge/bridge_thread.h"
#include "netserver/lorawan/region.h"
#include "netserver/network_server.h"
#include "schema/checkpointer.h"
#include "schema/database.h"
#include "schema/migrations.h"
#include "tools/balance_settings.h"

namespace uchet {
namespace {

appserver::MqttSettings mqtt_settings(const Config& config) {
  auto server = parse_host_port(config.mqtt.server, "mqtt.server");  // validated at load
  appserver::MqttSettings s;
  s.host = server ? server->host : "127.0.0.1";
  s.port = server ? server->port : 1883;
  s.username = config.mqtt.username;
  s.password = config.mqtt.password;
  s.client_id = config.mqtt.client_id;
  s.ca_file = config.mqtt.ca_file;
  s.keepalive_s = config.mqtt.keepalive_s;
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

}  // namespace

int run_daemon(const Config& config) {
  auto db = storage::Database::open(config.storage.path);
  auto region = lorawan::region_by_name(config.network.region);
  if (!region) {
    spdlog::critical("network.region: {}", region.error());
    return 2;
  }
  spdlog::info("uchetd {} starting: database {} (schema v{}), region {}, gateway bridge on {}, MQTT {}", "0.1.0",
               config.storage.path, storage::schema_version(db), config.network.region, config.gateway_bridge.bind,
               config.mqtt.server);

  boost::asio::io_context io;

  // WAL checkpoints (copy + fdatasync) on their own thread, not inside the radio path's commits.
  storage::Checkpointer checkpointer(config.storage.path);
  storage::leave_checkpoints_to_checkpointer(db);

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
  appserver::OutboxPublisher publisher(mqtt_settings(config), config.storage.path, publisher_options);
  publisher.start();
  appserver::MeteringSettings metering;
  metering.max_clock_offset_s = config.time.max_clock_offset_s;
  appserver::ApplicationServer application(metering, [&publisher] { publisher.notify(); });
  appserver::CommandListener commands(mqtt_settings(config), config.storage.path, [&publisher] { publisher.notify(); });
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

  std::unique_ptr<bridge::BridgeThread> gateway_bridge;
  netserver::NetworkServer network(io, db, settings, application,
                                   [&gateway_bridge](lorawan::Eui64 gateway, const bridge::TxPacket& packet)
                                       -> lorawan::Result<std::uint16_t> {
                                     if (!gateway_bridge) return std::unexpected("gateway bridge not running");
                                     return gateway_bridge->send_downlink(gateway, packet);
                                   });
  network.start();

  // The bridge receives and acknowledges on a thread of its own; its callbacks run here, on io.
  bridge::BridgeThreadOptions bridge_config;
  bridge_config.endpoint.bind = config.gateway_bridge.bind;
  bridge::BridgeCallbacks callbacks;
  callbacks.on_uplink = [&network](bridge::UplinkRx&& rx) { network.handle_uplink(std::move(rx)); };
  callbacks.on_tx_ack = [&network](const bridge::DownlinkOutcome& outcome) { network.handle_tx_ack(outcome); };
  callbacks.on_stats = [&db, &publisher](lorawan::Eui64 gateway, const bridge::GatewayStats& stats) {
    try {
      appserver::record_gateway_stats(db, gateway, stats);
      publisher.notify();
    } catch (const std::exception& e) {
      spdlog::error("gateway stats not stored: {}", e.what());
    }
  };
  auto opened = bridge::BridgeThread::start(
      io, bridge_config, [&network](lorawan::Eui64 gateway) { return network.gateway_registered(gateway); }, callbacks);
  if (!opened) {
    spdlog::critical("gateway_bridge.bind: {}", opened.error());
    return 2;
  }
  gateway_bridge = std::move(*opened);
  spdlog::info("listening for packet forwarders on {}", config.gateway_bridge.bind);

  // A day's house balance is published once the day is closed, so it is looked for on a timer,
  // like silence (the absence of events). Ten minutes keeps the delay after publish_delay_h small
  // without recomputing balances often.
  auto default_zone = appserver::TimeZone::load(config.time.time_zone);
  if (!default_zone) {
    spdlog::critical("time.time_zone: {}", default_zone.error());
    return 2;
  }
  const auto balance = balance_settings(config);
  boost::asio::steady_timer silence_timer(io), balance_timer(io);
  run_periodically(silence_timer, std::chrono::minutes(1), "silence check",
                   [&] { application.check_silence(db, storage::unix_now()); });
  run_periodically(balance_timer, std::chrono::minutes(10), "house balance", [&] {
    const int days = appserver::publish_closed_balances(db, storage::unix_now(), *default_zone, balance);
    if (days > 0) {
      spdlog::info("published {} daily house balances", days);
      publisher.notify();
    }
  });

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received, stopping", signo);
    gateway_bridge->stop();  // hands over what it still queued before the network server stops
    network.stop();
    silence_timer.cancel();
    balance_timer.cancel();
    writer_running = false;
    io.stop();
  });
  io.run();
  // Outbox deletions handed over just before the stop (the rest of the queue is only timers
  // cancelled above): without them those rows would be sent again after the next start.
  io.restart();
  io.poll();
  commands.stop();
  publisher.stop();
  checkpointer.stop();
  const auto& c = network.counters();
  spdlog::info("uchetd stopped: {} frames, {} uplinks accepted, {} joins, {} downlinks sent ({} via another gateway "
               "than the best, {} not sent: no gateway could take them, {} refused by the gateway in every window; "
               "{} queued payloads put back for a later try), {} PUSH_DATA datagrams and {} receptions "
               "dropped in overload",
               c.frames, c.uplinks_accepted, c.joins_accepted, c.downlinks_sent, c.downlinks_rerouted,
               c.downlink_send_failed, c.downlinks_failed_on_air, c.downlinks_returned_to_queue,
               gateway_bridge->datagrams_shed(), gateway_bridge->uplinks_dropped());
  return 0;
}

}  // namespace uchet
