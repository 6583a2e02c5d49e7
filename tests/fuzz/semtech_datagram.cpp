// Fuzz target: any datagram a packet forwarder (or anyone reaching UDP port 1700) sends, through
// the bridge's parser (header, PUSH_DATA JSON with rxpk/stat, PULL_DATA, TX_ACK).
#include <cstddef>
#include <cstdint>

#include "gateway-bridge/semtech_udp/datagram.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)uchet::gateway_bridge::semtech_udp::parse_datagram({data, size});
  return 0;
}
