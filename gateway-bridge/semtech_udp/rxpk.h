#pragma once
// One received radio packet as the gateway reported it (an element of PUSH_DATA "rxpk"),
// validated: every mandatory field present with the right type, values physically plausible,
// size equal to the decoded payload length. A bad rxpk is refused with a reason; it never
// spoils its neighbours in the same datagram (that is the caller's loop, see push_data.h).
//
// Mandatory: tmst, freq, chan, rfch, stat, modu, datr, rssi, size, data; codr and lsnr for
// LoRa. Optional: time, tmms. Unknown members (jver, rssis, foff, mid, ftime, ...) are ignored.
// An unparseable optional "time" is dropped rather than refusing the packet: it is
// informational, and losing the uplink over it would be worse.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/json_fields.h"
#include "gateway-bridge/backend.h"
#include "gateway-bridge/radio.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

enum class CrcStatus : std::int8_t { Bad = -1, Absent = 0, Ok = 1 };

// modu is carried by which DataRate alternative datr holds; size is data.size(), checked.
struct RxPacket {
  std::uint32_t tmst = 0;       // concentrator µs counter at end of reception, wraps every 2^32 µs
  std::optional<UtcTime> time;  // GPS-disciplined UTC reception time
  std::optional<GpsTime> tmms;  // GPS reception time
  std::uint32_t freq_hz = 0;
  std::uint8_t chan = 0;  // IF chain
  std::uint8_t rfch = 0;  // RF chain
  CrcStatus stat = CrcStatus::Ok;
  DataRate datr;                   // LoraRate for modu "LORA", FskRate for "FSK"
  std::optional<CodingRate> codr;  // LoRa only
  int rssi_dbm = 0;
  std::optional<double> lsnr_db;  // LoRa only
  // Multi-antenna gateways (Kerlink iBTS and others, protocol v2 "rsig"): what each antenna
  // heard. rssi_dbm, lsnr_db and chan above are then the best antenna's when the packet has
  // no top-level rssi/lsnr/chan of its own.
  struct AntennaSignal {
    std::uint8_t antenna = 0;
    std::uint8_t chan = 0;
    int rssi_dbm = 0;               // rssic: the channel RSSI
    std::optional<double> lsnr_db;  // LoRa only
  };
  std::vector<AntennaSignal> antennas;
  std::optional<std::uint8_t> best_antenna;
  lorawan::Bytes data;  // PHYPayload, decoded from Base64
};

// More antennas than any gateway has: refused as malformed.
inline constexpr std::size_t kMaxAntennas = 16;

// Plausibility limits; values outside come from broken or hostile senders.
inline constexpr int kMinRssiDbm = -200, kMaxRssiDbm = 20;
inline constexpr double kMinSnrDb = -40.0, kMaxSnrDb = 40.0;

lorawan::Result<RxPacket> parse_rxpk(const common::json_fields::json& rxpk);

// The contract's Reception of `packet`, whose tmst `counter_us` is widened (counter_widener.h);
// the context is the tmst as reported, as ChirpStack's Semtech bridge sets it. Moves the payload.
Reception to_reception(lorawan::Eui64 gateway_eui, RxPacket&& packet, std::uint64_t counter_us,
                       std::chrono::steady_clock::time_point received_at);

}  // namespace uchet::gateway_bridge::semtech_udp
