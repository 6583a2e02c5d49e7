// The UDP endpoint over real sockets on 127.0.0.1: the endpoint binds port 0 and a test socket
// plays the gateway. Everything runs on one io_context driven by the test.
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <nlohmann/json.hpp>

#include "gateway-bridge/semtech_udp/udp_endpoint.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

constexpr lorawan::Eui64 kUnknownEui = 0x0102030405060708;

template <class Done>
bool run_until(asio::io_context& io, Done done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(2ms);
  }
  return done();
}

struct Harness {
  asio::io_context io;
  std::vector<Reception> uplinks;
  std::vector<std::pair<lorawan::Eui64, GatewayStats>> stats;
  std::vector<DownlinkOutcome> outcomes;
  UdpEndpoint endpoint;
  udp::socket gateway{io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};

  Harness()
      : endpoint(*UdpEndpoint::open(
            io, EndpointConfig{.bind = "127.0.0.1:0"}, [](lorawan::Eui64 eui) { return eui == kGatewayEui; },
            EndpointCallbacks{
                .on_uplink = [this](Reception&& up) { uplinks.push_back(std::move(up)); },
                .on_stats = [this](lorawan::Eui64 eui, const GatewayStats& s) { stats.emplace_back(eui, s); },
                .on_tx_ack = [this](const DownlinkOutcome& o) { outcomes.push_back(o); },
            })) {}

  void send(const Bytes& datagram, udp::socket* from = nullptr) {
    (from ? *from : gateway).send_to(asio::buffer(datagram), endpoint.local_endpoint());
  }

  // What arrives at `on` within `timeout`, or nothing.
  std::optional<Bytes> receive(std::chrono::milliseconds timeout, udp::socket* on = nullptr) {
    udp::socket& socket = on ? *on : gateway;
    std::array<std::uint8_t, 65536> buffer{};
    udp::endpoint from;
    bool done = false;
    std::optional<std::size_t> size;
    socket.async_receive_from(asio::buffer(buffer), from, [&](const boost::system::error_code& ec, std::size_t n) {
      done = true;
      if (!ec) size = n;
    });
    if (!run_until(
            io, [&] { return done; }, timeout)) {
      socket.cancel();
      run_until(
          io, [&] { return done; }, 1000ms);
    }
    if (!size) return std::nullopt;
    return Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*size));
  }

  void settle() {
    run_until(
        io, [] { return false; }, 50ms);
  }

  std::uint64_t classified() const {
    const auto& c = endpoint.counters();
    return c.push_data + c.pull_data + c.tx_ack + c.malformed + c.unsupported_version + c.unknown_gateway;
  }
};

}  // namespace

TEST_CASE("open refuses a bad address, an address in use and a missing registry") {
  asio::io_context io;
  auto anyone = [](lorawan::Eui64) { return true; };
  CHECK_THAT(UdpEndpoint::open(io, {.bind = "nowhere:1700"}, anyone, {}).error(), Catch::Contains("not an IP"));
  CHECK_THAT(UdpEndpoint::open(io, {.bind = "127.0.0.1:0"}, nullptr, {}).error(), Catch::Contains("registry"));
  auto first = UdpEndpoint::open(io, {.bind = "127.0.0.1:0"}, anyone, {});
  REQUIRE(first);
  const auto taken = "127.0.0.1:" + std::to_string(first->local_endpoint().port());
  CHECK_THAT(UdpEndpoint::open(io, {.bind = taken}, anyone, {}).error(), Catch::Contains("cannot bind"));
}

TEST_CASE("PUSH_DATA from a registered gateway: PUSH_ACK with its token, uplink and stats delivered") {
  Harness h;
  h.send(push_data(0xC0DE, R"({"rxpk":[)" + kLoraRxpk + "," + rxpk_with("stat", "-1") + "," + rxpk_with("rssi", "99") +
                               R"(],"stat":)" + kStat + "}"));
  auto ack = h.receive(1000ms);
  REQUIRE(ack);
  CHECK(*ack == Bytes{0x02, 0xC0, 0xDE, 0x01});
  REQUIRE(h.uplinks.size() == 1);
  CHECK(h.uplinks[0].gateway_eui == kGatewayEui);
  CHECK(h.uplinks[0].phy_payload == kPayload);
  CHECK(h.uplinks[0].frequency_hz == 868100000u);
  REQUIRE(h.stats.size() == 1);
  CHECK(h.stats[0].first == kGatewayEui);
  const auto& c = h.endpoint.counters();
  CHECK(c.datagrams == 1);
  CHECK(c.push_data == 1);
  CHECK(c.uplinks == 1);
  CHECK(c.crc_bad_dropped == 1);
  CHECK(c.rxpk_rejected == 1);
}

TEST_CASE("an SX1302 gateway's burst: every rxpk of a PUSH_DATA as large as UDP allows becomes an uplink") {
  Harness h;
  // As many rxpk as one IPv4 datagram carries (65,507 bytes), and no more than 255.
  const int count = std::min<int>(255, static_cast<int>((65'507 - 12 - 16) / (kLoraRxpk.size() + 1)));
  REQUIRE(count > 8);
  const auto datagram = push_data(0x0B0B, rxpk_array(count));
  REQUIRE(datagram.size() <= 65'507);
  h.send(datagram);
  auto ack = h.receive(1000ms);
  REQUIRE(ack);
  CHECK(*ack == Bytes{0x02, 0x0B, 0x0B, 0x01});
  CHECK(run_until(
      h.io, [&] { return h.uplinks.size() == static_cast<std::size_t>(count); }, 1000ms));
  CHECK(h.uplinks.size() == static_cast<std::size_t>(count));
  CHECK(h.endpoint.counters().rxpk_rejected == 0);
}

TEST_CASE("an unknown gateway gets no answer and is counted") {
  Harness h;
  h.send(push_data(0x0001, rxpk_array(1), kUnknownEui));
  h.send(gateway_datagram(0x02, 0x0002, {}, kUnknownEui));
  CHECK_FALSE(h.receive(300ms));
  CHECK(h.uplinks.empty());
  CHECK(h.endpoint.counters().unknown_gateway == 2);
  CHECK(h.endpoint.counters().push_data == 0);
  // And it gained no downlink path.
  Transmission tx;
  tx.timing = Immediately{};
  tx.frequency_hz = 869525000;
  tx.data_rate = LoraRate{12, 125};
  tx.phy_payload = kPayload;
  CHECK(h.endpoint.send_downlink(kUnknownEui, tx).error() == "gateway has no downlink path (no PULL_DATA yet)");
}

TEST_CASE("malformed and version-1 datagrams get no answer and are counted apart") {
  Harness h;
  h.send(Bytes{0x02, 0x00});
  h.send(push_data(1, R"({"rxpk":[)"));
  h.send(gateway_datagram(0x02, 1, {}, kGatewayEui, 1));
  h.send(gateway_datagram(0x09, 1));
  CHECK_FALSE(h.receive(300ms));
  CHECK(h.endpoint.counters().malformed == 3);
  CHECK(h.endpoint.counters().unsupported_version == 1);
  CHECK(h.endpoint.counters().datagrams == 4);
  CHECK(h.classified() == 4);
}

TEST_CASE("PULL_DATA -> PULL_ACK, downlink as PULL_RESP to the PULL socket, TX_ACK matched") {
  Harness h;
  // Like lora_pkt_fwd: PUSH_DATA and PULL_DATA leave from different sockets.
  udp::socket down(h.io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Transmission tx;
  tx.timing = CounterTime{3513348611u};
  tx.frequency_hz = 868100000;
  tx.power_dbm = 14;
  tx.data_rate = LoraRate{7, 125};
  tx.phy_payload = kPayload;
  CHECK(h.endpoint.send_downlink(kGatewayEui, tx).error() == "gateway has no downlink path (no PULL_DATA yet)");

  h.send(gateway_datagram(0x02, 0x5151), &down);
  auto pull_ack = h.receive(1000ms, &down);
  REQUIRE(pull_ack);
  CHECK(*pull_ack == Bytes{0x02, 0x51, 0x51, 0x04});

  auto token = h.endpoint.send_downlink(kGatewayEui, tx);
  REQUIRE(token);
  auto resp = h.receive(1000ms, &down);
  REQUIRE(resp);
  REQUIRE(resp->size() > 4);
  CHECK((*resp)[0] == 0x02);
  CHECK(((*resp)[1] << 8 | (*resp)[2]) == *token);
  CHECK((*resp)[3] == 0x03);
  auto json = nlohmann::json::parse(resp->begin() + 4, resp->end());
  CHECK(json["txpk"]["tmst"] == 3513348611u);
  CHECK(json["txpk"]["data"] == kPayloadBase64);
  CHECK(h.endpoint.counters().downlinks_sent == 1);

  // A TX_ACK with another token is not ours; the right one reports the original request.
  h.send(gateway_datagram(0x05, static_cast<std::uint16_t>(*token + 1), R"({"txpk_ack":{"error":"NONE"}})"), &down);
  h.send(gateway_datagram(0x05, *token, R"({"txpk_ack":{"error":"TOO_LATE"}})"), &down);
  REQUIRE(run_until(
      h.io, [&] { return !h.outcomes.empty(); }, 1000ms));
  h.settle();
  REQUIRE(h.outcomes.size() == 1);
  CHECK(h.outcomes[0].ack.token == *token);
  CHECK(h.outcomes[0].ack.gateway_eui == kGatewayEui);
  CHECK(h.outcomes[0].ack.error == TxAckError::TooLate);
  CHECK(h.outcomes[0].request.phy_payload == kPayload);
  CHECK(std::get<CounterTime>(h.outcomes[0].request.timing).counter_us == 3513348611u);
  CHECK(h.endpoint.counters().tx_ack == 2);
  CHECK(h.endpoint.counters().tx_ack_unmatched == 1);

  // The same token again: already answered.
  h.send(gateway_datagram(0x05, *token), &down);
  h.settle();
  CHECK(h.outcomes.size() == 1);
  CHECK(h.endpoint.counters().tx_ack_unmatched == 2);
  CHECK(h.classified() == h.endpoint.counters().datagrams);
}

TEST_CASE("consecutive downlinks get distinct tokens - an invalid one is refused before sending") {
  Harness h;
  h.send(gateway_datagram(0x02, 1));
  REQUIRE(h.receive(1000ms));
  Transmission tx;
  tx.timing = Immediately{};
  tx.frequency_hz = 869525000;
  tx.data_rate = LoraRate{12, 125};
  tx.phy_payload = kPayload;
  auto first = h.endpoint.send_downlink(kGatewayEui, tx);
  auto second = h.endpoint.send_downlink(kGatewayEui, tx);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*first != *second);
  tx.frequency_hz = 5;
  CHECK_THAT(h.endpoint.send_downlink(kGatewayEui, tx).error(), Catch::Contains("MHz"));
}

TEST_CASE("a throwing owner callback neither stops the endpoint nor loses the other packets") {
  asio::io_context io;
  int calls = 0;
  auto endpoint = UdpEndpoint::open(io, {.bind = "127.0.0.1:0"}, [](lorawan::Eui64) { return true; },
                                    {.on_uplink = [&](Reception&&) {
                                      ++calls;
                                      throw std::runtime_error("owner bug");
                                    }});
  REQUIRE(endpoint);
  udp::socket gw(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  gw.send_to(asio::buffer(push_data(1, rxpk_array(3))), endpoint->local_endpoint());
  gw.send_to(asio::buffer(push_data(2, rxpk_array(1))), endpoint->local_endpoint());
  REQUIRE(run_until(
      io, [&] { return calls == 4; }, 1000ms));
  CHECK(endpoint->counters().callback_errors == 4);
}

TEST_CASE("a downlink whose TX_ACK comes after tx_ack_timeout is forgotten and counted") {
  asio::io_context io;
  std::vector<DownlinkOutcome> outcomes;
  auto endpoint = UdpEndpoint::open(io, {.bind = "127.0.0.1:0", .tx_ack_timeout = std::chrono::seconds(0)},
                                    [](lorawan::Eui64) { return true; },
                                    {.on_tx_ack = [&](const DownlinkOutcome& o) { outcomes.push_back(o); }});
  REQUIRE(endpoint);
  udp::socket gw(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  gw.send_to(asio::buffer(gateway_datagram(0x02, 1)), endpoint->local_endpoint());
  REQUIRE(run_until(
      io, [&] { return endpoint->counters().pull_data == 1; }, 1000ms));
  Transmission tx;
  tx.timing = Immediately{};
  tx.frequency_hz = 869525000;
  tx.data_rate = LoraRate{12, 125};
  tx.phy_payload = kPayload;
  auto token = endpoint->send_downlink(kGatewayEui, tx);
  REQUIRE(token);
  gw.send_to(asio::buffer(gateway_datagram(0x05, *token)), endpoint->local_endpoint());
  REQUIRE(run_until(
      io, [&] { return endpoint->counters().tx_ack == 1; }, 1000ms));
  CHECK(outcomes.empty());
  CHECK(endpoint->counters().tx_ack_expired == 1);
  CHECK(endpoint->counters().tx_ack_unmatched == 1);
}

TEST_CASE("a gateway silent for longer than downlink_path_ttl has no downlink path until its next PULL_DATA") {
  asio::io_context io;
  auto endpoint = UdpEndpoint::open(io, {.bind = "127.0.0.1:0", .downlink_path_ttl = 150ms},
                                    [](lorawan::Eui64) { return true; }, {});
  REQUIRE(endpoint);
  udp::socket gw(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Transmission tx;
  tx.timing = Immediately{};
  tx.frequency_hz = 869100000;
  tx.data_rate = LoraRate{12, 125};
  tx.phy_payload = kPayload;
  gw.send_to(asio::buffer(gateway_datagram(0x02, 1)), endpoint->local_endpoint());
  REQUIRE(run_until(
      io, [&] { return endpoint->counters().pull_data == 1; }, 1000ms));
  CHECK(endpoint->send_downlink(kGatewayEui, tx));
  run_until(
      io, [] { return false; }, 300ms);  // no PULL_DATA for twice the TTL
  auto stale = endpoint->send_downlink(kGatewayEui, tx);
  REQUIRE_FALSE(stale);
  CHECK_THAT(stale.error(), Catch::StartsWith("gateway has no downlink path (last PULL_DATA"));
  CHECK(endpoint->counters().downlinks_sent == 1);
  gw.send_to(asio::buffer(gateway_datagram(0x02, 2)), endpoint->local_endpoint());
  REQUIRE(run_until(
      io, [&] { return endpoint->counters().pull_data == 2; }, 1000ms));
  CHECK(endpoint->send_downlink(kGatewayEui, tx));
}

TEST_CASE("the endpoint serves IPv6 gateways") {
  asio::io_context io;
  auto endpoint = UdpEndpoint::open(io, {.bind = "[::1]:0"}, [](lorawan::Eui64) { return true; }, {});
  if (!endpoint) {
    WARN("no IPv6 loopback here, skipped: " << endpoint.error());
    return;
  }
  udp::socket gw(io, udp::endpoint(asio::ip::make_address("::1"), 0));
  gw.send_to(asio::buffer(gateway_datagram(0x02, 0x0606)), endpoint->local_endpoint());
  std::array<std::uint8_t, 16> buffer{};
  std::size_t received = 0;
  gw.async_receive(asio::buffer(buffer),
                   [&](const boost::system::error_code& ec, std::size_t n) { received = ec ? 0 : n; });
  REQUIRE(run_until(
      io, [&] { return received > 0; }, 1000ms));
  CHECK(Bytes(buffer.begin(), buffer.begin() + 4) == Bytes{0x02, 0x06, 0x06, 0x04});
}

TEST_CASE("an overloaded owner gets no receptions: PUSH_DATA is acknowledged unread and counted as shed") {
  asio::io_context io;
  bool overloaded = true;
  std::size_t delivered = 0;
  auto endpoint = UdpEndpoint::open(
      io, EndpointConfig{.bind = "127.0.0.1:0"}, [](lorawan::Eui64 eui) { return eui == kGatewayEui; },
      EndpointCallbacks{.on_uplink = [&](Reception&&) { ++delivered; }, .overloaded = [&] { return overloaded; }});
  REQUIRE(endpoint);
  udp::socket gateway{io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::array<std::uint8_t, 64> buffer{};
  udp::endpoint from;
  std::size_t acks = 0;
  auto expect_ack = [&] {
    gateway.async_receive_from(asio::buffer(buffer), from, [&](const boost::system::error_code& ec, std::size_t n) {
      if (!ec && n == 4 && buffer[3] == 0x01) ++acks;
    });
  };
  expect_ack();
  gateway.send_to(asio::buffer(push_data(0x0a0b, rxpk_array(2))), endpoint->local_endpoint());
  REQUIRE(run_until(
      io, [&] { return acks == 1; }, 1000ms));
  CHECK(delivered == 0);
  CHECK(endpoint->counters().push_data_shed == 1);
  overloaded = false;
  expect_ack();
  gateway.send_to(asio::buffer(push_data(0x0a0c, rxpk_array(2))), endpoint->local_endpoint());
  REQUIRE(run_until(
      io, [&] { return acks == 2 && delivered == 2; }, 1000ms));
  CHECK(endpoint->counters().push_data_shed == 1);
  CHECK(endpoint->counters().push_data == 2);
}

TEST_CASE("a burst of datagrams from several gateways is received and acknowledged in batches, none lost") {
  Harness h;
  // Two sockets: acks must go back to each datagram's own source address.
  udp::socket other(h.io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  constexpr int kEach = 40;  // more than one recvmmsg batch, sent before the endpoint runs
  for (int i = 0; i < kEach; ++i) {
    h.send(push_data(static_cast<std::uint16_t>(0x1000 + i), rxpk_array(2)));
    h.send(push_data(static_cast<std::uint16_t>(0x2000 + i), rxpk_array(1)), &other);
  }
  std::set<std::uint16_t> acked_first, acked_other;
  for (int i = 0; i < kEach; ++i) {
    auto a = h.receive(1000ms);
    REQUIRE(a);
    REQUIRE(a->size() == 4);
    CHECK((*a)[3] == 0x01);
    acked_first.insert(static_cast<std::uint16_t>((*a)[1] << 8 | (*a)[2]));
  }
  for (int i = 0; i < kEach; ++i) {
    auto a = h.receive(1000ms, &other);
    REQUIRE(a);
    acked_other.insert(static_cast<std::uint16_t>((*a)[1] << 8 | (*a)[2]));
  }
  CHECK(acked_first.size() == kEach);
  CHECK(*acked_first.begin() == 0x1000);
  CHECK(acked_other.size() == kEach);
  CHECK(*acked_other.begin() == 0x2000);
  REQUIRE(run_until(
      h.io, [&] { return h.uplinks.size() == 3 * kEach; }, 1000ms));
  CHECK(h.endpoint.counters().push_data == 2 * kEach);
  CHECK(h.endpoint.counters().datagrams == 2 * kEach);
  CHECK(h.endpoint.counters().send_errors == 0);
}
