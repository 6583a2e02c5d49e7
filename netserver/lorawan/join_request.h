#pragma once
// Join-request (MType 000, 23 bytes): MHDR | JoinEUI | DevEUI | DevNonce | MIC, never encrypted.
// The MIC is carried, not checked: join_mic() in mic.h over mic_message() with AppKey (1.0) or
// NwkKey (1.1).
#include <cstdint>

#include "netserver/lorawan/phy_payload.h"
#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

inline constexpr std::size_t kJoinRequestSize = 23;

struct JoinRequest {
  Eui64 join_eui = 0;  // AppEUI in 1.0
  Eui64 dev_eui = 0;
  std::uint16_t dev_nonce = 0;
  Mic mic{};
  bool operator==(const JoinRequest&) const = default;
};

Result<JoinRequest> parse_join_request(ByteView phy_payload);
Bytes build_join_request(const JoinRequest& request);

}  // namespace uchet::lorawan
