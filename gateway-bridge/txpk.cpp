#include "gateway-bridge/txpk.h"

#include <iterator>

#include <fmt/format.h>

#include "gateway-bridge/semtech_packet.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::bridge {
namespace {

lorawan::Result<void> check(const TxPacket& p) {
  if (auto ok = check_frequency(p.frequency_hz); !ok) return ok;
  if (p.phy_payload.empty() || p.phy_payload.size() > kMaxPhyPayloadSize) {
    return std::unexpected(fmt::format("payload of {} bytes is not 1-{}", p.phy_payload.size(), kMaxPhyPayloadSize));
  }
  if (const auto* lora = std::get_if<LoraRate>(&p.data_rate)) {
    if (auto ok = check_lora_rate(*lora); !ok) return ok;
    if (!p.coding_rate) return std::unexpected("a LoRa downlink needs a coding rate");
  } else {
    if (auto ok = check_fsk_rate(std::get<FskRate>(p.data_rate)); !ok) return ok;
    if (!p.fsk_deviation_hz) return std::unexpected("an FSK downlink needs a frequency deviation");
  }
  return {};
}

}  // namespace

lorawan::Result<std::string> build_txpk_json(const TxPacket& p) {
  if (auto ok = check(p); !ok) return std::unexpected(ok.error());
  std::string json = "{\"txpk\":{";
  auto out = std::back_inserter(json);
  if (const auto* at = std::get_if<SendAtCounter>(&p.timing)) {
    fmt::format_to(out, "\"tmst\":{}", at->counter_us);
  } else if (const auto* gps = std::get_if<SendAtGpsTime>(&p.timing)) {
    fmt::format_to(out, "\"tmms\":{}", gps->gps_time.count());
  } else {
    json += "\"imme\":true";
  }
  fmt::format_to(out, ",\"freq\":{},\"rfch\":{}", frequency_mhz_text(p.frequency_hz), p.rf_chain);
  if (p.power_dbm) fmt::format_to(out, ",\"powe\":{}", *p.power_dbm);
  if (const auto* lora = std::get_if<LoraRate>(&p.data_rate)) {
    fmt::format_to(out, ",\"modu\":\"LORA\",\"datr\":\"{}\",\"codr\":\"{}\"", lora_rate_text(*lora),
                   coding_rate_text(*p.coding_rate));
  } else {
    fmt::format_to(out, ",\"modu\":\"FSK\",\"datr\":{},\"fdev\":{}", std::get<FskRate>(p.data_rate).bitrate_bps,
                   *p.fsk_deviation_hz);
  }
  fmt::format_to(out, ",\"ipol\":{}", p.invert_polarity);
  if (p.preamble_symbols) fmt::format_to(out, ",\"prea\":{}", *p.preamble_symbols);
  fmt::format_to(out, ",\"size\":{},\"data\":\"{}\"", p.phy_payload.size(), lorawan::to_base64(p.phy_payload));
  if (p.disable_crc) json += ",\"ncrc\":true";
  json += "}}";
  return json;
}

lorawan::Result<lorawan::Bytes> build_pull_resp(std::uint16_t token, const TxPacket& packet) {
  auto json = build_txpk_json(packet);
  if (!json) return std::unexpected(json.error());
  const auto prefix = build_pull_resp_prefix(token);
  lorawan::Bytes datagram(prefix.begin(), prefix.end());
  datagram.insert(datagram.end(), json->begin(), json->end());
  return datagram;
}

}  // namespace uchet::bridge
