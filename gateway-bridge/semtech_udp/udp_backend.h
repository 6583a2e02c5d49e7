#pragma once
// The Semtech UDP backend (a GatewayBackend, gateway-bridge/backend.h): the UdpEndpoint on a
// thread of its own, where it receives, parses and acknowledges datagrams, so the packet forwarders get their PUSH_ACKs
// and the socket is drained while the owner's thread is busy (the network server commits to SQLite between receptions).
// The owner's callbacks run on the owner's io_context: receptions are handed over in batches through a bounded queue.
// When the owner falls behind by `max_queued_uplinks` receptions, PUSH_DATA datagrams are acknowledged unread and
// counted until it catches up (logged at most once a minute) — overload is visible and costs little, instead of
// vanishing as kernel drops at a full socket buffer.
//
// Silence: pre-v3 forwarders never send TX_ACK, so a transmission without one within
// EndpointConfig::tx_ack_timeout is forgotten without an outcome (counted by the endpoint).
// Outcomes map Semtech's TX_ACK errors one to one onto TxStatus; an error text this code does
// not know is InternalError with the text as detail.
//
// Threads: as GatewayBackend says; is_known_gateway runs on the bridge thread.
#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "gateway-bridge/backend.h"
#include "gateway-bridge/semtech_udp/udp_endpoint.h"

namespace uchet::gateway_bridge::semtech_udp {

struct UdpBackendOptions {
  EndpointConfig endpoint;
  // At most ~1 s of backlog at the network server's measured capacity (BENCHMARKS.md): beyond
  // that, frames would reach it too late for RX1 anyway.
  std::size_t max_queued_uplinks = 16'384;
};

class UdpBackend final : public GatewayBackend {
 public:
  explicit UdpBackend(UdpBackendOptions options);
  ~UdpBackend() override;  // closes and joins like stop(), but delivers nothing more
  UdpBackend(const UdpBackend&) = delete;
  UdpBackend& operator=(const UdpBackend&) = delete;

  // Binds the endpoint (failing like UdpEndpoint::open, or when already started) and starts the
  // bridge thread.
  lorawan::Result<void> start(boost::asio::io_context& owner, BackendCallbacks callbacks) override;
  // Closes the socket and joins the thread; then hands over the receptions still queued.
  void stop() override;
  // The PULL_RESP token is the TransmissionId.
  lorawan::Result<TransmissionId> send(lorawan::Eui64 gateway_eui, const Transmission& transmission) override;
  // messages_shed: PUSH_DATA datagrams acknowledged unread; receptions_dropped: refused because
  // the queue was full.
  BackendCounters counters() const override;
  // Gateways with a PULL_DATA within the endpoint's downlink_path_ttl.
  std::vector<std::pair<lorawan::Eui64, std::string>> downlink_paths() const override;

  boost::asio::ip::udp::endpoint local_endpoint() const;  // after start()

 private:
  struct Shared;
  void halt();  // closes the socket and joins the thread
  UdpBackendOptions options_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace uchet::gateway_bridge::semtech_udp
