#pragma once
// A data rate as the radio sees it (modulation, spreading factor, bandwidth), its "datr" text
// form used by the Semtech UDP protocol ("SF7BW125" for LoRa, a bit rate such as "50000" for
// FSK), and the demodulation floor per spreading factor that ADR and LinkCheckAns margins are
// measured against. Region-independent; region.h maps DR indexes to these.
#include <cstdint>
#include <string>

#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

enum class Modulation : std::uint8_t { LoRa, Fsk };

struct DataRate {
  Modulation modulation = Modulation::LoRa;
  std::uint8_t spreading_factor = 0;  // LoRa: 5–12
  std::uint32_t bandwidth_khz = 0;    // LoRa: 125, 250, 500
  std::uint32_t bitrate_bps = 0;      // FSK only
  bool operator==(const DataRate&) const = default;

  static constexpr DataRate lora(std::uint8_t sf, std::uint32_t bw_khz) { return {Modulation::LoRa, sf, bw_khz, 0}; }
  static constexpr DataRate fsk(std::uint32_t bps) { return {Modulation::Fsk, 0, 0, bps}; }
};

// Parsing "datr" is the gateway bridge's job (gateway-bridge/semtech_udp/radio_text.h); this text is for messages.
std::string to_datr(const DataRate& rate);

// SNR (dB) below which a LoRa demodulator at this SF fails: SF7 −7.5 … SF12 −20, 2.5 dB per SF.
Result<double> required_snr_db(std::uint8_t spreading_factor);

}  // namespace uchet::lorawan
