#pragma once
// The gateway-backend contract: what the network server knows of gateways, whatever protocol
// carries their traffic (Semtech UDP today, gateway-bridge/semtech_udp/; LoRa Basics Station
// could be another). Plain values both ways and one abstract interface; no sockets here.
//
// Upward, a Reception per CRC-valid radio packet a gateway heard, and a gateway's GatewayStats.
// Downward, a Transmission per downlink, answered at most once by a TxOutcome.
//
// Time. Every gateway has a free-running microsecond counter; a class A downlink is due a fixed
// delay after the uplink *on that counter*, and only the gateway can act on it. A Reception
// therefore carries the counter at the end of the reception as 64 bits that do not wrap (each
// backend widens what its protocol reports: Semtech's tmst is 32 bits and wraps every 71.6
// minutes) plus an opaque `context` the backend wants back when a transmission answers that
// reception (Basics Station's rctx names the radio that heard it). Counters of different
// gateways are unrelated; values from one gateway are comparable, so a per-gateway transmit
// timeline can book airtime on them. A Transmission is sent immediately (class C), at a
// CounterTime on the gateway's counter (class A: the reception's time plus the RX delay), or at
// a GPS time (class B).
//
// Outcome. Each transmission a backend accepted gets at most one TxOutcome: Ok, or the reason
// it did not go on air in one vocabulary (ChirpStack's TxAckStatus names). A backend whose
// gateways may stay silent says in its header what silence means.
//
// Threads: see GatewayBackend.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "gateway-bridge/gateway_stats.h"
#include "gateway-bridge/radio.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge {

using UtcTime = std::chrono::sys_time<std::chrono::microseconds>;
// Milliseconds since the GPS epoch 1980-01-06T00:00:00, leap seconds not applied; kept apart
// from UTC on purpose, converting needs the current leap-second count.
using GpsTime = std::chrono::milliseconds;

// A moment on one gateway's counter.
struct CounterTime {
  std::uint64_t counter_us = 0;  // the gateway's µs counter, widened to 64 bits by its backend
  std::uint64_t context = 0;     // opaque: the backend's, echoed back as it came
  // The same gateway, `delay` later (the context stays: it names where the reception happened).
  CounterTime after(std::chrono::microseconds delay) const {
    return {counter_us + static_cast<std::uint64_t>(delay.count()), context};
  }
  bool operator==(const CounterTime&) const = default;
};

// One reception of one radio packet by one gateway.
struct Reception {
  lorawan::Eui64 gateway_eui = 0;
  CounterTime counter;              // end of the reception on the gateway's counter
  std::optional<GpsTime> gps_time;  // true reception time, when the gateway has GPS
  std::optional<UtcTime> utc_time;  // as reported by the gateway (GPS-based on most)
  std::uint32_t frequency_hz = 0;
  int rssi_dbm = 0;
  std::optional<double> snr_db;  // LoRa only
  std::uint8_t channel = 0;      // concentrator IF chain
  std::uint8_t rf_chain = 0;
  DataRate data_rate;                     // LoraRate{sf, bw} or FskRate{bps}
  std::optional<CodingRate> coding_rate;  // LoRa only
  // Multi-antenna gateways: the antenna whose signal the values above are (the best one), and
  // what each antenna heard, as "antenna_<n>": "rssi=<dBm> snr=<dB> channel=<IF>". Empty for
  // gateways that report one signal.
  std::optional<std::uint8_t> antenna;
  std::vector<std::pair<std::string, std::string>> metadata;
  lorawan::Bytes phy_payload;
  // When it reached this server (right after the read from the network): the network server's
  // dedup window and its fallback reception time count from here, not from whenever its thread
  // got to the copy.
  std::chrono::steady_clock::time_point received_at{};
};

struct Immediately {};  // class C: as soon as the gateway can
// When a transmission goes on air: now, at a moment of the gateway's counter, or at a GPS time
// (TxStatus::GpsUnlocked when the gateway has no GPS fix).
using TxTiming = std::variant<Immediately, CounterTime, GpsTime>;

// A downlink for one gateway to transmit.
struct Transmission {
  TxTiming timing;
  std::uint32_t frequency_hz = 0;
  std::uint8_t rf_chain = 0;             // normally 0
  std::optional<std::int8_t> power_dbm;  // must match the gateway's TX gain table
  DataRate data_rate;
  std::optional<CodingRate> coding_rate = CodingRate::k4_5;  // LoRa: required
  std::optional<std::uint32_t> fsk_deviation_hz;             // FSK: required
  bool invert_polarity = true;                               // LoRaWAN downlinks use inverted IQ
  std::optional<std::uint16_t> preamble_symbols;             // gateway default 8 (LoRa) / 5 (FSK)
  bool disable_crc = true;                                   // LoRaWAN downlinks carry no payload CRC
  lorawan::Bytes phy_payload;                                // 1..255 bytes
  // The device it is for, 0 when unknown. Semtech UDP has no place for it; Basics Station's
  // dnmsg requires it (the station logs it and echoes it in dntxed).
  lorawan::Eui64 dev_eui = 0;
};

// Names a transmission from GatewayBackend::send() until its TxOutcome (per gateway; unique
// among the transmissions of that gateway still awaiting an outcome).
using TransmissionId = std::uint64_t;

// ChirpStack's TxAckStatus, less IGNORED.
enum class TxStatus : std::uint8_t {
  Ok,
  TooLate,  // missed the window: the owner may retry in a later one (RX2)
  TooEarly,
  CollisionPacket,  // another transmission already booked then
  CollisionBeacon,
  TxFreq,       // frequency outside the TX RF chain's range
  TxPower,      // power not in the TX gain table
  GpsUnlocked,  // GPS-timed without a GPS fix
  QueueFull,
  InternalError,  // includes reasons the backend cannot map (see TxOutcome::detail)
  DutyCycleOverflow,
};
std::string_view tx_status_name(TxStatus status);  // "OK", "TOO_LATE", ... as ChirpStack spells them

struct TxOutcome {
  lorawan::Eui64 gateway_eui = 0;
  TransmissionId id = 0;
  TxStatus status = TxStatus::Ok;
  // The gateway's own words when they say more than `status` (an error text the backend could
  // not map); empty otherwise.
  std::string detail;
  // A warning that came with an Ok (the SX1302 forwarder's "TX_POWER": sent, but at another
  // power than asked), e.g. "TX_POWER 14"; empty when there was none.
  std::string warning;
  // The gateway never answered whether it sent (no dntxed within the bound, its connection closed
  // first, or — relayed — the path's holder wrote no outcome in time): a failure, reported as
  // InternalError (ChirpStack's TxAckStatus has no other name for it), counted apart from the
  // gateway's own errors ("no_gateway_answer").
  bool unanswered = false;
  bool ok() const { return status == TxStatus::Ok; }
};

// What a backend hands its owner. The three on_* run on the owner's io_context thread (the
// one given to GatewayBackend::start), one at a time; an exception they throw is logged and
// dropped. is_known_gateway runs on the backend's own thread(s): thread-safe, quick.
struct BackendCallbacks {
  std::function<void(Reception&&)> on_reception;
  std::function<void(lorawan::Eui64, const GatewayStats&)> on_stats;
  std::function<void(const TxOutcome&)> on_outcome;
  // True for gateways allowed to talk to this server; the others are ignored unparsed.
  std::function<bool(lorawan::Eui64)> is_known_gateway;
};

// Load the backend shed instead of handing it to an owner that was too far behind.
struct BackendCounters {
  std::uint64_t messages_shed = 0;       // messages from gateways acknowledged unread
  std::uint64_t receptions_dropped = 0;  // receptions parsed but not handed over
};

// One way of talking to gateways. Threads: start() and stop() on the owner's io_context thread;
// send() and counters() from any thread; the callbacks as BackendCallbacks says.
class GatewayBackend {
 public:
  virtual ~GatewayBackend() = default;  // implementations stop like stop() but deliver nothing more

  // Starts talking to gateways (binds, connects...). `owner` must keep running until stop().
  virtual lorawan::Result<void> start(boost::asio::io_context& owner, BackendCallbacks callbacks) = 0;
  // Stops, then delivers to on_reception, right here, what was received but not yet handed over
  // (its gateways were already acknowledged and will not send it again). Nothing after that.
  virtual void stop() = 0;

  // Hands a transmission to the gateway; its TxOutcome follows later. An error here (no way to
  // reach the gateway now, a transmission it would refuse, not started) means nothing was sent
  // and no outcome will come.
  virtual lorawan::Result<TransmissionId> send(lorawan::Eui64 gateway_eui, const Transmission& transmission) = 0;

  virtual BackendCounters counters() const = 0;

  // The gateways this backend can send to now (a live downlink path: a recent PULL_DATA, an open
  // WebSocket), each with the backend's name ("semtech_udp", "basic_station"). Several uchetd
  // on one database publish these so the others relay downlinks here
  // (gateway-bridge/cluster_relay/). A backend that does not override it reports none: its
  // gateways are then reached only by this instance's own downlinks. Any thread.
  virtual std::vector<std::pair<lorawan::Eui64, std::string>> downlink_paths() const { return {}; }
};

}  // namespace uchet::gateway_bridge
