#pragma once
// Receives downlink commands from external applications (see downlink_command.h) and queues
// them for the network server. It runs libmosquitto's network thread and its own SQLite
// connection; each command is one transaction: either a queue item or a `log` event saying
// why it was refused. The subscription is QoS 1 with a persistent session, so commands sent
// while uchetd was briefly disconnected are delivered when it reconnects.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "appserver/integration/integration_events.h"
#include "appserver/integration/mqtt_publisher.h"
#include "common/log_rate_limiter.h"
#include "schema/database.h"

struct mosquitto;
struct mosquitto_message;

namespace uchet::appserver {

class CommandListener {
 public:
  // `on_queued` runs (on the MQTT thread) after a transaction that wrote events or queue items.
  // `identity`: the tenant and region its log events name.
  CommandListener(MqttSettings settings, const std::string& database_path, std::function<void()> on_queued,
                  EventIdentity identity = {});
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

  MqttSettings settings_;
  std::unique_ptr<schema::Database> db_;
  std::function<void()> on_queued_;
  EventIdentity identity_;
  mosquitto* client_ = nullptr;
  bool running_ = false;
  std::atomic<std::uint64_t> accepted_{0}, rejected_{0}, refused_topics_{0}, failed_{0};
  common::LogRateLimiter topic_log_;  // only touched from handle(), on the one MQTT thread
};

}  // namespace uchet::appserver
