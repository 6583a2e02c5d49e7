#pragma once
// Receives downlink commands from external applications (see downlink_command.h) and queues
// them for the network server. It runs libmosquitto's network thread and its own SQLite
// connection; each command is one transaction: either a queue item or a `log` event saying
// why it was refused. The subscription is QoS 1 with a persistent session, so commands sent
// while uchetd was briefly disconnected are delivered when it reconnects.
//
// Several instances on one database (PostgreSQL, docs/deployment.md layout 3): a command
// enqueues a downlink, so it must be applied once, not once per instance. With a lease given,
// only the instance holding it ("commands") connects and subscribes; the others stand by and
// take over within about a second of the holder's death (schema/leader_lease.h). The client id
// is the same on every instance (`<mqtt.client_id>-commands`, the configured id, never made
// per instance): the broker keeps one persistent session for the cluster, so commands
// published during a handover wait there for the next holder instead of being lost, and no
// instance receives a copy of what another already applied.
//
// Threading: libmosquitto's network thread runs handle(); with a lease, a thread of its own
// holds the lease and starts or stops the client. start() and stop() from one thread.#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "appserver/integration/integration_events.h"
#include "appserver/integration/mqtt_publisher.h"
#include "common/log_rate_limiter.h"
#include "schema/database.h"

struct mosquitto;
struct mosquitto_message;

namespace uchet::schema {
class LeaderLease;
}

namespace uchet::appserver {

class CommandListener {
 public:
  // `on_queued` runs (on the MQTT thread) after a transaction that wrote events or queue items.
  // `identity`: the tenant and region its log events name.
  // `lease`: listen only while holding it (it must outlive the listener); null: always.
  CommandListener(MqttSettings settings, const std::string& database_path, std::function<void()> on_queued,
                  EventIdentity identity = {}, schema::LeaderLease* lease = nullptr);
  ~CommandListener();
  CommandListener(const CommandListener&) = delete;
  CommandListener& operator=(const CommandListener&) = delete;

  void start();
  void stop();

  std::uint64_t accepted() const { return accepted_; }
  std::uint64_t rejected() const { return rejected_; }
  // Commands whose topic named an application no name check allows (no log event possible).
  std::uint64_t refused_topics() const { return refused_topics_; }
  // Commands lost to a storage failure or a bug (logged each time).
  std::uint64_t failed() const { return failed_; }

  // The handling of one message, also used directly by tests.
  void handle(std::string_view topic, std::string_view payload);

 private:
  static void on_connect(mosquitto* client, void* self, int rc);
  static void on_message(mosquitto* client, void* self, const mosquitto_message* message);
  void refuse_topic(std::string_view topic, const std::string& why);
  void connect_client();
  void disconnect_client();
  void follow_lease();  // the lease thread

  MqttSettings settings_;
  std::unique_ptr<schema::Database> db_;
  std::function<void()> on_queued_;
  EventIdentity identity_;
  schema::LeaderLease* lease_;
  mosquitto* client_ = nullptr;
  bool running_ = false;
  std::thread lease_thread_;
  std::mutex lease_mutex_;
  std::condition_variable lease_wake_;
  bool lease_stop_ = false;
  std::atomic<std::uint64_t> accepted_{0}, rejected_{0}, refused_topics_{0}, failed_{0};
  common::LogRateLimiter topic_log_;  // only touched from handle(), on the one MQTT thread
};

}  // namespace uchet::appserver
