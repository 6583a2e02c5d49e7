#pragma once
// A gateway's periodic status report (PUSH_DATA "stat"), validated. Counters cover one stat
// interval (30 s by default), they are not cumulative. Members a forwarder omits read as 0 /
// absent (forwarders differ in what they send); a member of the wrong type refuses the report.
#include <chrono>
#include <cstdint>
#include <optional>

#include "common/json_fields.h"

#include "netserver/lorawan/types.h"

namespace uchet::bridge {

struct GatewayPosition {
  double latitude_deg = 0;   // "lati", north positive
  double longitude_deg = 0;  // "long", east positive
  std::optional<double> altitude_m;  // "alti"
};

struct GatewayStats {
  std::optional<std::chrono::sys_seconds> time;  // gateway wall clock; dropped when unparseable
  std::optional<GatewayPosition> position;       // only with GPS (both lati and long present)
  std::uint32_t rx_received = 0;           // rxnb: radio packets received
  std::uint32_t rx_crc_ok = 0;             // rxok: of those, with a valid CRC
  std::uint32_t rx_forwarded = 0;          // rxfw: forwarded to the server
  double push_acked_percent = 0;           // ackr: upstream datagrams acknowledged, %
  std::uint32_t downlinks_received = 0;    // dwnb: PULL_RESP datagrams received
  std::uint32_t downlinks_transmitted = 0; // txnb: packets emitted
};

lorawan::Result<GatewayStats> parse_gateway_stats(const common::json_fields::json& stat);

}  // namespace uchet::bridge
