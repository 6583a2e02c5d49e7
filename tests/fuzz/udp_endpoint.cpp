// Fuzz target: the Semtech UDP endpoint around the datagram parser — its gateway registry (which
// gateways are answered at all), the downlink paths PULL_DATA opens, the PULL_RESP tokens a
// TX_ACK must match, overload shedding and the rate-limited rejection log. One real endpoint on
// a loopback port lives for the whole run, so its state (paths, pending tokens, the log limiter's
// keys) accumulates across inputs as it would over months of hostile traffic.
//
// An input is a script of steps, each [op][length][length bytes]:
//   op % 4 picks one of four client sockets (a gateway's PUSH socket, its PULL socket, ...);
//   op / 4 % 5 picks the action:
//     0  send the bytes as they are;
//     1  send a well-formed header (version 2, token and type from the bytes, a gateway EUI
//        from a small set, some known to the registry, some not) followed by the rest;
//     2  ask the endpoint to send a downlink to one of the EUIs (a PULL_RESP, if it has a path);
//     3  send a TX_ACK carrying the latest PULL_RESP token this socket received, the bytes as
//        its JSON body;
//     4  switch overload on or off (PUSH_DATA then acknowledged unread).
// After each step the endpoint's io_context runs until it has classified every datagram sent,
// and the clients drain what it answered. The datagram counters must always add up.
#include <boost/asio.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "gateway-bridge/semtech_udp/udp_endpoint.h"

namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;

// Gateways with an even last byte are registered; the others are strangers.
constexpr std::array<std::uint64_t, 6> kEuis = {0xAA555A0000000000, 0xAA555A0000000001, 0xAA555A0000000002,
                                                0x0000000000000000, 0xFFFFFFFFFFFFFFFF, 0x0102030405060708};

struct Harness {
  asio::io_context io;
  bool overloaded = false;
  std::uint64_t uplinks = 0, outcomes = 0;
  std::optional<UdpEndpoint> endpoint;
  std::vector<std::unique_ptr<udp::socket>> clients;
  std::array<std::optional<std::uint16_t>, 4> last_pull_resp_token{};
  udp::endpoint server;

  Harness() {
    spdlog::set_level(spdlog::level::off);  // rejections are logged by design; libFuzzer's output stays readable
    EndpointConfig config;
    config.bind = "127.0.0.1:0";
    config.tx_ack_timeout = std::chrono::seconds(1);
    EndpointCallbacks callbacks;
    callbacks.on_uplink = [this](Reception&&) { ++uplinks; };
    callbacks.on_stats = [](std::uint64_t, const GatewayStats&) {};
    callbacks.on_tx_ack = [this](const DownlinkOutcome&) { ++outcomes; };
    callbacks.overloaded = [this] { return overloaded; };
    auto opened = UdpEndpoint::open(
        io, config, [](std::uint64_t eui) { return eui % 2 == 0; }, std::move(callbacks));
    if (!opened) {
      std::fprintf(stderr, "cannot open the endpoint: %s\n", opened.error().c_str());
      std::abort();
    }
    endpoint.emplace(std::move(*opened));
    server = endpoint->local_endpoint();
    for (int i = 0; i < 4; ++i) {
      auto socket = std::make_unique<udp::socket>(io, udp::endpoint(asio::ip::address_v4::loopback(), 0));
      socket->non_blocking(true);
      clients.push_back(std::move(socket));
    }
  }

  void send(std::size_t client, const std::vector<std::uint8_t>& bytes) {
    boost::system::error_code ec;
    clients[client]->send_to(asio::buffer(bytes), server, 0, ec);
  }

  // Runs the endpoint until it has classified `expected` datagrams (loopback does not lose them;
  // the bound only keeps a surprise from hanging the run), then drains the clients.
  void settle(std::uint64_t expected) {
    for (int round = 0; round < 1000 && endpoint->counters().datagrams < expected; ++round) {
      io.run_one_for(std::chrono::milliseconds(1));  // returns as soon as one handler ran
    }
    io.poll();  // a downlink posted from this thread, the PULL_RESP's send completion
    std::array<std::uint8_t, 65536> buffer{};
    for (std::size_t i = 0; i < clients.size(); ++i) {
      boost::system::error_code ec;
      for (;;) {
        udp::endpoint from;
        const auto n = clients[i]->receive_from(asio::buffer(buffer), from, 0, ec);
        if (ec) break;
        if (n >= 4 && buffer[0] == 2 && buffer[3] == 0x03) {
          last_pull_resp_token[i] = static_cast<std::uint16_t>(buffer[1] << 8 | buffer[2]);
        }
      }
    }
  }
};

Harness& harness() {
  static Harness h;
  return h;
}

std::vector<std::uint8_t> header(std::uint8_t type, std::uint16_t token, std::uint64_t eui) {
  std::vector<std::uint8_t> bytes = {2, static_cast<std::uint8_t>(token >> 8), static_cast<std::uint8_t>(token), type};
  for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(eui >> shift));
  return bytes;
}

Transmission downlink(const std::uint8_t* data, std::size_t size) {
  Transmission tx;
  tx.timing = size > 0 && data[0] % 2 ? TxTiming{CounterTime{1'000'000u * (size + 1)}} : TxTiming{Immediately{}};
  tx.frequency_hz = 869'100'000;
  tx.power_dbm = 14;
  tx.data_rate = LoraRate{12, 125};
  tx.phy_payload.assign(data, data + std::min<std::size_t>(size, 255));
  if (tx.phy_payload.empty()) tx.phy_payload.push_back(0x60);
  return tx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& h = harness();
  h.overloaded = false;
  std::uint64_t expected = h.endpoint->counters().datagrams;
  std::size_t at = 0;
  while (at + 2 <= size) {
    const std::uint8_t op = data[at];
    const std::size_t length = std::min<std::size_t>(data[at + 1], size - at - 2);
    const std::uint8_t* bytes = data + at + 2;
    at += 2 + length;
    const std::size_t client = op % 4;
    switch (op / 4 % 5) {
      case 0:
        h.send(client, {bytes, bytes + length});
        ++expected;
        break;
      case 1: {
        const std::uint8_t type = length > 0 ? bytes[0] % 6 : 0;
        const std::uint16_t token = length > 2 ? static_cast<std::uint16_t>(bytes[1] << 8 | bytes[2]) : 0;
        const std::uint64_t eui = kEuis[length > 3 ? bytes[3] % kEuis.size() : 0];
        auto datagram = header(type, token, eui);
        if (length > 4) datagram.insert(datagram.end(), bytes + 4, bytes + length);
        h.send(client, datagram);
        ++expected;
        break;
      }
      case 2: {
        const std::uint64_t eui = kEuis[length > 0 ? bytes[0] % kEuis.size() : 0];
        (void)h.endpoint->send_downlink(eui, downlink(bytes, length));
        break;
      }
      case 3: {
        const std::uint16_t token = h.last_pull_resp_token[client].value_or(0);
        auto datagram = header(0x05, token, kEuis[length > 0 ? bytes[0] % kEuis.size() : 0]);
        if (length > 1) datagram.insert(datagram.end(), bytes + 1, bytes + length);
        h.send(client, datagram);
        ++expected;
        break;
      }
      default:
        h.overloaded = !h.overloaded;
        break;
    }
    h.settle(expected);
  }
  const auto& c = h.endpoint->counters();
  // Every datagram received lands in exactly one class (udp_endpoint.h).
  if (c.push_data + c.pull_data + c.tx_ack + c.malformed + c.unsupported_version + c.unknown_gateway != c.datagrams) {
    std::fprintf(stderr, "datagram classes do not add up to the datagrams received\n");
    std::abort();
  }
  if (h.outcomes > c.tx_ack) {
    std::fprintf(stderr, "more TX_ACK outcomes than TX_ACKs\n");
    std::abort();
  }
  return 0;
}
