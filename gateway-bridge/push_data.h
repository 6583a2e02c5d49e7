#pragma once
// PUSH_DATA body: {"rxpk":[...], "stat":{...}}, either member optional. Each rxpk is judged on
// its own: the good ones are kept, the bad ones listed with a reason, so one corrupt packet
// does not cost the others. A malformed stat is likewise reported without refusing the rxpk.
// Only a body that is not a JSON object, or whose rxpk/stat have the wrong JSON type, refuses
// the whole datagram.
//
// More than `max_rxpk` elements (8 by default, lora_pkt_fwd v4's NB_PKT_MAX): the first
// max_rxpk are parsed, every element after them is listed as rejected, unparsed. Truncating
// rather than refusing keeps the packets an honest gateway sent while bounding the work one
// datagram can cause. Note that SX1302 HAL's lora_pkt_fwd uses NB_PKT_MAX 255, so under a
// burst it may legitimately send more: raise the limit for such fleets.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway-bridge/gateway_stats.h"
#include "gateway-bridge/rxpk.h"
#include "netserver/lorawan/types.h"

namespace uchet::bridge {

inline constexpr std::size_t kMaxRxpkPerDatagram = 8;

struct RxpkRejection {
  std::size_t index = 0;  // position in the rxpk array
  std::string reason;
};

struct PushData {
  std::uint16_t token = 0;
  lorawan::Eui64 gateway_eui = 0;
  std::vector<RxPacket> rx_packets;  // valid packets, any CRC status (the caller filters)
  std::vector<RxpkRejection> rejected;
  std::optional<GatewayStats> stats;
  std::optional<std::string> stats_error;  // stat present but refused
};

// `json_text` is everything after the 12-byte header.
lorawan::Result<PushData> parse_push_data(std::uint16_t token, lorawan::Eui64 gateway_eui, lorawan::ByteView json_text,
                                          std::size_t max_rxpk = kMaxRxpkPerDatagram);

}  // namespace uchet::bridge
