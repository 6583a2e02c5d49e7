#pragma once
// The radio parameters as Semtech's rxpk and txpk JSON write them: frequency in MHz, datr
// "SF7BW125", codr "4/5". Pure; errors are human-readable reasons. The values and their limits
// are the contract's (gateway-bridge/radio.h).
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway-bridge/radio.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

// The protocol prints MHz with 6 decimals ("868.100000"). Multiplying the parsed double by 1e6
// and truncating can land one Hz low, so the exact decimal is recovered instead: the shortest
// text that round-trips the double is the text the gateway printed (it has at most 10
// significant digits, a double keeps 15), and that text is converted digit by digit.
lorawan::Result<std::uint32_t> frequency_hz_from_mhz(double mhz);
std::string frequency_mhz_text(std::uint32_t hz);  // "868.100000", integer arithmetic only

// "SF7BW125" -> {7, 125}; validates the ranges of radio.h.
lorawan::Result<LoraRate> parse_lora_rate(std::string_view datr);
std::string lora_rate_text(const LoraRate& rate);  // "SF7BW125"

// "4/5".."4/8"; "2/3" and "1/2" are the aliases lora_pkt_fwd accepts for 4/6 and 4/8.
// "OFF" (a CR0 false sync) is refused.
lorawan::Result<CodingRate> parse_coding_rate(std::string_view codr);
std::string_view coding_rate_text(CodingRate rate);

}  // namespace uchet::gateway_bridge::semtech_udp
