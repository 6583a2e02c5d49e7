#pragma once
// Rejoin-request (LoRaWAN 1.1, MType 110). Types 0 and 2: RejoinType | NetID | DevEUI | RJcount0
// (19 bytes, MIC with SNwkSIntKey); type 1: RejoinType | JoinEUI | DevEUI | RJcount1 (24 bytes,
// MIC with JSIntKey). Both MICs are join_mic() in mic.h over mic_message().
#include <cstdint>

#include "netserver/lorawan/phy_payload.h"
#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

struct RejoinRequest {
  std::uint8_t rejoin_type = 0;  // 0, 1 or 2
  NetId net_id = 0;              // types 0 and 2
  Eui64 join_eui = 0;            // type 1
  Eui64 dev_eui = 0;
  std::uint16_t rj_count = 0;  // RJcount0 (types 0/2) or RJcount1 (type 1)
  Mic mic{};
  bool operator==(const RejoinRequest&) const = default;
};

Result<RejoinRequest> parse_rejoin_request(ByteView phy_payload);
// Fails only for an unknown rejoin type.
Result<Bytes> build_rejoin_request(const RejoinRequest& request);

}  // namespace uchet::lorawan
