#include "gateway-bridge/semtech_udp/push_data.h"

#include "gateway-bridge/semtech_udp/stat.h"

#include <fmt/format.h>

#include "common/json_fields.h"

namespace uchet::gateway_bridge::semtech_udp {

using namespace common::json_fields;

Result<PushData> parse_push_data(std::uint16_t token, lorawan::Eui64 gateway_eui, ByteView json_text,
                                 std::size_t max_rxpk) {
  if (trim_end(json_text).empty()) return std::unexpected("PUSH_DATA has no JSON");
  json root;
  UCHET_TRY(root, parse_object(json_text));
  PushData push{token, gateway_eui, {}, {}, std::nullopt, std::nullopt};

  if (auto rxpk = member(root, "rxpk")) {
    simdjson::dom::array packets;
    if (rxpk->get_array().get(packets) != simdjson::SUCCESS) return std::unexpected("rxpk is not an array");
    std::size_t next = 0;
    for (json element : packets) {
      const std::size_t i = next++;
      if (i >= max_rxpk) {
        push.rejected.push_back({i, fmt::format("beyond the {} rxpk accepted per datagram", max_rxpk)});
        continue;
      }
      if (auto packet = parse_rxpk(element)) {
        push.rx_packets.push_back(std::move(*packet));
      } else {
        push.rejected.push_back({i, std::move(packet.error())});
      }
    }
  }
  if (auto stat = member(root, "stat")) {
    if (!stat->is_object()) return std::unexpected("stat is not an object");
    if (auto stats = parse_gateway_stats(*stat)) {
      push.stats = std::move(*stats);
    } else {
      push.stats_error = std::move(stats.error());
    }
  }
  return push;
}

}  // namespace uchet::gateway_bridge::semtech_udp
