#pragma once
// Radio parameters shared by uplink (rxpk) and downlink (txpk) JSON: carrier frequency as
// integer Hz, LoRa/FSK data rate and LoRa coding rate, with the plausibility limits both
// directions enforce. Pure; errors are human-readable reasons.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "netserver/lorawan/types.h"

namespace uchet::bridge {

// Sub-GHz ISM bands only; anything outside is a corrupt or hostile value, not a radio.
inline constexpr std::uint32_t kMinFrequencyHz = 100'000'000;
inline constexpr std::uint32_t kMaxFrequencyHz = 1'000'000'000;

inline constexpr std::size_t kMaxPhyPayloadSize = 255;  // LoRa PHY limit, both directions

struct LoraRate {
  std::uint8_t spreading_factor = 7;  // 5..12 (SF5/SF6 exist on SX1302)
  std::uint16_t bandwidth_khz = 125;  // 125, 250 or 500
  bool operator==(const LoraRate&) const = default;
};
struct FskRate {
  std::uint32_t bitrate_bps = 50'000;
  bool operator==(const FskRate&) const = default;
};
using DataRate = std::variant<LoraRate, FskRate>;

enum class CodingRate : std::uint8_t { k4_5 = 5, k4_6 = 6, k4_7 = 7, k4_8 = 8 };

// The protocol prints MHz with 6 decimals ("868.100000"). Multiplying the parsed double by 1e6
// and truncating can land one Hz low, so the exact decimal is recovered instead: the shortest
// text that round-trips the double is the text the gateway printed (it has at most 10
// significant digits, a double keeps 15), and that text is converted digit by digit.
lorawan::Result<std::uint32_t> frequency_hz_from_mhz(double mhz);
std::string frequency_mhz_text(std::uint32_t hz);  // "868.100000", integer arithmetic only
lorawan::Result<void> check_frequency(std::uint32_t hz);

// "SF7BW125" -> {7, 125}; validates the ranges above.
lorawan::Result<LoraRate> parse_lora_rate(std::string_view datr);
lorawan::Result<void> check_lora_rate(const LoraRate& rate);
std::string lora_rate_text(const LoraRate& rate);  // "SF7BW125"
// FSK bit rates of SX130x-class radios; a value outside is not a real packet.
lorawan::Result<void> check_fsk_rate(const FskRate& rate);

// "4/5".."4/8"; "2/3" and "1/2" are the aliases lora_pkt_fwd accepts for 4/6 and 4/8.
// "OFF" (a CR0 false sync) is refused.
lorawan::Result<CodingRate> parse_coding_rate(std::string_view codr);
std::string_view coding_rate_text(CodingRate rate);

}  // namespace uchet::bridge
