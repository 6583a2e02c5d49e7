#pragma once
// PUSH_DATA body: {"rxpk":[...], "stat":{...}}, either member optional. Each rxpk is judged on
// its own: the good ones are kept, the bad ones listed with a reason, so one corrupt packet
// does not cost the others. A malformed stat is likewise reported without refusing the rxpk.
// Only a body that is not a JSON object, or whose rxpk/stat have the wrong JSON type, refuses
// the whole datagram.
//
// More than `max_rxpk` elements: the first max_rxpk are parsed, every element after them is
// listed as rejected, unparsed. Truncating rather than refusing keeps the packets an honest
// gateway sent while bounding the work one datagram can cause. The default is the largest any
// Semtech forwarder sends: lora_pkt_fwd puts every packet of one concentrator fetch into one
// PUSH_DATA, at most 8 with the SX1301 HAL but up to 255 with the SX1302/SX1303 HAL of most
// current gateways, so a limit of 8 would lose frames of a burst. A 64 KiB datagram bounds the
// work anyway.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway-bridge/gateway_stats.h"
#include "gateway-bridge/semtech_udp/rxpk.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

inline constexpr std::size_t kMaxRxpkPerDatagram = 255;  // NB_PKT_MAX of the SX1302 HAL's lora_pkt_fwd

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

}  // namespace uchet::gateway_bridge::semtech_udp
