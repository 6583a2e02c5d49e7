#include "gateway-bridge/radio_json.h"

#include <string>
#include <variant>

namespace uchet::gateway_bridge {
namespace jf = common::json_fields;

void write_radio_rate(common::JsonWriter& w, const DataRate& rate, std::optional<CodingRate> coding_rate) {
  w.key("data_rate").begin_object();
  if (const auto* lora = std::get_if<LoraRate>(&rate)) {
    w.key("sf").number(lora->spreading_factor).key("bw_khz").number(lora->bandwidth_khz);
  } else {
    w.key("fsk_bps").number(std::get<FskRate>(rate).bitrate_bps);
  }
  w.end_object();
  w.key("coding_rate");
  coding_rate ? w.number(static_cast<int>(*coding_rate)) : w.null();
}

lorawan::Result<LoraRate> checked_lora_rate(std::uint64_t spreading_factor, std::uint64_t bandwidth_khz) {
  // Bounded before narrowing, so that a huge value is not checked as its low bits.
  if (spreading_factor > 12 || bandwidth_khz > 500) {
    return std::unexpected("spreading factor " + std::to_string(spreading_factor) + " at " +
                           std::to_string(bandwidth_khz) + " kHz is not SF5-SF12 at 125, 250 or 500 kHz");
  }
  LoraRate lora{static_cast<std::uint8_t>(spreading_factor), static_cast<std::uint16_t>(bandwidth_khz)};
  if (auto ok = check_lora_rate(lora); !ok) return std::unexpected(ok.error());
  return lora;
}

lorawan::Result<CodingRate> checked_coding_rate(std::uint64_t coding_rate) {
  if (coding_rate < 5 || coding_rate > 8) return std::unexpected("coding_rate must be 5..8 (4/5..4/8)");
  return static_cast<CodingRate>(coding_rate);
}

lorawan::Result<DataRate> read_data_rate(const jf::json& object) {
  auto rate = jf::member(object, "data_rate");
  if (!rate || !rate->is_object()) return std::unexpected("data_rate must be an object");
  const bool lora = jf::member(*rate, "sf") || jf::member(*rate, "bw_khz");
  if (lora == jf::member(*rate, "fsk_bps").has_value())
    return std::unexpected("data_rate must have sf and bw_khz, or fsk_bps");
  if (!lora) {
    FskRate fsk;
    UCHET_TRY(fsk.bitrate_bps, jf::required(jf::read_unsigned(*rate, "fsk_bps", UINT32_MAX), "fsk_bps"));
    if (auto ok = check_fsk_rate(fsk); !ok) return std::unexpected(ok.error());
    return fsk;
  }
  std::uint64_t sf = 0, bw = 0;
  UCHET_TRY(sf, jf::required(jf::read_unsigned(*rate, "sf", UINT64_MAX), "sf"));
  UCHET_TRY(bw, jf::required(jf::read_unsigned(*rate, "bw_khz", UINT64_MAX), "bw_khz"));
  return checked_lora_rate(sf, bw);
}

lorawan::Result<std::optional<CodingRate>> read_coding_rate(const jf::json& object) {
  auto value = jf::member(object, "coding_rate");
  if (!value) return std::unexpected("missing coding_rate");
  if (value->is_null()) return std::nullopt;
  std::uint64_t coding = 0;
  UCHET_TRY(coding, jf::required(jf::read_unsigned(object, "coding_rate", 8), "coding_rate"));
  return checked_coding_rate(coding);
}

}  // namespace uchet::gateway_bridge
