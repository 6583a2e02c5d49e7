#pragma once
// A LoRa gateway running a Semtech UDP packet forwarder, seen from the network server: one UDP
// socket to the server, PULL_DATA keep-alives, PUSH_DATA for every uplink it "hears" (rxpk with
// tmst from a simulated 32-bit µs concentrator counter running at real-time speed, freq, datr,
// rssi/lsnr, optional GPS time), PULL_RESP downlinks recorded and answered with TX_ACK.
//
// With GatewayOptions::jit set it judges every PULL_RESP as lora_pkt_fwd's JIT queue does
// (tools/sim/jit_queue.h) on its real-time counter: refusals get their TX_ACK error, accepted
// downlinks are handed to a simulated radio, and transmissions() tells what went on air and what
// was lost silently (TX_ACK success, never sent) — what a test counts as delivered.
//
// Made for tests and load tools: calls block with timeouts. A private io_context thread
// receives and sends; every public member may be called from any thread.
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway-bridge/semtech_udp/gateway_time.h"
#include "gateway-bridge/semtech_udp/rxpk.h"
#include "gateway-bridge/semtech_udp/txpk.h"
#include "netserver/lorawan/region.h"
#include "tools/sim/jit_queue.h"
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
  std::uint64_t sequence = 0;            // 1, 2, ...: order of arrival at this gateway
  // The TX_ACK error answered ("TOO_LATE", ...); empty when scheduled (or no TX_ACK was sent).
  std::string tx_ack_error;

  // The counter value it is to be sent at, for class A ("tmst") downlinks.
  std::optional<std::uint32_t> tmst() const;
};

struct PushResult {
  std::uint16_t token = 0;
  std::uint32_t tmst = 0;  // the tmst reported in the rxpk (a batch: the first one's)
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
  // Judge downlinks like lora_pkt_fwd's JIT queue (overrides tx_ack_error for its verdicts;
  // GPS-timed downlinks get GPS_UNLOCKED: the simulated gateway has no GPS fix to time them by).
  std::optional<JitTiming> jit;
};

// What became of one downlink a JIT-judging gateway accepted.
struct Transmitted {
  GatewayDownlink downlink;
  Emission emission;
  bool on_air() const { return emission.outcome == EmissionOutcome::OnAir; }
};

struct GatewayCounters {
  std::uint64_t push_sent = 0, push_acked = 0, pull_sent = 0, pull_acked = 0;
  std::uint64_t downlinks = 0, tx_acks_sent = 0, malformed = 0;
  // JIT-judging gateways: TX_ACK verdicts, then what became of the accepted downlinks.
  std::uint64_t scheduled = 0, too_late = 0, too_early = 0, collision_packet = 0, gps_unlocked = 0;
  std::uint64_t on_air = 0, dropped_busy = 0, overwritten = 0;
  std::uint64_t lost_silently() const { return dropped_busy + overwritten; }
};

class SimulatedGateway {
 public:
  SimulatedGateway(lorawan::Eui64 eui, const boost::asio::ip::udp::endpoint& server, GatewayOptions options = {});
  ~SimulatedGateway();
  SimulatedGateway(const SimulatedGateway&) = delete;
  SimulatedGateway& operator=(const SimulatedGateway&) = delete;

  lorawan::Eui64 eui() const { return eui_; }
  const boost::asio::ip::udp::endpoint& server() const { return server_; }
  // The concentrator counter now (µs, wraps every 2^32 µs).
  std::uint32_t counter_us() const;

  // Sends PULL_DATA; true when the PULL_ACK arrived within `timeout`.
  bool pull(Timeout timeout);
  // Sends PUSH_DATA with one rxpk for `phy_payload`; waits up to `timeout` for the PUSH_ACK
  // (zero: does not wait, acked stays false).
  PushResult push(lorawan::ByteView phy_payload, const Reception& reception = {}, Timeout timeout = Timeout(1000));
  // One PUSH_DATA carrying several frames, as after one concentrator fetch (each its own
  // rxpk; a reception without tmst gets the counter now, the same for all).
  PushResult push_batch(std::span<const std::pair<lorawan::Bytes, Reception>> frames, Timeout timeout = Timeout(1000));
  // Waits for a PUSH_ACK of an earlier push.
  bool wait_push_ack(std::uint16_t token, Timeout timeout);

  // The oldest PULL_RESP not yet taken, waiting up to `timeout` for one.
  std::optional<GatewayDownlink> wait_downlink(Timeout timeout);
  // Everything received and not yet taken, without waiting.
  std::deque<GatewayDownlink> take_downlinks();

  GatewayCounters counters() const;

  // JIT-judging gateways: every accepted downlink settled so far (sent or silently lost), in
  // the order settled; a downlink is settled when its transmission starts or it is lost.
  std::vector<Transmitted> transmissions() const;
  // Accepted downlinks not yet settled (queued or in the radio's buffer).
  std::size_t pending_transmissions() const;

 private:
  std::uint16_t next_token();
  gateway_bridge::semtech_udp::RxPacket rx_packet(lorawan::ByteView phy_payload, const Reception& reception,
                                                  std::uint32_t counter_now) const;
  PushResult push_packets(std::span<const gateway_bridge::semtech_udp::RxPacket> packets, Timeout timeout);
  void send(lorawan::Bytes datagram);  // from any thread; sent on the io thread
  void receive();
  void on_datagram(std::size_t size);
  void keepalive();
  std::optional<lorawan::Bytes> judge(GatewayDownlink& downlink);  // the TX_ACK, under mutex_
  void settle() const;                                             // under mutex_
  void watch_jit();                                                // the JIT thread's poll

  lorawan::Eui64 eui_;
  GatewayOptions options_;
  std::chrono::steady_clock::time_point started_;
  std::uint32_t counter_start_ = 0;
  boost::asio::io_context io_;
  boost::asio::ip::udp::endpoint server_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer keepalive_timer_;
  boost::asio::steady_timer jit_timer_;
  std::array<std::uint8_t, 65536> buffer_{};
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint16_t token_ = 0;
  std::set<std::uint16_t> push_acks_, pull_acks_;
  std::deque<GatewayDownlink> downlinks_;
  mutable GatewayCounters counters_;
  std::uint64_t sequence_ = 0;
  mutable std::optional<JitQueue> jit_;
  // JIT mode; settle() runs from const readers too, so what it advances is mutable.
  mutable std::map<std::uint64_t, GatewayDownlink> accepted_;  // by sequence, until settled
  mutable std::vector<Transmitted> transmitted_;
  mutable std::size_t emissions_seen_ = 0;
};

}  // namespace uchet::sim
