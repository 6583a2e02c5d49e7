#pragma once
// Test fixtures for MQTT: a real mosquitto broker (/usr/sbin/mosquitto) on 127.0.0.1 with a
// port of its own, configured from a file in its own temporary directory, and a libmosquitto
// subscriber that records what it receives, in order.
//
// The broker can be stopped and started again on the same port. With persistence on, it
// saves sessions when stopped, so a subscriber with a persistent session (as MqttRecorder's)
// keeps receiving QoS 1 messages published while it was reconnecting. Messages the broker was
// still delivering when stopped are delivered again after the restart (its at-least-once), so
// a test that wants exact counts stops the broker only when nothing is on its way.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"

struct mosquitto;
struct mosquitto_message;

namespace uchet::test {

struct BrokerOptions {
  bool persistence = false;
  std::string username;  // non-empty: anonymous clients are refused, this user/password is accepted
  std::string password;
  bool tls = false;  // also a TLS listener (tls_port()), its certificate signed by a CA of the test's own
};

// A certificate authority made for one test (openssl), and a server certificate it signed for
// 127.0.0.1 and localhost: PEM files in a temporary directory.
struct TestCertificates {
  TempDir dir;
  std::string ca_file = dir.file("ca.crt");
  std::string server_cert_file = dir.file("server.crt");
  std::string server_key_file = dir.file("server.key");
  TestCertificates();
};

class MosquittoBroker {
 public:
  // Starts the broker and waits until it accepts connections; throws if it does not.
  explicit MosquittoBroker(BrokerOptions options = {});
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  int port() const { return port_; }
  int tls_port() const { return tls_port_; }  // 0 without BrokerOptions::tls
  // The CA that signed the TLS listener's certificate (BrokerOptions::tls), for clients to trust.
  std::string ca_file() const { return certificates_ ? certificates_->ca_file : ""; }
  bool running() const { return process_ != nullptr; }
  // Stops it cleanly (SIGTERM, which also saves persistence) and waits for the exit.
  void stop();
  // Starts it (again) on the same port and waits until it accepts connections.
  void start();
  void restart();
  // What the broker logged, for failure messages.
  std::string log() const;

 private:
  BrokerOptions options_;
  TempDir dir_;
  int port_ = 0;
  int tls_port_ = 0;
  std::unique_ptr<TestCertificates> certificates_;
  std::unique_ptr<ChildProcess> process_;
};

struct MqttMessage {
  std::string topic;
  std::string payload;
  bool operator==(const MqttMessage&) const = default;
};
inline std::ostream& operator<<(std::ostream& out, const MqttMessage& m) { return out << m.topic << ' ' << m.payload; }

// Subscribes (QoS 1, persistent session) to `topic` and records every message. Reconnects by
// itself every second while the broker is away and subscribes again on each connection.
class MqttRecorder {
 public:
  MqttRecorder(int port, const std::string& client_id, const std::string& topic = "#", const std::string& username = "",
               const std::string& password = "");
  ~MqttRecorder();
  MqttRecorder(const MqttRecorder&) = delete;
  MqttRecorder& operator=(const MqttRecorder&) = delete;

  // Waits until `count` SUBACKs have arrived since construction (1: the first subscription).
  bool wait_subscribed(int count, std::chrono::milliseconds timeout);
  // Waits until at least `count` messages have arrived.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout);
  std::vector<MqttMessage> messages() const;
  std::vector<std::string> payloads() const;

 private:
  static void on_connect(mosquitto* client, void* self, int rc);
  static void on_subscribe(mosquitto* client, void* self, int mid, int qos_count, const int* granted);
  static void on_message(mosquitto* client, void* self, const mosquitto_message* message);

  std::string topic_;
  mosquitto* client_ = nullptr;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int subscriptions_ = 0;
  std::vector<MqttMessage> messages_;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes; returns its last value.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace uchet::test
