#include "gateway-bridge/radio.h"

#include <variant>

#include <fmt/format.h>

namespace uchet::gateway_bridge {

lorawan::Result<void> check_frequency(std::uint32_t hz) {
  if (hz < kMinFrequencyHz || hz > kMaxFrequencyHz) {
    return std::unexpected(fmt::format("frequency {} Hz is outside {}-{} MHz", hz, kMinFrequencyHz / 1'000'000,
                                       kMaxFrequencyHz / 1'000'000));
  }
  return {};
}

lorawan::Result<void> check_lora_rate(const LoraRate& rate) {
  if (rate.spreading_factor < 5 || rate.spreading_factor > 12) {
    return std::unexpected(fmt::format("spreading factor SF{} is outside SF5-SF12", rate.spreading_factor));
  }
  if (rate.bandwidth_khz != 125 && rate.bandwidth_khz != 250 && rate.bandwidth_khz != 500) {
    return std::unexpected(fmt::format("LoRa bandwidth {} kHz is not 125, 250 or 500", rate.bandwidth_khz));
  }
  return {};
}

lorawan::Result<void> check_fsk_rate(const FskRate& rate) {
  if (rate.bitrate_bps < 500 || rate.bitrate_bps > 300'000) {
    return std::unexpected(fmt::format("FSK bit rate {} bps is outside 500-300000", rate.bitrate_bps));
  }
  return {};
}

lorawan::DataRate to_lorawan_rate(const DataRate& rate) {
  if (const auto* lora = std::get_if<LoraRate>(&rate)) {
    return lorawan::DataRate::lora(lora->spreading_factor, lora->bandwidth_khz);
  }
  return lorawan::DataRate::fsk(std::get<FskRate>(rate).bitrate_bps);
}

DataRate to_bridge_rate(const lorawan::DataRate& rate) {
  if (rate.modulation == lorawan::Modulation::LoRa) {
    return LoraRate{rate.spreading_factor, static_cast<std::uint16_t>(rate.bandwidth_khz)};
  }
  return FskRate{rate.bitrate_bps};
}

}  // namespace uchet::gateway_bridge
