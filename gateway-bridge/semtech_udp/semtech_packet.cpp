#include "gateway-bridge/semtech_udp/semtech_packet.h"

#include <fmt/format.h>

namespace uchet::gateway_bridge::semtech_udp {
namespace {

std::array<std::uint8_t, kAckSize> short_packet(PacketType type, std::uint16_t token) {
  return {kProtocolVersion, static_cast<std::uint8_t>(token >> 8), static_cast<std::uint8_t>(token & 0xFF),
          static_cast<std::uint8_t>(type)};
}

DatagramError malformed(std::string reason) { return {DatagramFault::Malformed, std::move(reason)}; }

}  // namespace

std::string_view packet_type_name(PacketType type) {
  switch (type) {
    case PacketType::PushData:
      return "PUSH_DATA";
    case PacketType::PushAck:
      return "PUSH_ACK";
    case PacketType::PullData:
      return "PULL_DATA";
    case PacketType::PullResp:
      return "PULL_RESP";
    case PacketType::PullAck:
      return "PULL_ACK";
    case PacketType::TxAck:
      return "TX_ACK";
  }
  return "unknown";
}

DatagramResult<GatewayHeader> parse_gateway_header(ByteView datagram) {
  if (datagram.size() < kAckSize) {
    return std::unexpected(
        malformed(fmt::format("datagram of {} bytes is shorter than the 4-byte header", datagram.size())));
  }
  if (datagram[0] != kProtocolVersion) {
    return std::unexpected(DatagramError{
        DatagramFault::UnsupportedVersion,
        fmt::format("unsupported protocol version {} (only {} is spoken)", datagram[0], kProtocolVersion)});
  }
  const std::uint8_t id = datagram[3];
  if (id > static_cast<std::uint8_t>(PacketType::TxAck)) {
    return std::unexpected(malformed(fmt::format("unknown identifier 0x{:02x}", id)));
  }
  const auto type = static_cast<PacketType>(id);
  if (type != PacketType::PushData && type != PacketType::PullData && type != PacketType::TxAck) {
    return std::unexpected(malformed(fmt::format("{} is sent by servers, not by gateways", packet_type_name(type))));
  }
  if (datagram.size() < kGatewayHeaderSize) {
    return std::unexpected(malformed(
        fmt::format("{} of {} bytes is shorter than the 12-byte header", packet_type_name(type), datagram.size())));
  }
  GatewayHeader header;
  header.token = static_cast<std::uint16_t>(datagram[1] << 8 | datagram[2]);
  header.type = type;
  for (std::size_t i = 4; i < kGatewayHeaderSize; ++i) header.gateway_eui = header.gateway_eui << 8 | datagram[i];
  return header;
}

std::array<std::uint8_t, kAckSize> build_push_ack(std::uint16_t token) {
  return short_packet(PacketType::PushAck, token);
}
std::array<std::uint8_t, kAckSize> build_pull_ack(std::uint16_t token) {
  return short_packet(PacketType::PullAck, token);
}
std::array<std::uint8_t, kAckSize> build_pull_resp_prefix(std::uint16_t token) {
  return short_packet(PacketType::PullResp, token);
}

}  // namespace uchet::gateway_bridge::semtech_udp
