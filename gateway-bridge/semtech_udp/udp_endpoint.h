#pragma once
// The Semtech UDP endpoint: one socket on the owner's Boost.Asio io_context, never blocking.
// - PUSH_DATA / PULL_DATA / TX_ACK are accepted only from gateways the owner's registry
//   predicate knows; anything else gets no answer and no processing, only a counter.
// - PUSH_DATA is answered with PUSH_ACK (before the callbacks run, the forwarder waits only
//   ~100 ms), then each CRC-valid rxpk becomes a Reception (its tmst widened per gateway,
//   counter_widener.h) and "stat" a GatewayStats.
// - PULL_DATA is answered with PULL_ACK and its source address becomes the gateway's downlink
//   path; send_downlink() sends PULL_RESP there and the TX_ACK with the same token is reported
//   with the original request. Requests with no TX_ACK within tx_ack_timeout are forgotten
//   (pre-v3 forwarders never send one) and counted.
// - Rejections are logged through spdlog at most once per interval per reason and gateway.
// Everything (receive handlers, callbacks, counters) runs on, and must be called from, the
// io_context's one thread, except send_downlink(), which any thread may call (the datagram then
// leaves from the io_context's thread). Nothing received can throw out of a handler.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "gateway-bridge/backend.h"
#include "gateway-bridge/semtech_udp/bind_address.h"
#include "gateway-bridge/semtech_udp/push_data.h"
#include "gateway-bridge/semtech_udp/tx_ack.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

// The gateway's answer to one downlink, with what was sent under its token.
struct DownlinkOutcome {
  TxAck ack;  // ack.gateway_eui, ack.token, ack.scheduled(), ack.error...
  Transmission request;
};

// What the endpoint reports, on its io_context's thread.
struct EndpointCallbacks {
  std::function<void(Reception&&)> on_uplink;
  std::function<void(lorawan::Eui64, const GatewayStats&)> on_stats;
  std::function<void(const DownlinkOutcome&)> on_tx_ack;
  // True while the owner cannot take more receptions: a PUSH_DATA is then acknowledged without
  // its JSON being parsed and counted as shed, the cheapest way through an overload.
  std::function<bool()> overloaded;
};

struct EndpointConfig {
  std::string bind = "0.0.0.0:1700";  // "host:port", IPv6 as "[::]:1700"; port 0 = ephemeral
  std::size_t max_rxpk_per_datagram = kMaxRxpkPerDatagram;
  std::chrono::seconds tx_ack_timeout{30};
  // A gateway's downlink path is its latest PULL_DATA's source address. Forwarders send one every
  // 10 s by default (keepalive_interval); after a minute without one the gateway is offline or
  // its NAT mapping may be gone, and a PULL_RESP would be lost without a word (ChirpStack's
  // bridge forgets gateways after the same minute).
  std::chrono::milliseconds downlink_path_ttl{60'000};
  std::chrono::seconds log_interval{60};
};

// Every received datagram lands in exactly one of push_data, pull_data, tx_ack, malformed,
// unsupported_version, unknown_gateway (so they sum to `datagrams`).
struct EndpointCounters {
  std::uint64_t datagrams = 0;
  std::uint64_t push_data = 0;
  std::uint64_t pull_data = 0;
  std::uint64_t tx_ack = 0;
  std::uint64_t malformed = 0;
  std::uint64_t unsupported_version = 0;
  std::uint64_t unknown_gateway = 0;
  std::uint64_t crc_bad_dropped = 0;  // rxpk with stat -1 or 0
  std::uint64_t rxpk_rejected = 0;    // invalid rxpk (and those beyond the per-datagram limit)
  std::uint64_t stats_rejected = 0;
  std::uint64_t uplinks = 0;         // Reception delivered
  std::uint64_t push_data_shed = 0;  // PUSH_DATA acknowledged unread while the owner was overloaded
  std::uint64_t downlinks_sent = 0;  // PULL_RESP handed to the kernel
  std::uint64_t send_errors = 0;
  std::uint64_t tx_ack_unmatched = 0;  // token unknown, expired, or from another gateway
  std::uint64_t tx_ack_expired = 0;    // downlinks that never got a TX_ACK
  std::uint64_t callback_errors = 0;   // owner callbacks that threw
};

class UdpEndpoint {
 public:
  // The gateway registry: true for gateways allowed to talk to this server.
  using GatewayFilter = std::function<bool(lorawan::Eui64)>;

  // Binds config.bind and starts receiving on `io`. Fails on a bad address, a bind error or a
  // missing filter.
  static lorawan::Result<UdpEndpoint> open(boost::asio::io_context& io, const EndpointConfig& config,
                                           GatewayFilter is_known_gateway, EndpointCallbacks callbacks);

  UdpEndpoint(UdpEndpoint&&) noexcept;
  UdpEndpoint& operator=(UdpEndpoint&&) noexcept;
  ~UdpEndpoint();  // closes the socket; handlers still queued finish harmlessly

  boost::asio::ip::udp::endpoint local_endpoint() const;  // the bound port when bind used port 0

  // Sends `packet` to the gateway's latest PULL_DATA address; returns the PULL_RESP token that
  // the DownlinkOutcome will carry. Errors: "gateway has no downlink path" (never sent PULL_DATA,
  // or not within downlink_path_ttl), an invalid packet, a closed endpoint.
  lorawan::Result<std::uint16_t> send_downlink(lorawan::Eui64 gateway_eui, const Transmission& packet);
  // The gateways send_downlink() can reach now (a PULL_DATA within downlink_path_ttl). Any thread.
  std::vector<lorawan::Eui64> gateways_with_downlink_path() const;

  const EndpointCounters& counters() const;
  void close();

 private:
  struct State;
  explicit UdpEndpoint(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace uchet::gateway_bridge::semtech_udp
