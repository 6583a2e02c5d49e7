#pragma once
// Semtech UDP packet-forwarder protocol, version 2: the datagram header (version, token,
// identifier, gateway EUI) and the fixed-size acknowledgements. Pure: bytes in, values or
// errors out; never throws, whatever the input.
//
// Errors carry a kind as well as a reason because the endpoint counts "unsupported protocol
// version" apart from other malformed input (a v1 forwarder is a configuration problem, not
// noise); everything below the header reports plain lorawan::Result reasons.
#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

using lorawan::Bytes;
using lorawan::ByteView;
using lorawan::Eui64;
using lorawan::Result;

// lora_pkt_fwd silently drops answers whose byte 0 is not 2, so it is both what we accept and
// what we send.
inline constexpr std::uint8_t kProtocolVersion = 2;
inline constexpr std::size_t kAckSize = 4;             // version, token, identifier
inline constexpr std::size_t kGatewayHeaderSize = 12;  // ... plus the gateway EUI

enum class PacketType : std::uint8_t {
  PushData = 0x00,  // gateway -> server: rxpk and/or stat
  PushAck = 0x01,   // server -> gateway
  PullData = 0x02,  // gateway -> server: keep-alive that opens the downlink path
  PullResp = 0x03,  // server -> gateway: txpk
  PullAck = 0x04,   // server -> gateway
  TxAck = 0x05,     // gateway -> server: outcome of a PULL_RESP
};
std::string_view packet_type_name(PacketType type);

enum class DatagramFault { Malformed, UnsupportedVersion };
struct DatagramError {
  DatagramFault fault = DatagramFault::Malformed;
  std::string reason;
};
template <class T>
using DatagramResult = std::expected<T, DatagramError>;

// The 12-byte header every gateway -> server datagram starts with.
struct GatewayHeader {
  std::uint16_t token = 0;  // bytes 1-2, byte 1 as the high byte; only ever echoed back
  PacketType type = PacketType::PushData;
  Eui64 gateway_eui = 0;  // bytes 4-11, big-endian
};

// Accepts only what gateways send (PUSH_DATA, PULL_DATA, TX_ACK); server -> gateway
// identifiers arriving here are malformed input.
DatagramResult<GatewayHeader> parse_gateway_header(ByteView datagram);

// PUSH_ACK / PULL_ACK: version 2, the request's token, the identifier.
std::array<std::uint8_t, kAckSize> build_push_ack(std::uint16_t token);
std::array<std::uint8_t, kAckSize> build_pull_ack(std::uint16_t token);

// The 4-byte prefix of a PULL_RESP (its JSON follows directly, from byte 4).
std::array<std::uint8_t, kAckSize> build_pull_resp_prefix(std::uint16_t token);

}  // namespace uchet::gateway_bridge::semtech_udp
