#include "gateway-bridge/semtech_udp/txpk.h"

#include <fmt/format.h>

#include "common/json_writer.h"
#include "gateway-bridge/semtech_udp/radio_text.h"
#include "gateway-bridge/semtech_udp/semtech_packet.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::gateway_bridge::semtech_udp {
namespace {

lorawan::Result<void> check(const Transmission& p) {
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

lorawan::Result<std::string> build_txpk_json(const Transmission& p) {
  if (auto ok = check(p); !ok) return std::unexpected(ok.error());
  common::JsonWriter w;
  w.begin_object().key("txpk").begin_object();
  if (const auto* at = std::get_if<CounterTime>(&p.timing)) {
    w.key("tmst").number(static_cast<std::uint32_t>(at->counter_us));  // tmst wraps at 2^32
  } else if (const auto* gps = std::get_if<GpsTime>(&p.timing)) {
    w.key("tmms").number(gps->count());
  } else {
    w.key("imme").boolean(true);
  }
  // Exactly 6 decimals from integer Hz ("868.100000"): a double could print 868.0999999.
  w.key("freq").raw(frequency_mhz_text(p.frequency_hz));
  w.key("rfch").number(p.rf_chain);
  if (p.power_dbm) w.key("powe").number(*p.power_dbm);
  if (const auto* lora = std::get_if<LoraRate>(&p.data_rate)) {
    w.key("modu")
        .string("LORA")
        .key("datr")
        .string(lora_rate_text(*lora))
        .key("codr")
        .string(coding_rate_text(*p.coding_rate));
  } else {
    w.key("modu").string("FSK").key("datr").number(std::get<FskRate>(p.data_rate).bitrate_bps);
    w.key("fdev").number(*p.fsk_deviation_hz);
  }
  w.key("ipol").boolean(p.invert_polarity);
  if (p.preamble_symbols) w.key("prea").number(*p.preamble_symbols);
  w.key("size").number(p.phy_payload.size());
  w.key("data").string(lorawan::to_base64(p.phy_payload));
  if (p.disable_crc) w.key("ncrc").boolean(true);
  w.end_object().end_object();
  return w.str();
}

lorawan::Result<lorawan::Bytes> build_pull_resp(std::uint16_t token, const Transmission& packet) {
  auto json = build_txpk_json(packet);
  if (!json) return std::unexpected(json.error());
  const auto prefix = build_pull_resp_prefix(token);
  lorawan::Bytes datagram(prefix.begin(), prefix.end());
  datagram.insert(datagram.end(), json->begin(), json->end());
  return datagram;
}

}  // namespace uchet::gateway_bridge::semtech_udp
