#pragma once
// Radio parameters of receptions and transmissions, whatever the gateway protocol: carrier
// frequency as integer Hz, LoRa/FSK data rate and LoRa coding rate, with the plausibility
// limits both directions enforce. Pure; errors are human-readable reasons. How a protocol
// writes them ("SF7BW125", MHz text) is its backend's business (semtech_udp/radio_text.h).
#include <cstddef>
#include <cstdint>
#include <variant>

#include "netserver/lorawan/data_rate.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge {

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

lorawan::Result<void> check_frequency(std::uint32_t hz);
lorawan::Result<void> check_lora_rate(const LoraRate& rate);
// FSK bit rates of SX130x-class radios; a value outside is not a real packet.
lorawan::Result<void> check_fsk_rate(const FskRate& rate);

// The same data rate in the protocol core's words (netserver, region tables) and back. Every
// backend maps a region's DR index to a radio rate with these; the network server too.
lorawan::DataRate to_lorawan_rate(const DataRate& rate);
DataRate to_bridge_rate(const lorawan::DataRate& rate);

}  // namespace uchet::gateway_bridge
