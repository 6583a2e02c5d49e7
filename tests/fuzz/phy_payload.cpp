// Fuzz target: a PHYPayload as a gateway reports it, through every parser the network server
// applies before any key is known (MHDR, data frame, join and rejoin requests, proprietary
// frames), and the MAC commands of FOpts / an FPort 0 payload in both directions.
#include <cstddef>
#include <cstdint>

#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/join_request.h"
#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/phy_payload.h"
#include "netserver/lorawan/rejoin_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace uchet::lorawan;
  const ByteView bytes(data, size);
  (void)parse_mhdr(bytes);
  (void)parse_join_request(bytes);
  (void)parse_rejoin_request(bytes);
  (void)parse_proprietary_frame(bytes);
  if (auto frame = parse_data_frame(bytes)) {
    auto uplink = decode_uplink_mac_commands(frame->fopts);
    (void)encode_mac_commands(std::span<const UplinkMacCommand>(uplink.commands));
    if (frame->fport == 0) (void)decode_uplink_mac_commands(frame->frm_payload);
  }
  // The raw bytes as a MAC command buffer, both directions (a downlink decoder is used on what
  // uchet itself queued, but it must be total as well).
  auto up = decode_uplink_mac_commands(bytes);
  for (const auto& command : up.commands) (void)name_of(command);
  auto down = decode_downlink_mac_commands(bytes);
  (void)encode_mac_commands(std::span<const DownlinkMacCommand>(down.commands));
  return 0;
}
