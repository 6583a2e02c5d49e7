// BackendSet: one GatewayBackend in front of several, routing each transmission to the member the
// gateway was last heard through. The members here are recording doubles of the contract: what
// is under test is the routing, not a protocol.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "gateway-bridge/backend_set.h"

namespace {

using namespace uchet;
using namespace uchet::gateway_bridge;

class RecordingBackend final : public GatewayBackend {
 public:
  explicit RecordingBackend(std::string name) : name_(std::move(name)) {}
  lorawan::Result<void> start(boost::asio::io_context&, BackendCallbacks callbacks) override {
    if (refuse_start) return std::unexpected(name_ + " cannot bind");
    callbacks_ = std::move(callbacks);
    running = true;
    return {};
  }
  void stop() override { running = false; }
  lorawan::Result<TransmissionId> send(lorawan::Eui64 gateway, const Transmission&) override {
    if (!reaches.contains(gateway)) return std::unexpected(name_ + ": gateway not connected");
    sent.push_back(gateway);
    return next_id++;
  }
  BackendCounters counters() const override { return {.messages_shed = 2, .receptions_dropped = 3}; }

  void hear(lorawan::Eui64 gateway) {
    Reception rx;
    rx.gateway_eui = gateway;
    callbacks_.on_reception(std::move(rx));
  }
  void stats(lorawan::Eui64 gateway) { callbacks_.on_stats(gateway, GatewayStats{}); }

  std::set<lorawan::Eui64> reaches;
  std::vector<lorawan::Eui64> sent;
  bool refuse_start = false;
  bool running = false;

 private:
  std::string name_;
  BackendCallbacks callbacks_;
  TransmissionId next_id = 1;
};

struct Fixture {
  RecordingBackend udp{"udp"};
  RecordingBackend station{"station"};
  BackendSet set{{&udp, &station}};
  boost::asio::io_context io;
  std::vector<lorawan::Eui64> received;
  std::vector<lorawan::Eui64> stats;

  void start() {
    BackendCallbacks callbacks;
    callbacks.on_reception = [this](Reception&& rx) { received.push_back(rx.gateway_eui); };
    callbacks.on_stats = [this](lorawan::Eui64 gateway, const GatewayStats&) { stats.push_back(gateway); };
    REQUIRE(set.start(io, callbacks));
  }
};

constexpr lorawan::Eui64 kGateway = 0x0102030405060708;

}  // namespace

TEST_CASE("BackendSet hands every member's receptions and stats to the owner", "[gateway-bridge]") {
  Fixture f;
  f.start();
  f.udp.hear(1);
  f.station.hear(2);
  f.station.stats(3);
  CHECK(f.received == std::vector<lorawan::Eui64>{1, 2});
  CHECK(f.stats == std::vector<lorawan::Eui64>{3});
}

TEST_CASE("BackendSet sends through the member the gateway was last heard through", "[gateway-bridge]") {
  Fixture f;
  f.start();
  f.udp.reaches.insert(kGateway);
  f.station.reaches.insert(kGateway);  // both could: the one that heard it last wins
  f.station.hear(kGateway);
  REQUIRE(f.set.send(kGateway, Transmission{}));
  CHECK(f.station.sent.size() == 1);
  CHECK(f.udp.sent.empty());

  f.udp.stats(kGateway);  // now it talks over UDP
  REQUIRE(f.set.send(kGateway, Transmission{}));
  CHECK(f.udp.sent.size() == 1);
  CHECK(f.station.sent.size() == 1);
}

TEST_CASE("BackendSet offers a gateway never heard, or no longer reachable, to each member in turn",
          "[gateway-bridge]") {
  Fixture f;
  f.start();
  f.station.reaches.insert(kGateway);
  REQUIRE(f.set.send(kGateway, Transmission{}));  // never heard: UDP refuses, the station takes it
  CHECK(f.station.sent.size() == 1);

  f.udp.hear(kGateway);  // heard over UDP, but UDP lost its downlink path since
  REQUIRE(f.set.send(kGateway, Transmission{}));
  CHECK(f.station.sent.size() == 2);
}

TEST_CASE("BackendSet refuses with every member's reason when none reaches the gateway", "[gateway-bridge]") {
  Fixture f;
  f.start();
  auto sent = f.set.send(kGateway, Transmission{});
  REQUIRE_FALSE(sent);
  CHECK(sent.error() == "udp: gateway not connected; station: gateway not connected");
}

TEST_CASE("BackendSet stops the members it started when a later one cannot start", "[gateway-bridge]") {
  Fixture f;
  f.station.refuse_start = true;
  BackendCallbacks callbacks;
  auto started = f.set.start(f.io, callbacks);
  REQUIRE_FALSE(started);
  CHECK(started.error() == "station cannot bind");
  CHECK_FALSE(f.udp.running);
}

TEST_CASE("BackendSet adds up its members' counters and stops them all", "[gateway-bridge]") {
  Fixture f;
  f.start();
  CHECK(f.set.counters().messages_shed == 4);
  CHECK(f.set.counters().receptions_dropped == 6);
  f.set.stop();
  CHECK_FALSE(f.udp.running);
  CHECK_FALSE(f.station.running);
}
