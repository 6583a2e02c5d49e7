#pragma once
// The contract between the gateway bridge and its owner (the network server): plain values
// in both directions, no sockets. Upward: one UplinkRx per CRC-valid radio packet, gateway
// stats. Downward: a TxPacket per downlink, answered later by a DownlinkOutcome carrying the
// gateway's TX_ACK together with the original request (so a TOO_LATE RX1 can be retried on RX2).
// The transport (udp_endpoint.h) calls the owner's callbacks on its io_context thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "gateway-bridge/gateway_stats.h"
#include "gateway-bridge/gateway_time.h"
#include "gateway-bridge/radio.h"
#include "gateway-bridge/rxpk.h"
#include "gateway-bridge/tx_ack.h"
#include "gateway-bridge/txpk.h"
#include "netserver/lorawan/types.h"

namespace uchet::bridge {

// One reception of one radio packet by one gateway, in the network server's words.
struct UplinkRx {
  lorawan::Eui64 gateway_eui = 0;
  std::uint32_t counter_us = 0;       // gateway's concentrator clock (tmst); class-A downlinks
                                      // are scheduled at counter_us + RX delay, mod 2^32
  std::optional<GpsTime> gps_time;    // true reception time, when the gateway has GPS
  std::optional<UtcTime> utc_time;    // as reported by the gateway (GPS-based on v4 forwarders)
  std::uint32_t frequency_hz = 0;
  int rssi_dbm = 0;
  std::optional<double> snr_db;       // LoRa only
  std::uint8_t channel = 0;           // concentrator IF chain
  std::uint8_t rf_chain = 0;
  DataRate data_rate;                 // LoraRate{sf, bw} or FskRate{bps}
  std::optional<CodingRate> coding_rate;  // LoRa only
  lorawan::Bytes phy_payload;
  // When its datagram reached this server (taken right after the socket read): the network
  // server's dedup window and its fallback reception time count from here, not from whenever
  // its thread got to the copy.
  std::chrono::steady_clock::time_point received_at{};
};

// Moves the payload out of `packet`.
UplinkRx to_uplink(lorawan::Eui64 gateway_eui, RxPacket&& packet, std::chrono::steady_clock::time_point received_at);

// The gateway's answer to one downlink.
struct DownlinkOutcome {
  TxAck ack;           // ack.gateway_eui, ack.token, ack.scheduled(), ack.error...
  TxPacket request;    // what was sent under that token
};

struct BridgeCallbacks {
  std::function<void(UplinkRx&&)> on_uplink;
  std::function<void(lorawan::Eui64, const GatewayStats&)> on_stats;
  std::function<void(const DownlinkOutcome&)> on_tx_ack;
  // True while the owner cannot take more receptions: a PUSH_DATA is then acknowledged without
  // its JSON being parsed and counted as shed, the cheapest way through an overload.
  std::function<bool()> overloaded;
};

}  // namespace uchet::bridge
