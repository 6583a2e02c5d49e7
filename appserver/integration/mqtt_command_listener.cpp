#include "appserver/integration/mqtt_command_listener.h"

#include <mosquitto.h>
#include <spdlog/spdlog.h>

#include "appserver/integration/downlink_command.h"
#include "appserver/integration/integration_events.h"
#include "appserver/integration/outbox.h"
#include "common/callback_guard.h"
#include "common/names.h"
#include "common/uuid.h"
#include "netserver/lorawan/encoding.h"
#include "schema/leader_lease.h"

namespace uchet::appserver {

CommandListener::CommandListener(MqttSettings settings, const std::string& database_path,
                                 std::function<void()> on_queued, EventIdentity identity, schema::LeaderLease* lease)
    : settings_(std::move(settings)),
      db_(std::make_unique<schema::Database>(schema::Database::open(database_path))),
      on_queued_(std::move(on_queued)),
      identity_(std::move(identity)),
      lease_(lease) {}

CommandListener::~CommandListener() { stop(); }

void CommandListener::start() {
  if (running_) return;
  running_ = true;
  if (!lease_) return connect_client();
  lease_stop_ = false;
  lease_thread_ =
      std::thread([this] { common::run_guarded("MQTT command listener lease", [this] { follow_lease(); }); });
}

void CommandListener::stop() {
  if (lease_thread_.joinable()) {
    {
      std::lock_guard lock(lease_mutex_);
      lease_stop_ = true;
    }
    lease_wake_.notify_all();
    lease_thread_.join();
  }
  disconnect_client();
  running_ = false;
}

// Connects while the lease is held, disconnects when it goes to another instance.
void CommandListener::follow_lease() {
  std::unique_lock lock(lease_mutex_);
  while (!lease_stop_) {
    lock.unlock();
    const bool held = lease_->hold();
    if (held && !client_) {
      spdlog::info("MQTT command listener: this instance applies the downlink commands now");
      connect_client();
    } else if (!held && client_) {
      spdlog::warn("MQTT command listener: the commands lease is held by another instance; not listening");
      disconnect_client();
    }
    lock.lock();
    lease_wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return lease_stop_; });
  }
}

void CommandListener::connect_client() {
  mosquitto_lib_init();
  const std::string client_id =
      (settings_.client_id.empty() ? std::string("uchetd") : settings_.client_id) + "-commands";
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
  if (int rc = configure_tls(client_, settings_); rc != MOSQ_ERR_SUCCESS) {
    spdlog::error("MQTT command listener: TLS setup failed: {}", mosquitto_strerror(rc));
  }
  mosquitto_reconnect_delay_set(client_, 1, 30, true);
  if (int rc = mosquitto_connect_async(client_, settings_.host.c_str(), settings_.port, settings_.keepalive_s);
      rc != MOSQ_ERR_SUCCESS) {
    // The loop thread keeps retrying with backoff.
    spdlog::warn("MQTT command listener: connect to {}:{} failed: {}", settings_.host, settings_.port,
                 mosquitto_strerror(rc));
  }
  mosquitto_loop_start(client_);
}

void CommandListener::disconnect_client() {
  if (!client_) return;
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, true);
  mosquitto_destroy(client_);
  client_ = nullptr;
}

// libmosquitto calls these from its network thread, where an exception would end the process.
void CommandListener::on_connect(mosquitto* client, void* self, int rc) {
  common::run_guarded("MQTT command listener: on_connect", [&] {
    if (rc != 0) {
      spdlog::warn("MQTT command listener: connection refused: {}", mosquitto_connack_string(rc));
      return;
    }
    if (int s = mosquitto_subscribe(
            client, nullptr, static_cast<CommandListener*>(self)->settings_.topics.command_subscription().c_str(), 1);
        s != MOSQ_ERR_SUCCESS) {
      spdlog::error("MQTT command listener: subscribe failed: {}", mosquitto_strerror(s));
    }
  });
}

void CommandListener::on_message(mosquitto*, void* self, const mosquitto_message* message) {
  common::run_guarded("MQTT command listener: on_message", [&] {
    auto* listener = static_cast<CommandListener*>(self);
    std::string_view payload(static_cast<const char*>(message->payload), static_cast<std::size_t>(message->payloadlen));
    listener->handle(message->topic ? message->topic : "", payload);
  });
}

void CommandListener::refuse_topic(std::string_view topic_text, const std::string& why) {
  ++refused_topics_;
  // Anyone who may publish to the broker can send such topics at any rate: one line a minute.
  if (auto suppressed = topic_log_.admit("refused topic", std::chrono::steady_clock::now())) {
    // The topic's bytes are not printable as they are: shown in hex, the first 64.
    const auto shown = topic_text.substr(0, 64);
    const std::string hex = lorawan::to_hex({reinterpret_cast<const std::uint8_t*>(shown.data()), shown.size()});
    spdlog::warn(
        "MQTT command refused: topic ({} bytes: {}{}) has an application name that {}; {} more refused "
        "since the last such line",
        topic_text.size(), hex, topic_text.size() > 64 ? "..." : "", why, *suppressed);
  }
}

void CommandListener::handle(std::string_view topic_text, std::string_view payload) {
  auto topic = settings_.topics.parse_command(topic_text);
  if (!topic) return;  // not a command topic: nothing to answer
  // The application segments go into the log event's topic and JSON: a name uchet could never
  // have given an application is refused before anything is built from it.
  if (!topic->application.empty()) {
    if (auto why = common::name_error(topic->application)) return refuse_topic(topic_text, *why);
  }
  if (!topic->application_id.empty() && !common::canonical_uuid(topic->application_id)) {
    return refuse_topic(topic_text, "is no UUID");
  }
  try {
    schema::Transaction tx(*db_);
    auto device = schema::find_device(*db_, topic->dev_eui);
    auto item = parse_down_command(*topic, device ? &*device : nullptr, payload, schema::unix_now());
    // An id names one downlink: a second command with it would make its events ambiguous.
    if (item && !item->queue_item_id.empty() && schema::queue_item_id_in_use(*db_, item->queue_item_id)) {
      item = std::unexpected(CommandRefusal{
          kCommandInvalid, "id " + item->queue_item_id + " is already in use: a queue item id is never reused"});
    }
    if (item) {
      auto id = schema::enqueue_downlink(*db_, *item);
      ++accepted_;
      spdlog::debug("queued downlink {} for {} from MQTT", id, lorawan::eui64_to_string(topic->dev_eui));
    } else {
      ++rejected_;
      schema::Device named;  // the log event goes to the topic's own names even for an unknown device
      named.application = topic->application;
      named.application_uuid = topic->application_id;
      named.dev_eui = topic->dev_eui;
      const auto& target = device && command_addresses(*topic, *device) ? *device : named;
      // A topic that names the application by id while events are placed by name (or the other
      // way round) gives no place for the log event of an unknown device: the log line is all.
      if (settings_.topics.addresses(target)) {
        netserver::LogEvent event{std::chrono::system_clock::now(),
                                  &target,
                                  "ERROR",
                                  item.error().code,
                                  item.error().reason,
                                  {{"topic", std::string(topic_text)}, {"refused", "command"}}};
        enqueue_event(*db_, settings_.topics.device_event(target, "log"), log_event_json(event, identity_));
      }
      spdlog::info("downlink command refused: {}: {}", topic_text, item.error().reason);
    }
    tx.commit();
    if (on_queued_) on_queued_();
  } catch (const std::exception& e) {
    // Not acknowledging is not an option with libmosquitto's callback API; the command is lost
    // to the broker, so say so loudly (a storage failure, or a bug: the transaction rolled back).
    ++failed_;
    spdlog::error("downlink command on {} not stored: {}", topic_text, e.what());
  }
}

}  // namespace uchet::appserver
