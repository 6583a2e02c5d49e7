#pragma once
// Time on air of one radio frame (Semtech AN1200.13, as in LoRaMac-node's SX1276 driver), used
// for duty-cycle accounting and gateway scheduling. Results are rounded up to whole
// microseconds, the unit of the concentrator's tmst counter.
#include <chrono>
#include <cstdint>

#include "netserver/lorawan/data_rate.h"
#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

struct LoRaTxParams {
  std::uint8_t spreading_factor = 7;
  std::uint32_t bandwidth_khz = 125;
  std::uint8_t coding_rate = 1;  // CR in 4/(4+CR); LoRaWAN uses 1 (4/5)
  std::uint16_t preamble_symbols = 8;
  bool explicit_header = true;
  bool crc = true;  // LoRaWAN uplinks carry a payload CRC, downlinks do not
};

// Low-data-rate optimisation is switched on when a symbol lasts 16 ms or more (SF11/SF12 at
// 125 kHz, SF12 at 250 kHz), as the radios require.
std::chrono::microseconds lora_time_on_air(const LoRaTxParams& params, std::size_t payload_size);

// LoRaWAN framing for a data rate: 8-symbol preamble, CR 4/5, explicit header, CRC on uplinks
// only. FSK: 5-byte preamble, 3-byte sync word, length byte, CRC-16.
std::chrono::microseconds time_on_air(const DataRate& rate, std::size_t phy_payload_size, bool uplink);

}  // namespace uchet::lorawan
