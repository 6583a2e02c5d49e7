#pragma once
// The PULL_RESP that carries a Transmission (gateway-bridge/backend.h) to a gateway
// ({"txpk":{...}} from byte 4). freq is written with exactly 6 decimals ("868.100000") from
// integer Hz; the gateway multiplies it back by 1e6. A CounterTime becomes "tmst", the low 32
// bits of the widened counter (counter_widener.h); a GPS time "tmms"; Immediately "imme".
// Building validates what the gateway would otherwise refuse.
#include <cstdint>
#include <string>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

// {"txpk":{...}} with fields in the order imme|tmst|tmms, freq, rfch, powe, modu, datr, codr,
// fdev, ipol, prea, size, data, ncrc.
lorawan::Result<std::string> build_txpk_json(const Transmission& packet);
// Version 2, `token` (echoed in TX_ACK), identifier 0x03, then the txpk JSON.
lorawan::Result<lorawan::Bytes> build_pull_resp(std::uint16_t token, const Transmission& packet);

}  // namespace uchet::gateway_bridge::semtech_udp
