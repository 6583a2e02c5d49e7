#include "gateway-bridge/transmission_airtime.h"

#include "netserver/lorawan/airtime.h"

namespace uchet::gateway_bridge {

std::chrono::microseconds transmission_airtime(const Transmission& t) {
  if (const auto* lora = std::get_if<LoraRate>(&t.data_rate)) {
    lorawan::LoRaTxParams params;
    params.spreading_factor = lora->spreading_factor;
    params.bandwidth_khz = lora->bandwidth_khz;
    params.coding_rate = static_cast<std::uint8_t>(static_cast<int>(t.coding_rate.value_or(CodingRate::k4_5)) - 4);
    params.preamble_symbols = t.preamble_symbols.value_or(8);
    params.crc = !t.disable_crc;
    return lorawan::lora_time_on_air(params, t.phy_payload.size());
  }
  const auto& fsk = std::get<FskRate>(t.data_rate);
  return lorawan::time_on_air(lorawan::DataRate::fsk(fsk.bitrate_bps), t.phy_payload.size(), false);
}

}  // namespace uchet::gateway_bridge
