#include "gateway-bridge/semtech_udp/datagram.h"

namespace uchet::gateway_bridge::semtech_udp {
namespace {

template <class T>
DatagramResult<GatewayDatagram> as_datagram(Result<T> parsed) {
  if (!parsed) return std::unexpected(DatagramError{DatagramFault::Malformed, std::move(parsed.error())});
  return GatewayDatagram{std::move(*parsed)};
}

}  // namespace

DatagramResult<GatewayDatagram> parse_datagram(ByteView datagram, std::size_t max_rxpk) {
  auto header = parse_gateway_header(datagram);
  if (!header) return std::unexpected(std::move(header.error()));
  return parse_datagram_body(*header, datagram, max_rxpk);
}

DatagramResult<GatewayDatagram> parse_datagram_body(const GatewayHeader& header, ByteView datagram,
                                                    std::size_t max_rxpk) {
  const ByteView body = datagram.size() > kGatewayHeaderSize ? datagram.subspan(kGatewayHeaderSize) : ByteView{};
  switch (header.type) {
    case PacketType::PushData:
      return as_datagram(parse_push_data(header.token, header.gateway_eui, body, max_rxpk));
    case PacketType::PullData:
      // PULL_DATA is its 12-byte header and nothing else; trailing bytes mean a sender that does
      // not speak the protocol (or probes it).
      if (!body.empty()) {
        return std::unexpected(
            DatagramError{DatagramFault::Malformed, "PULL_DATA with bytes after its 12-byte header"});
      }
      return GatewayDatagram{PullData{header.token, header.gateway_eui}};
    case PacketType::TxAck:
      return as_datagram(parse_tx_ack(header.token, header.gateway_eui, body));
    default:
      break;
  }
  return std::unexpected(DatagramError{DatagramFault::Malformed, "not a gateway datagram"});
}

}  // namespace uchet::gateway_bridge::semtech_udp
