#pragma once
// A second (third...) uchetd for the end-to-end tests of several uchetd on one PostgreSQL
// database (docs/deployment.md, layout 3): it runs on the NetworkUnderTest's database and broker,
// with its own [cluster] instance name, UDP and HTTP ports and MQTT client id. Up once it answers
// `probe`'s PULL_DATA (which makes it hold that gateway's downlink path); it can be killed and
// started again on the same ports. Its log is printed when an assertion of the test failed.
#include <csignal>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "tests/e2e/network_fixture.h"

namespace uchet::test {

class ClusterInstance {
 public:
  ClusterInstance(NetworkUnderTest& net, std::string name, std::string client_id, lorawan::Eui64 probe)
      : net_(net), name_(std::move(name)), client_id_(std::move(client_id)), probe_(probe) {
    start();
  }
  ~ClusterInstance() {
    if (uchetd_ && uchetd_->running()) kill(SIGTERM);
    // A REQUIRE failed (the fixture prints its own uchetd's log itself).
    if (std::uncaught_exceptions() > 0) std::cerr << "instance " << name_ << "'s log:\n" << log() << "\n";
  }

  // Writes the configuration and starts uchetd (again, after kill(): same ports and name).
  void start() {
    write_file(dir_.file("uchet.toml"),
               "[storage]\n" + storage_config(net_.database()) + "[gateway_bridge]\nbind = \"127.0.0.1:" +
                   std::to_string(udp_port_) + "\"\n[network]\ndedup_window_ms = 200\n[mqtt]\nserver = " +
                   "\"tcp://127.0.0.1:" + std::to_string(net_.broker().port()) + "\"\nclient_id = \"" + client_id_ +
                   "\"\n[cluster]\ninstance = \"" + name_ +
                   "\"\n[log]\nlevel = \"info\"\n[http]\nbind = \"127.0.0.1:" + std::to_string(http_port_) + "\"\n");
    ++runs_;
    uchetd_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{executable_from_env("UCHETD"), "--config", dir_.file("uchet.toml")}, run_log(runs_));
    sim::GatewayOptions options;
    options.keepalive = std::chrono::milliseconds(0);
    sim::SimulatedGateway gateway(probe_, bridge(), options);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!gateway.pull(std::chrono::milliseconds(200))) {
      if (!uchetd_->running()) FAIL("instance " << name_ << " exited during start-up:\n" << log());
      if (std::chrono::steady_clock::now() > deadline)
        FAIL("instance " << name_ << " did not answer PULL_DATA:\n" << log());
    }
  }

  boost::asio::ip::udp::endpoint bridge() const {
    return {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(udp_port_)};
  }
  int http_port() const { return http_port_; }
  const std::string& name() const { return name_; }
  // Sends `signo` and waits (10 s at most); the status as ChildProcess::wait_exit reports it.
  int kill(int signo) {
    uchetd_->signal(signo);
    return uchetd_->wait_exit(std::chrono::seconds(10));
  }
  // Every run's log, each after a marker line when there were several.
  std::string log() const {
    std::string out;
    for (int i = 1; i <= runs_; ++i) {
      if (runs_ > 1) out += "===== run " + std::to_string(i) + " =====\n";
      out += read_file(run_log(i));
    }
    return out;
  }

 private:
  std::string run_log(int run) const { return dir_.file("uchetd-" + name_ + "." + std::to_string(run) + ".log"); }

  NetworkUnderTest& net_;
  std::string name_, client_id_;
  lorawan::Eui64 probe_;
  TempDir dir_;
  int udp_port_ = free_port(/*udp=*/true);
  int http_port_ = free_port();
  int runs_ = 0;
  std::unique_ptr<ChildProcess> uchetd_;
};

}  // namespace uchet::test
