#include "gateway-bridge/semtech_udp/radio_text.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <system_error>

#include <fmt/format.h>

namespace uchet::gateway_bridge::semtech_udp {
namespace {

std::optional<unsigned> parse_decimal(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

lorawan::Result<std::uint32_t> frequency_hz_from_mhz(double mhz) {
  if (!std::isfinite(mhz) || mhz < kMinFrequencyHz / 1e6 || mhz > kMaxFrequencyHz / 1e6) {
    return std::unexpected(fmt::format("frequency {} MHz is outside {}-{} MHz", mhz, kMinFrequencyHz / 1'000'000,
                                       kMaxFrequencyHz / 1'000'000));
  }
  char text[64];
  auto [end, ec] = std::to_chars(text, text + sizeof text, mhz, std::chars_format::fixed);
  if (ec != std::errc()) return std::unexpected("frequency cannot be printed");
  std::string_view digits(text, static_cast<std::size_t>(end - text));
  const auto dot = digits.find('.');
  const std::string_view whole = digits.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
  std::uint64_t hz = 0;
  for (char c : whole) hz = hz * 10 + static_cast<unsigned>(c - '0');
  for (std::size_t i = 0; i < 6; ++i)
    hz = hz * 10 + (i < fraction.size() ? static_cast<unsigned>(fraction[i] - '0') : 0);
  if (fraction.size() > 6 && fraction[6] >= '5') ++hz;  // sub-Hz digits: round to the nearest Hz
  const auto result = static_cast<std::uint32_t>(hz);
  if (auto ok = check_frequency(result); !ok) return std::unexpected(ok.error());
  return result;
}

std::string frequency_mhz_text(std::uint32_t hz) { return fmt::format("{}.{:06}", hz / 1'000'000, hz % 1'000'000); }

lorawan::Result<LoraRate> parse_lora_rate(std::string_view datr) {
  const auto bw = datr.find("BW");
  if (!datr.starts_with("SF") || bw == std::string_view::npos) {
    return std::unexpected(fmt::format("LoRa datr \"{}\" is not SF<n>BW<khz>", datr));
  }
  const auto sf = parse_decimal(datr.substr(2, bw - 2));
  const auto khz = parse_decimal(datr.substr(bw + 2));
  if (!sf || !khz || *sf > 255 || *khz > 65535) {
    return std::unexpected(fmt::format("LoRa datr \"{}\" is not SF<n>BW<khz>", datr));
  }
  LoraRate rate{static_cast<std::uint8_t>(*sf), static_cast<std::uint16_t>(*khz)};
  if (auto ok = check_lora_rate(rate); !ok) return std::unexpected(ok.error());
  return rate;
}

std::string lora_rate_text(const LoraRate& rate) {
  return fmt::format("SF{}BW{}", rate.spreading_factor, rate.bandwidth_khz);
}

lorawan::Result<CodingRate> parse_coding_rate(std::string_view codr) {
  if (codr == "4/5") return CodingRate::k4_5;
  if (codr == "4/6" || codr == "2/3") return CodingRate::k4_6;
  if (codr == "4/7") return CodingRate::k4_7;
  if (codr == "4/8" || codr == "1/2") return CodingRate::k4_8;
  return std::unexpected(fmt::format("coding rate \"{}\" is not 4/5, 4/6, 4/7 or 4/8", codr));
}

std::string_view coding_rate_text(CodingRate rate) {
  switch (rate) {
    case CodingRate::k4_5:
      return "4/5";
    case CodingRate::k4_6:
      return "4/6";
    case CodingRate::k4_7:
      return "4/7";
    case CodingRate::k4_8:
      return "4/8";
  }
  return "4/5";
}

}  // namespace uchet::gateway_bridge::semtech_udp
