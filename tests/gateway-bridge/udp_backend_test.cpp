// The Semtech UdpBackend over real sockets on 127.0.0.1: the bridge receives and acknowledges on its own
// thread while the owner's io_context (driven by the test) may be busy; receptions reach the
// owner through a bounded queue whose overflow is counted.
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "gateway-bridge/semtech_udp/udp_backend.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

struct Harness {
  asio::io_context owner;  // the network server's, run by the test when it wants deliveries
  asio::io_context gateway_io;
  udp::socket gateway{gateway_io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::vector<Reception> uplinks;
  std::vector<std::thread::id> delivered_on;
  std::unique_ptr<UdpBackend> bridge;

  explicit Harness(std::size_t max_queued = 65'536) {
    UdpBackendOptions options;
    options.endpoint.bind = "127.0.0.1:0";
    options.max_queued_uplinks = max_queued;
    BackendCallbacks callbacks;
    callbacks.on_reception = [this](Reception&& rx) {
      uplinks.push_back(std::move(rx));
      delivered_on.push_back(std::this_thread::get_id());
    };
    callbacks.is_known_gateway = [](lorawan::Eui64 eui) { return eui == kGatewayEui; };
    bridge = std::make_unique<UdpBackend>(options);
    REQUIRE(bridge->start(owner, callbacks));
  }

  void send(const Bytes& datagram) { gateway.send_to(asio::buffer(datagram), bridge->local_endpoint()); }

  // The next datagram for the gateway within `timeout`, without running the owner's io_context.
  std::optional<Bytes> receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (gateway.available() == 0) {
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(1ms);
    }
    std::array<std::uint8_t, 65536> buffer{};
    udp::endpoint from;
    auto n = gateway.receive_from(asio::buffer(buffer), from);
    return Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
  }

  void run_owner(std::size_t want, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (uplinks.size() < want && std::chrono::steady_clock::now() < deadline) {
      owner.restart();
      owner.run_for(2ms);
    }
  }
};

}  // namespace

TEST_CASE("the bridge thread acknowledges at once and delivers receptions on the owner's thread") {
  Harness h;
  h.send(push_data(0x0101, rxpk_array(2)));
  // PUSH_ACK comes although the owner's io_context is not running.
  auto ack = h.receive(1000ms);
  REQUIRE(ack);
  CHECK(*ack == Bytes{0x02, 0x01, 0x01, 0x01});
  CHECK(h.uplinks.empty());
  h.run_owner(2, 1000ms);
  REQUIRE(h.uplinks.size() == 2);
  CHECK(h.uplinks[0].phy_payload == kPayload);
  CHECK(h.uplinks[0].gateway_eui == kGatewayEui);
  for (auto id : h.delivered_on) CHECK(id == std::this_thread::get_id());
  CHECK(h.bridge->counters().receptions_dropped == 0);
}

TEST_CASE("beyond the queue bound receptions are dropped and PUSH_DATA acknowledged unread, all counted") {
  Harness h(/*max_queued=*/3);
  h.send(push_data(0x0201, rxpk_array(2)));
  REQUIRE(h.receive(1000ms));
  h.send(push_data(0x0202, rxpk_array(3, rxpk_with("tmst", "42"))));
  REQUIRE(h.receive(1000ms));  // still acknowledged: the forwarder must not resend
  CHECK(h.bridge->counters().receptions_dropped == 2);
  // The queue is full: the next PUSH_DATA is acknowledged without being read.
  h.send(push_data(0x0204, rxpk_array(1)));
  CHECK(h.receive(1000ms) == Bytes{0x02, 0x02, 0x04, 0x01});
  CHECK(h.bridge->counters().messages_shed == 1);
  h.run_owner(3, 1000ms);
  REQUIRE(h.uplinks.size() == 3);
  CHECK(h.uplinks[0].counter == CounterTime{3512348611u, 3512348611u});
  CHECK(h.uplinks[1].counter == CounterTime{3512348611u, 3512348611u});
  // tmst 42 after 3512348611 on the same gateway: its counter wrapped (counter_widener.h).
  CHECK(h.uplinks[2].counter == CounterTime{(1ull << 32) + 42u, 42u});
  // With the queue emptied there is room again.
  h.send(push_data(0x0203, rxpk_array(1)));
  REQUIRE(h.receive(1000ms));
  h.run_owner(4, 1000ms);
  CHECK(h.uplinks.size() == 4);
  CHECK(h.bridge->counters().receptions_dropped == 2);
  CHECK(h.bridge->counters().messages_shed == 1);
}

TEST_CASE("stop() delivers what is still queued, the destructor alone delivers nothing") {
  {
    Harness h;
    h.send(push_data(0x0301, rxpk_array(2)));
    REQUIRE(h.receive(1000ms));
    h.bridge->stop();
    CHECK(h.uplinks.size() == 2);
    h.bridge->stop();  // idempotent
    CHECK(h.uplinks.size() == 2);
  }
  {
    Harness h;
    h.send(push_data(0x0302, rxpk_array(1)));
    REQUIRE(h.receive(1000ms));
    h.bridge.reset();
    CHECK(h.uplinks.empty());
  }
}

TEST_CASE("a downlink sent from the owner's thread leaves from the bridge thread as PULL_RESP") {
  Harness h;
  Transmission tx;
  tx.timing = CounterTime{1000u};
  tx.frequency_hz = 869100000;
  tx.power_dbm = 14;
  tx.data_rate = LoraRate{12, 125};
  tx.phy_payload = kPayload;
  h.send(gateway_datagram(0x02, 0x0401));  // PULL_DATA: the downlink path
  REQUIRE(h.receive(1000ms) == Bytes{0x02, 0x04, 0x01, 0x04});
  auto token = h.bridge->send(kGatewayEui, tx);
  REQUIRE(token);
  auto resp = h.receive(1000ms);
  REQUIRE(resp);
  REQUIRE(resp->size() > 4);
  CHECK((*resp)[3] == 0x03);
  CHECK(((*resp)[1] << 8 | (*resp)[2]) == *token);
  h.bridge->stop();
  CHECK(h.bridge->send(kGatewayEui, tx).error() == "gateway bridge endpoint is closed");
}
