#include "gateway-bridge/semtech_udp/rxpk.h"

#include <cmath>

#include <fmt/format.h>

#include "common/json_fields.h"
#include "gateway-bridge/semtech_udp/gateway_time.h"
#include "gateway-bridge/semtech_udp/radio_text.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::bridge::semtech_udp {
namespace {

using namespace common::json_fields;

Result<DataRate> parse_rate(std::string_view modu, const json& rxpk) {
  if (modu == "LORA") {
    std::string_view datr;
    UCHET_TRY(datr, required(read_string(rxpk, "datr"), "datr"));
    auto rate = parse_lora_rate(datr);
    if (!rate) return std::unexpected(rate.error());
    return DataRate{*rate};
  }
  if (modu == "FSK") {
    std::uint64_t bps = 0;
    UCHET_TRY(bps, required(read_unsigned(rxpk, "datr", UINT32_MAX), "datr"));
    FskRate rate{static_cast<std::uint32_t>(bps)};
    if (auto ok = check_fsk_rate(rate); !ok) return std::unexpected(ok.error());
    return DataRate{rate};
  }
  return std::unexpected(fmt::format("modu \"{}\" is not LORA or FSK", modu));
}

}  // namespace

Result<RxPacket> parse_rxpk(const json& rxpk) {
  if (!rxpk.is_object()) return std::unexpected("rxpk element is not an object");
  RxPacket p;
  std::uint64_t u = 0;
  UCHET_TRY(u, required(read_unsigned(rxpk, "tmst", UINT32_MAX), "tmst"));
  p.tmst = static_cast<std::uint32_t>(u);

  std::optional<std::string_view> time;
  UCHET_TRY(time, read_string(rxpk, "time"));
  if (time) {
    if (auto parsed = parse_rx_time(*time)) p.time = *parsed;
  }
  std::optional<std::uint64_t> tmms;
  UCHET_TRY(tmms, read_unsigned(rxpk, "tmms", INT64_MAX));
  if (tmms) p.tmms = GpsTime{static_cast<std::int64_t>(*tmms)};

  double mhz = 0;
  UCHET_TRY(mhz, required(read_number(rxpk, "freq"), "freq"));
  UCHET_TRY(p.freq_hz, frequency_hz_from_mhz(mhz));
  UCHET_TRY(u, required(read_unsigned(rxpk, "chan", UINT8_MAX), "chan"));
  p.chan = static_cast<std::uint8_t>(u);
  UCHET_TRY(u, required(read_unsigned(rxpk, "rfch", UINT8_MAX), "rfch"));
  p.rfch = static_cast<std::uint8_t>(u);
  std::int64_t stat = 0;
  UCHET_TRY(stat, required(read_integer(rxpk, "stat", -1, 1), "stat"));
  p.stat = static_cast<CrcStatus>(stat);

  std::string_view modu;
  UCHET_TRY(modu, required(read_string(rxpk, "modu"), "modu"));
  UCHET_TRY(p.datr, parse_rate(modu, rxpk));
  const bool lora = std::holds_alternative<LoraRate>(p.datr);
  if (lora) {
    std::string_view codr;
    UCHET_TRY(codr, required(read_string(rxpk, "codr"), "codr"));
    UCHET_TRY(p.codr, parse_coding_rate(codr));
    double snr = 0;
    UCHET_TRY(snr, required(read_number(rxpk, "lsnr"), "lsnr"));
    if (snr < kMinSnrDb || snr > kMaxSnrDb) {
      return std::unexpected(fmt::format("lsnr {} dB is outside {}..{}", snr, kMinSnrDb, kMaxSnrDb));
    }
    p.lsnr_db = snr;
  }

  double rssi = 0;
  UCHET_TRY(rssi, required(read_number(rxpk, "rssi"), "rssi"));
  if (rssi < kMinRssiDbm || rssi > kMaxRssiDbm) {
    return std::unexpected(fmt::format("rssi {} dBm is outside {}..{}", rssi, kMinRssiDbm, kMaxRssiDbm));
  }
  p.rssi_dbm = static_cast<int>(std::lround(rssi));

  std::uint64_t size = 0;
  UCHET_TRY(size, required(read_unsigned(rxpk, "size", kMaxPhyPayloadSize), "size"));
  std::string_view data;
  UCHET_TRY(data, required(read_string(rxpk, "data"), "data"));
  // A LoRa payload never exceeds 255 bytes; refusing longer text first keeps decoding bounded.
  if (data.size() > 4 * ((kMaxPhyPayloadSize + 2) / 3)) return std::unexpected("data is longer than 255 bytes");
  auto payload = lorawan::parse_base64(data);
  if (!payload) return std::unexpected("data: " + payload.error());
  if (payload->size() != size) {
    return std::unexpected(fmt::format("size {} does not match the {} bytes of data", size, payload->size()));
  }
  if (payload->empty()) return std::unexpected("empty PHYPayload");
  p.data = std::move(*payload);
  return p;
}

Reception to_reception(lorawan::Eui64 gateway_eui, RxPacket&& packet, std::uint64_t counter_us,
                       std::chrono::steady_clock::time_point received_at) {
  return Reception{
      .gateway_eui = gateway_eui,
      .counter = CounterTime{counter_us, packet.tmst},
      .gps_time = packet.tmms,
      .utc_time = packet.time,
      .frequency_hz = packet.freq_hz,
      .rssi_dbm = packet.rssi_dbm,
      .snr_db = packet.lsnr_db,
      .channel = packet.chan,
      .rf_chain = packet.rfch,
      .data_rate = packet.datr,
      .coding_rate = packet.codr,
      .phy_payload = std::move(packet.data),
      .received_at = received_at,
  };
}

}  // namespace uchet::bridge::semtech_udp
