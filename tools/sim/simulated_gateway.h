#pragma once
// A LoRa gateway running a Semtech UDP packet forwarder, seen from the network server: one UDP
// socket to the server, PULL_DATA keep-alives, PUSH_DATA for every uplink it "hears" (rxpk with
// tmst from a simulated 32-bit µs concentrator counter running at real-time speed, freq, datr,
// rssi/lsnr, optional GPS time), PULL_RESP downlinks recorded and answered with TX_ACK.
//
// Made for tests and load tools: calls block with timeouts. A private io_context thread
// receives and sends; every public member may be called from any thread.
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway-bridge/semtech_udp/gateway_time.h"
#include "gateway-bridge/semtech_udp/rxpk.h"
#include "gateway-bridge/semtech_udp/txpk.h"
#include "netserver/lorawan/region.h"
#include "tools/sim/simulated_device.h"

namespace uchet::sim {

using Timeout = std::chrono::milliseconds;

// How this gateway heard one uplink.
struct Reception {
  UplinkChannel channel;  // frequency and DR index (mapped to datr through the region)
  int rssi_dbm = -60;
  double snr_db = 7.5;
  std::uint8_t if_chain = 0;  // rxpk chan
  gateway_bridge::CodingRate coding_rate = gateway_bridge::CodingRate::k4_5;
  std::optional<gateway_bridge::UtcTime> time;      // rxpk "time": a GPS-disciplined gateway
  std::optional<gateway_bridge::GpsTime> gps_time;  // rxpk "tmms"
  std::optional<std::uint32_t> tmst;                // default: the concentrator counter now
};

// A PULL_RESP as the gateway received it.
struct GatewayDownlink {
  std::uint16_t token = 0;
  gateway_bridge::Transmission txpk;
  std::uint32_t counter_at_arrival = 0;  // concentrator counter when it arrived

  // The counter value it is to be sent at, for class A ("tmst") downlinks.
  std::optional<std::uint32_t> tmst() const;
};

struct PushResult {
  std::uint16_t token = 0;
  std::uint32_t tmst = 0;  // the tmst reported in the rxpk
  bool acked = false;      // PUSH_ACK with this token arrived in time
};

struct GatewayOptions {
  lorawan::Region region = *lorawan::region_by_name("RU864");
  // PULL_DATA interval (the first one goes out at once); zero: only explicit pull() calls.
  std::chrono::milliseconds keepalive{5000};
  bool send_tx_ack = true;
  // TX_ACK verdict: absent = scheduled (no JSON, like lora_pkt_fwd v4); e.g. "TOO_LATE".
  std::optional<std::string> tx_ack_error;
  // TX_ACK warning with a scheduled transmission, e.g. {"TX_POWER", 12} (SX1302 forwarders:
  // sent at another power than asked): {"txpk_ack":{"warn":"TX_POWER","value":12}}.
  std::optional<std::pair<std::string, double>> tx_ack_warning;
  // Concentrator counter at construction; absent: random, as a real concentrator after boot.
  std::optional<std::uint32_t> counter_start;
};

struct GatewayCounters {
  std::uint64_t push_sent = 0, push_acked = 0, pull_sent = 0, pull_acked = 0;
  std::uint64_t downlinks = 0, tx_acks_sent = 0, malformed = 0;
};

class SimulatedGateway {
 public:
  SimulatedGateway(lorawan::Eui64 eui, const boost::asio::ip::udp::endpoint& server, GatewayOptions options = {});
  ~SimulatedGateway();
  SimulatedGateway(const SimulatedGateway&) = delete;
  SimulatedGateway& operator=(const SimulatedGateway&) = delete;

  lorawan::Eui64 eui() const { return eui_; }
  // The concentrator counter now (µs, wraps every 2^32 µs).
  std::uint32_t counter_us() const;

  // Sends PULL_DATA; true when the PULL_ACK arrived within `timeout`.
  bool pull(Timeout timeout);
  // Sends PUSH_DATA with one rxpk for `phy_payload`; waits up to `timeout` for the PUSH_ACK
  // (zero: does not wait, acked stays false).
  PushResult push(lorawan::ByteView phy_payload, const Reception& reception = {}, Timeout timeout = Timeout(1000));
  // Waits for a PUSH_ACK of an earlier push.
  bool wait_push_ack(std::uint16_t token, Timeout timeout);

  // The oldest PULL_RESP not yet taken, waiting up to `timeout` for one.
  std::optional<GatewayDownlink> wait_downlink(Timeout timeout);
  // Everything received and not yet taken, without waiting.
  std::deque<GatewayDownlink> take_downlinks();

  GatewayCounters counters() const;

 private:
  std::uint16_t next_token();
  void send(lorawan::Bytes datagram);  // from any thread; sent on the io thread
  void receive();
  void on_datagram(std::size_t size);
  void keepalive();

  lorawan::Eui64 eui_;
  GatewayOptions options_;
  std::chrono::steady_clock::time_point started_;
  std::uint32_t counter_start_ = 0;
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer keepalive_timer_;
  std::array<std::uint8_t, 65536> buffer_{};
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint16_t token_ = 0;
  std::set<std::uint16_t> push_acks_, pull_acks_;
  std::deque<GatewayDownlink> downlinks_;
  GatewayCounters counters_;
};

}  // namespace uchet::sim
