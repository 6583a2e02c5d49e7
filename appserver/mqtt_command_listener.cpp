#include "appserver/mqtt_command_listener.h"

#include <mosquitto.h>
#include <spdlog/spdlog.h>

#include "appserver/downlink_command.h"
#include "appserver/integration_events.h"
#include "appserver/outbox.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::appserver {
namespace {

constexpr const char* kCommandTopics = "application/+/device/+/command/down";

}  // namespace

CommandListener::CommandListener(MqttSettings settings, const std::string& database_path, std::function<void()> on_queued)
    : settings_(std::move(settings)),
      db_(std::make_unique<storage::Database>(storage::Database::open(database_path))),
      on_queued_(std::move(on_queued)) {}

CommandListener::~CommandListener() { stop(); }

void CommandListener::start() {
  if (running_) return;
  mosquitto_lib_init();
  const std::string client_id = (settings_.client_id.empty() ? std::string("uchetd") : settings_.client_id) + "-commands";
  client_ = mosquitto_new(client_id.c_str(), false, this);
  if (!client_) {
    spdlog::error("MQTT command listener: cannot create client");
    return;
  }
  mosquitto_connect_callback_set(client_, &CommandListener::on_connect);
  mosquitto_message_callback_set(client_, &CommandListener::on_message);
  if (!settings_.username.empty()) {
    mosquitto_username_pw_set(client_, settings_.username.c_str(), settings_.password.c_str());
  }
  if (!settings_.ca_file.empty()) {
    if (int rc = mosquitto_tls_set(client_, settings_.ca_file.c_str(), nullptr, nullptr, nullptr, nullptr); rc != MOSQ_ERR_SUCCESS) {
      spdlog::error("MQTT command listener: TLS setup failed: {}", mosquitto_strerror(rc));
    }
  }
  mosquitto_reconnect_delay_set(client_, 1, 30, true);
  if (int rc = mosquitto_connect_async(client_, settings_.host.c_str(), settings_.port, settings_.keepalive_s);
      rc != MOSQ_ERR_SUCCESS) {
    // The loop thread keeps retrying with backoff.
    spdlog::warn("MQTT command listener: connect to {}:{} failed: {}", settings_.host, settings_.port, mosquitto_strerror(rc));
  }
  mosquitto_loop_start(client_);
  running_ = true;
}

void CommandListener::stop() {
  if (!client_) return;
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, true);
  mosquitto_destroy(client_);
  client_ = nullptr;
  running_ = false;
}

void CommandListener::on_connect(mosquitto* client, void*, int rc) {
  if (rc != 0) {
    spdlog::warn("MQTT command listener: connection refused: {}", mosquitto_connack_string(rc));
    return;
  }
  if (int s = mosquitto_subscribe(client, nullptr, kCommandTopics, 1); s != MOSQ_ERR_SUCCESS) {
    spdlog::error("MQTT command listener: subscribe failed: {}", mosquitto_strerror(s));
  }
}

void CommandListener::on_message(mosquitto*, void* self, const mosquitto_message* message) {
  auto* listener = static_cast<CommandListener*>(self);
  std::string_view payload(static_cast<const char*>(message->payload), static_cast<std::size_t>(message->payloadlen));
  listener->handle(message->topic ? message->topic : "", payload);
}

void CommandListener::handle(std::string_view topic_text, std::string_view payload) {
  auto topic = parse_command_topic(topic_text);
  if (!topic) return;  // not a command/down topic: nothing to answer
  try {
    storage::Transaction tx(*db_);
    auto device = storage::find_device(*db_, topic->dev_eui);
    auto item = parse_down_command(*topic, device ? &*device : nullptr, payload);
    if (item) {
      auto id = storage::enqueue_downlink(*db_, *item);
      ++accepted_;
      spdlog::debug("queued downlink {} for {} from MQTT", id, lorawan::eui64_to_string(topic->dev_eui));
    } else {
      ++rejected_;
      storage::Device named;  // the log event goes to the topic's own names even for an unknown device
      named.application = topic->application;
      named.dev_eui = topic->dev_eui;
      const auto& target = device && device->application == topic->application ? *device : named;
      netserver::LogEvent event{std::chrono::system_clock::now(), &target, "ERROR", "COMMAND", item.error(),
                                {{"topic", std::string(topic_text)}}};
      enqueue_event(*db_, device_event_topic(target, "log"), log_event_json(event));
      spdlog::info("downlink command refused: {}: {}", topic_text, item.error());
    }
    tx.commit();
    if (on_queued_) on_queued_();
  } catch (const storage::StorageError& e) {
    // Not acknowledging is not an option with libmosquitto's callback API; the command is lost
    // to the broker, so say so loudly.
    spdlog::error("downlink command on {} not stored: {}", topic_text, e.what());
  }
}

}  // namespace uchet::appserver
