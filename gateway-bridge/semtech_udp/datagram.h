#pragma once
// Any datagram a gateway sends, as a typed value: PUSH_DATA, PULL_DATA or TX_ACK. Pure and
// total: every byte string yields a value or a DatagramError, never an exception.
//
// The endpoint uses the two steps separately (header, then a gateway-registry check, then the
// body) so that an unknown gateway costs no JSON parsing; parse_datagram chains them.
#include <cstdint>
#include <variant>

#include "gateway-bridge/semtech_udp/push_data.h"
#include "gateway-bridge/semtech_udp/semtech_packet.h"
#include "gateway-bridge/semtech_udp/tx_ack.h"

namespace uchet::gateway_bridge::semtech_udp {

struct PullData {
  std::uint16_t token = 0;
  Eui64 gateway_eui = 0;
};

using GatewayDatagram = std::variant<PushData, PullData, TxAck>;

DatagramResult<GatewayDatagram> parse_datagram(ByteView datagram, std::size_t max_rxpk = kMaxRxpkPerDatagram);
// `datagram` is the whole datagram, `header` what parse_gateway_header returned for it.
DatagramResult<GatewayDatagram> parse_datagram_body(const GatewayHeader& header, ByteView datagram,
                                                    std::size_t max_rxpk = kMaxRxpkPerDatagram);

}  // namespace uchet::gateway_bridge::semtech_udp
