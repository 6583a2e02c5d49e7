#include "netserver/lorawan/airtime.h"

#include <algorithm>
#include <cmath>

namespace uchet::lorawan {
namespace {

std::chrono::microseconds round_up(double microseconds) {
  // The epsilon keeps exact results (all 125/250/500 kHz symbol times are whole µs) from being
  // pushed up by floating-point noise.
  return std::chrono::microseconds(static_cast<std::int64_t>(std::ceil(microseconds - 1e-6)));
}

}  // namespace

std::chrono::microseconds lora_time_on_air(const LoRaTxParams& p, std::size_t payload_size) {
  const double symbol_us = std::ldexp(1.0, p.spreading_factor) * 1000.0 / p.bandwidth_khz;
  const int low_data_rate = symbol_us >= 16'000.0 ? 1 : 0;
  const double preamble_symbols = p.preamble_symbols + 4.25;
  const double numerator = 8.0 * static_cast<double>(payload_size) - 4.0 * p.spreading_factor + 28 + (p.crc ? 16 : 0) -
                           (p.explicit_header ? 0 : 20);
  const double denominator = 4.0 * (p.spreading_factor - 2 * low_data_rate);
  const double payload_symbols = 8 + std::max(std::ceil(numerator / denominator) * (p.coding_rate + 4), 0.0);
  return round_up((preamble_symbols + payload_symbols) * symbol_us);
}

std::chrono::microseconds time_on_air(const DataRate& rate, std::size_t phy_payload_size, bool uplink) {
  if (rate.modulation == Modulation::Fsk) {
    constexpr double kPreambleBytes = 5, kSyncWordBytes = 3, kLengthBytes = 1, kCrcBytes = 2;
    const double bits =
        8 * (kPreambleBytes + kSyncWordBytes + kLengthBytes + static_cast<double>(phy_payload_size) + kCrcBytes);
    return round_up(bits * 1e6 / rate.bitrate_bps);
  }
  return lora_time_on_air(
      {.spreading_factor = rate.spreading_factor, .bandwidth_khz = rate.bandwidth_khz, .crc = uplink},
      phy_payload_size);
}

}  // namespace uchet::lorawan
