#pragma once
// The gateway bridge on a thread of its own. Its UdpEndpoint receives, parses and acknowledges
// datagrams there, so the packet forwarders get their PUSH_ACKs and the socket is drained while
// the owner's thread is busy (the network server commits to SQLite between receptions). The
// owner's callbacks run on the owner's io_context: receptions are handed over in batches through
// a bounded queue. When the owner falls behind by `max_queued_uplinks` receptions, PUSH_DATA
// datagrams are acknowledged unread and counted until it catches up (logged at most once a
// minute) — overload is visible and costs little, instead of vanishing as kernel drops at a full
// socket buffer.
//
// Threads: the gateway filter is called on the bridge thread and must be thread-safe;
// send_downlink() and the accessors may be called from any thread.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "gateway-bridge/udp_endpoint.h"

namespace uchet::bridge {

struct BridgeThreadOptions {
  EndpointConfig endpoint;
  // At most ~1 s of backlog at the network server's measured capacity (BENCHMARKS.md): beyond
  // that, frames would reach it too late for RX1 anyway.
  std::size_t max_queued_uplinks = 16'384;
};

class BridgeThread {
 public:
  // Binds the endpoint (failing like UdpEndpoint::open) and starts the thread. `callbacks` run
  // on `owner`'s thread, which must keep running while the bridge does.
  static lorawan::Result<std::unique_ptr<BridgeThread>> start(boost::asio::io_context& owner,
                                                              BridgeThreadOptions options,
                                                              UdpEndpoint::GatewayFilter is_known_gateway,
                                                              BridgeCallbacks callbacks);
  ~BridgeThread();  // closes and joins like stop(), but delivers nothing more
  BridgeThread(const BridgeThread&) = delete;
  BridgeThread& operator=(const BridgeThread&) = delete;

  lorawan::Result<std::uint16_t> send_downlink(lorawan::Eui64 gateway_eui, const TxPacket& packet);
  boost::asio::ip::udp::endpoint local_endpoint() const;

  // Closes the socket and joins the thread. Receptions still queued are delivered to on_uplink
  // right here (call it on the owner's thread), since their gateways were already acknowledged.
  void stop();

  // Receptions refused because the queue was full, and PUSH_DATA datagrams acknowledged unread.
  std::uint64_t uplinks_dropped() const;
  std::uint64_t datagrams_shed() const;

 private:
  struct Shared;
  BridgeThread() = default;
  void halt();  // closes the socket and joins the thread
  std::shared_ptr<Shared> shared_;
};

}  // namespace uchet::bridge
