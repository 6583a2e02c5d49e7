#include "tests/support/mosquitto_broker.h"

#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace uchet::test {
namespace {

constexpr const char* kMosquitto = "/usr/sbin/mosquitto";
constexpr const char* kMosquittoPasswd = "/usr/bin/mosquitto_passwd";

bool accepts_connections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

void init_mosquitto_once() {
  static const int rc = mosquitto_lib_init();
  if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string("mosquitto_lib_init: ") + mosquitto_strerror(rc));
}

void check(int rc, const char* what) {
  if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string(what) + ": " + mosquitto_strerror(rc));
}

}  // namespace

TestCertificates::TestCertificates() {
  const auto openssl = [](std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/openssl");
    auto r = run(args);
    if (r.exit_code != 0) throw std::runtime_error("openssl " + args[1] + " failed: " + r.err);
  };
  const std::string ca_key = dir.file("ca.key"), csr = dir.file("server.csr"), ext = dir.file("server.ext");
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_file, "-days", "2", "-subj",
           "/CN=uchet test CA"});
  openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", server_key_file, "-out", csr, "-subj", "/CN=localhost"});
  write_file(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl({"x509", "-req", "-in", csr, "-CA", ca_file, "-CAkey", ca_key, "-CAcreateserial", "-out", server_cert_file,
           "-days", "2", "-extfile", ext});
}

MosquittoBroker::MosquittoBroker(BrokerOptions options) : options_(std::move(options)) {
  if (!options_.username.empty()) {
    auto r = run({kMosquittoPasswd, "-b", "-c", dir_.file("passwd"), options_.username, options_.password});
    if (r.exit_code != 0) throw std::runtime_error("mosquitto_passwd failed: " + r.err);
  }
  if (options_.tls) certificates_ = std::make_unique<TestCertificates>();
  // free_port() only says the port was free a moment ago: try a few in case another test took it.
  for (int attempt = 0;; ++attempt) {
    port_ = free_port();
    if (options_.tls) tls_port_ = free_port();
    try {
      start();
      return;
    } catch (const std::exception&) {
      if (attempt == 2) throw;
    }
  }
}

MosquittoBroker::~MosquittoBroker() { stop(); }

void MosquittoBroker::start() {
  if (process_) return;
  std::string config = "listener " + std::to_string(port_) + " 127.0.0.1\n";
  config += options_.username.empty() ? "allow_anonymous true\n"
                                      : "allow_anonymous false\npassword_file " + dir_.file("passwd") + "\n";
  if (certificates_) {
    config += "listener " + std::to_string(tls_port_) + " 127.0.0.1\ncertfile " + certificates_->server_cert_file +
              "\nkeyfile " + certificates_->server_key_file + "\n";
  }
  config += options_.persistence ? "persistence true\npersistence_location " + dir_.path().string() + "/\n"
                                 : "persistence false\n";
  // Started as root, mosquitto would switch to user "mosquitto", which cannot use this folder.
  if (geteuid() == 0) config += "user root\n";
  config += "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n";
  write_file(dir_.file("mosquitto.conf"), config);

  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{kMosquitto, "-c", dir_.file("mosquitto.conf")},
                                            dir_.file("mosquitto.log"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!accepts_connections(port_) || (tls_port_ != 0 && !accepts_connections(tls_port_))) {
    if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
      process_.reset();
      throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_) + ":\n" + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void MosquittoBroker::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  process_->wait_exit(std::chrono::seconds(5));
  process_.reset();  // kills it if SIGTERM was not enough
}

void MosquittoBroker::restart() {
  stop();
  start();
}

std::string MosquittoBroker::log() const { return read_file(dir_.file("mosquitto.log")); }

MqttRecorder::MqttRecorder(int port, const std::string& client_id, const std::string& topic,
                           const std::string& username, const std::string& password)
    : topic_(topic) {
  init_mosquitto_once();
  // A persistent session: after a broker restart with persistence, messages published before
  // this client is back are queued for it rather than lost.
  client_ = mosquitto_new(client_id.c_str(), false, this);
  if (!client_) throw std::runtime_error("mosquitto_new failed");
  mosquitto_connect_callback_set(client_, &MqttRecorder::on_connect);
  mosquitto_subscribe_callback_set(client_, &MqttRecorder::on_subscribe);
  mosquitto_message_callback_set(client_, &MqttRecorder::on_message);
  if (!username.empty()) check(mosquitto_username_pw_set(client_, username.c_str(), password.c_str()), "username");
  check(mosquitto_reconnect_delay_set(client_, 1, 1, false), "reconnect delay");
  check(mosquitto_connect_async(client_, "127.0.0.1", port, 10), "connect");
  check(mosquitto_loop_start(client_), "loop start");
}

MqttRecorder::~MqttRecorder() {
  mosquitto_disconnect(client_);  // also ends the reconnect loop when the broker is away
  mosquitto_loop_stop(client_, false);
  mosquitto_destroy(client_);
}

void MqttRecorder::on_connect(mosquitto* client, void* self, int rc) {
  if (rc != 0) return;
  mosquitto_subscribe(client, nullptr, static_cast<MqttRecorder*>(self)->topic_.c_str(), 1);
}

void MqttRecorder::on_subscribe(mosquitto*, void* self, int, int, const int*) {
  auto& r = *static_cast<MqttRecorder*>(self);
  std::lock_guard lock(r.mutex_);
  ++r.subscriptions_;
  r.changed_.notify_all();
}

void MqttRecorder::on_message(mosquitto*, void* self, const mosquitto_message* message) {
  auto& r = *static_cast<MqttRecorder*>(self);
  std::lock_guard lock(r.mutex_);
  r.messages_.push_back({message->topic, std::string(static_cast<const char*>(message->payload),
                                                     static_cast<std::size_t>(message->payloadlen))});
  r.changed_.notify_all();
}

bool MqttRecorder::wait_subscribed(int count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return subscriptions_ >= count; });
}

bool MqttRecorder::wait_for(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return messages_.size() >= count; });
}

std::vector<MqttMessage> MqttRecorder::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::vector<std::string> MqttRecorder::payloads() const {
  std::vector<std::string> out;
  for (auto& m : messages()) out.push_back(m.payload);
  return out;
}

}  // namespace uchet::test
