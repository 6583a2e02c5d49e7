#pragma once
// A variant of NetworkUnderTest for the resilience and downlink-queue tests: everything the
// stock fixture does (real mosquitto, database provisioned by the real uchetctl, real uchetd,
// recorder of application/#) plus what those tests need to break things and look inside:
//   - the broker runs with persistence and is reachable (stop()/start()),
//   - the recorder has a persistent session created before anything is broken,
//   - uchetd can be signalled (SIGKILL / SIGTERM), awaited and started again on the same
//     configuration, database and UDP port,
//   - SQL queries through the sqlite3 CLI, MQTT publishes through mosquitto_pub,
//   - devices can be added with extra uchetctl arguments (e.g. --class C).
// The uchetd log (all runs) is printed when an assertion of the test failed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <signal.h>

#include <nlohmann/json.hpp>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/process.h"

namespace uchet::test {

// Set by the listener registered in resilience_test.cpp when any assertion fails.
inline bool g_extra_assertion_failed = false;

class RestartableNetwork {
 public:
  RestartableNetwork() : broker_(BrokerOptions{.persistence = true}) {
    g_extra_assertion_failed = false;
    mqtt_ = std::make_unique<MqttRecorder>(broker_.port(), "e2e-extra-recorder", "application/#");
    if (!mqtt_->wait_subscribed(1, std::chrono::seconds(5)))
      throw std::runtime_error("MQTT recorder did not subscribe:\n" + broker_.log());
    ctl({"application", "add", kApplication});
    ctl({"gateway", "add", lorawan::eui64_to_string(kGateway1), "--name", "gw-1"});
    ctl({"gateway", "add", lorawan::eui64_to_string(kGateway2), "--name", "gw-2"});
    udp_port_ = free_port(/*udp=*/true);
  }

  ~RestartableNetwork() {
    // As NetworkUnderTest: the last run of uchetd must shut down cleanly on SIGTERM.
    if (uchetd_ && std::uncaught_exceptions() == 0) {  // also one that died by itself
      if (uchetd_->running()) uchetd_->signal(SIGTERM);
      const int status = uchetd_->wait_exit(std::chrono::seconds(10));
      if (status != 0) FAIL_CHECK("uchetd did not exit cleanly on SIGTERM (status " << status << ")");
    }
    if (g_extra_assertion_failed || std::uncaught_exceptions() > 0) {
      std::cerr << "----- uchetd log (" << dir_.file("uchetd.log") << ", all runs) -----\n"
                << uchetd_log() << "----- end of uchetd log -----\n"
                << "----- mosquitto log -----\n"
                << broker_.log() << "----- end of mosquitto log -----\n";
    }
    uchetd_.reset();
  }

  RunResult ctl_result(const std::vector<std::string>& args) {
    std::vector<std::string> argv{executable_from_env("UCHETCTL"), "--db", database()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }

  void ctl(const std::vector<std::string>& args) {
    auto r = ctl_result(args);
    if (r.exit_code != 0) {
      std::string line;
      for (const auto& a : args) line += " " + a;
      throw std::runtime_error("uchetctl" + line + " exited " + std::to_string(r.exit_code) + ": " + r.err + r.out);
    }
  }

  void add_device(const sim::DeviceIdentity& d, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"device", "add", lorawan::eui64_to_string(d.dev_eui), "--app", kApplication,
                                  "--join-eui", lorawan::eui64_to_string(d.join_eui), "--app-key",
                                  lorawan::key_to_string(d.app_key), "--mac-version", std::string(to_string(d.mac_version))};
    if (d.nwk_key) {
      args.push_back("--nwk-key");
      args.push_back(lorawan::key_to_string(*d.nwk_key));
    }
    args.insert(args.end(), extra.begin(), extra.end());
    ctl(args);
  }

  // Extra lines of the [network] section for the next start() (e.g. a changed channel plan).
  std::string network_config;

  // Starts uchetd (again: same configuration, database and UDP port) and waits until its bridge
  // answers PULL_DATA. Each run appends to the same log file, separated by a marker line.
  // The first start moves to another port if a parallel test took the chosen one meanwhile (as
  // the broker fixture does); later starts keep the port the gateways already talk to.
  void start() {
    for (int attempt = 0;; ++attempt) {
      try {
        start_once();
        started_ = true;
        return;
      } catch (const std::exception&) {
        if (started_ || attempt == 2 || uchetd_->running() || !port_was_taken(read_file(current_log()))) throw;
        udp_port_ = free_port(/*udp=*/true);
      }
    }
  }

  void start_once() {
    write_file(dir_.file("uchet.toml"), "[storage]\npath = \"" + database() +
                                            "\"\n"
                                            "[gateway_bridge]\nbind = \"127.0.0.1:" + std::to_string(udp_port_) +
                                            "\"\n"
                                            "[network]\ndedup_window_ms = 200\n" + network_config +
                                            "[mqtt]\nserver = \"127.0.0.1:" + std::to_string(broker_.port()) +
                                            "\"\nclient_id = \"uchetd-e2e\"\n"
                                            "[log]\nlevel = \"info\"\n"
                                            "[http]\nbind = \"127.0.0.1:0\"\n");
    ++runs_;
    uchetd_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{executable_from_env("UCHETD"), "--config", dir_.file("uchet.toml")}, current_log());
    sim::GatewayOptions probe_options;
    probe_options.keepalive = std::chrono::milliseconds(0);
    sim::SimulatedGateway probe(kGateway1, bridge(), probe_options);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!probe.pull(std::chrono::milliseconds(200))) {
      if (!uchetd_->running()) throw std::runtime_error("uchetd exited during start-up:\n" + uchetd_log());
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("uchetd did not answer PULL_DATA:\n" + uchetd_log());
    }
  }

  // Sends `signo` to uchetd and waits (10 s at most) for it to exit; returns the exit status
  // as ChildProcess::wait_exit reports it (-signal when killed by one).
  int stop_uchetd(int signo) {
    uchetd_->signal(signo);
    int status = uchetd_->wait_exit(std::chrono::seconds(10));
    uchetd_.reset();
    return status;
  }
  bool uchetd_running() { return uchetd_ && uchetd_->running(); }

  MosquittoBroker& broker() { return broker_; }
  MqttRecorder& recorder() { return *mqtt_; }

  boost::asio::ip::udp::endpoint bridge() const {
    return {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(udp_port_)};
  }
  std::string database() const { return dir_.file("uchet.db"); }

  std::string uchetd_log() const {
    std::string out;
    for (int i = 1; i <= runs_; ++i) {
      out += "===== uchetd run " + std::to_string(i) + " =====\n";
      out += read_file(dir_.file("uchetd." + std::to_string(i) + ".log"));
    }
    return out;
  }

  // sqlite3 <db> <sql>: stdout without the trailing newline. Fails the test on an error.
  std::string sql(const std::string& query) {
    auto r = run({"/usr/bin/sqlite3", "-cmd", ".timeout 5000", database(), query});
    INFO("sqlite3 " << query << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  long long sql_count(const std::string& query) { return std::stoll(sql(query)); }

  // mosquitto_pub -q 1 to the broker. Fails the test if it could not publish.
  void publish(const std::string& topic, const std::string& payload) {
    auto r = run({"/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()), "-q", "1", "-t",
                  topic, "-m", payload});
    INFO("mosquitto_pub: " << r.err << r.out);
    REQUIRE(r.exit_code == 0);
  }

  static std::string device_topic(lorawan::Eui64 dev_eui) {
    return std::string("application/") + kApplication + "/device/" + lorawan::eui64_to_string(dev_eui);
  }

  std::vector<nlohmann::json> events(const std::string& kind, lorawan::Eui64 dev_eui) const {
    const std::string topic = device_topic(dev_eui) + "/event/" + kind;
    std::vector<nlohmann::json> out;
    for (const auto& m : mqtt_->messages()) {
      if (m.topic == topic) out.push_back(nlohmann::json::parse(m.payload));
    }
    return out;
  }
  std::vector<nlohmann::json> wait_events(const std::string& kind, lorawan::Eui64 dev_eui, std::size_t count,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(3)) const {
    eventually([&] { return events(kind, dev_eui).size() >= count; }, timeout);
    return events(kind, dev_eui);
  }

  // fCnt of every `up` event so far, in arrival order.
  std::vector<long long> up_fcnts(lorawan::Eui64 dev_eui) const {
    std::vector<long long> out;
    for (const auto& e : events("up", dev_eui)) out.push_back(e.at("fCnt").get<long long>());
    return out;
  }

 private:
  bool started_ = false;  // a start() succeeded: the UDP port is fixed from then on
  std::string current_log() const { return dir_.file("uchetd." + std::to_string(runs_) + ".log"); }

  TempDir dir_;
  MosquittoBroker broker_;
  std::unique_ptr<MqttRecorder> mqtt_;
  int udp_port_ = 0;
  int runs_ = 0;
  std::unique_ptr<ChildProcess> uchetd_;
};

// "0 1 2 ..." for failure messages.
inline std::string join_numbers(const std::vector<long long>& v) {
  std::string out;
  for (auto n : v) {
    if (!out.empty()) out += ' ';
    out += std::to_string(n);
  }
  return out;
}

// How many times each value occurs.
inline std::map<long long, int> histogram(const std::vector<long long>& v) {
  std::map<long long, int> out;
  for (auto n : v) ++out[n];
  return out;
}

}  // namespace uchet::test
