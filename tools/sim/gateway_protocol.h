#pragma once
// The gateway's half of the Semtech UDP protocol v2, which the bridge (a server) never needs:
// building PULL_DATA, PUSH_DATA (rxpk JSON from a gateway_bridge::semtech_udp::RxPacket) and TX_ACK, and parsing what
// a server sends (PUSH_ACK, PULL_ACK, PULL_RESP with its txpk JSON into a gateway_bridge::Transmission).
// The value types are the bridge's, so a round trip through the bridge's own parse_rxpk /
// build_txpk_json is exact. Pure: bytes in, values or reasons out; never throws.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gateway-bridge/semtech_udp/rxpk.h"
#include "gateway-bridge/semtech_udp/semtech_packet.h"
#include "gateway-bridge/semtech_udp/txpk.h"
#include "netserver/lorawan/types.h"

namespace uchet::sim {

// Version 2, token (high byte first), identifier, gateway EUI (big-endian): 12 bytes.
lorawan::Bytes build_gateway_header(gateway_bridge::semtech_udp::PacketType type, std::uint16_t token,
                                    lorawan::Eui64 gateway_eui);

lorawan::Bytes build_pull_data(std::uint16_t token, lorawan::Eui64 gateway_eui);

// One rxpk object as lora_pkt_fwd writes it: time (µs, "Z") and tmms only when set; modu from
// the data-rate alternative, codr and lsnr for LoRa.
nlohmann::json rxpk_json(const gateway_bridge::semtech_udp::RxPacket& packet);
lorawan::Bytes build_push_data(std::uint16_t token, lorawan::Eui64 gateway_eui,
                               std::span<const gateway_bridge::semtech_udp::RxPacket> packets);

// No `error`: the bare 12-byte header (lora_pkt_fwd v4's "scheduled"); otherwise
// {"txpk_ack":{"error":"<error>"}} with e.g. "TOO_LATE", or "NONE".
lorawan::Bytes build_tx_ack(std::uint16_t token, lorawan::Eui64 gateway_eui,
                            std::optional<std::string_view> error = std::nullopt);
// {"txpk_ack":{"warn":"<warning>","value":<value>}}: scheduled, with a warning (SX1302 forwarders).
lorawan::Bytes build_tx_ack_warning(std::uint16_t token, lorawan::Eui64 gateway_eui, std::string_view warning,
                                    double value);

// {"txpk":{...}} as build_txpk_json writes it (trailing NULs/whitespace tolerated). Checks what a
// packet forwarder checks: one timing (imme, tmst or tmms), freq, modu/datr, codr for LoRa,
// fdev for FSK, and size equal to the decoded data length.
lorawan::Result<gateway_bridge::Transmission> parse_txpk_json(lorawan::ByteView json_text);

// A datagram from the server: an acknowledgement or a PULL_RESP.
struct ServerDatagram {
  gateway_bridge::semtech_udp::PacketType type = gateway_bridge::semtech_udp::PacketType::PushAck;
  std::uint16_t token = 0;
  std::optional<gateway_bridge::Transmission> txpk;  // PULL_RESP only
};
lorawan::Result<ServerDatagram> parse_server_datagram(lorawan::ByteView datagram);

}  // namespace uchet::sim
