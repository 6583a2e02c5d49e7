#pragma once
// A gateway's periodic status report, whatever protocol carried it. Counters cover one report
// interval (30 s by default for Semtech forwarders), they are not cumulative. What a gateway
// does not report reads as 0 / absent. (The Semtech names of each field are in parentheses.)
#include <chrono>
#include <cstdint>
#include <optional>

#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge {

struct GatewayPosition {
  double latitude_deg = 0;           // (lati) north positive
  double longitude_deg = 0;          // (long) east positive
  std::optional<double> altitude_m;  // (alti)
};

struct GatewayStats {
  std::optional<std::chrono::sys_seconds> time;  // gateway wall clock; dropped when unparseable
  std::optional<GatewayPosition> position;       // only with GPS (both lati and long present)
  std::uint32_t rx_received = 0;                 // (rxnb) radio packets received
  std::uint32_t rx_crc_ok = 0;                   // (rxok) of those, with a valid CRC
  std::uint32_t rx_forwarded = 0;                // (rxfw) forwarded to the server
  double push_acked_percent = 0;                 // (ackr) upstream datagrams acknowledged, %
  std::uint32_t downlinks_received = 0;          // (dwnb) downlinks received from the server
  std::uint32_t downlinks_transmitted = 0;       // (txnb) packets emitted
  std::optional<double> temperature_c;           // (temp) the gateway's own temperature, when it reports one
};

}  // namespace uchet::gateway_bridge
