#include "gateway-bridge/semtech_udp/rxpk.h"

#include <cmath>

#include <fmt/format.h>

#include "common/json_fields.h"
#include "gateway-bridge/semtech_udp/gateway_time.h"
#include "gateway-bridge/semtech_udp/radio_text.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::gateway_bridge::semtech_udp {
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

Result<int> checked_rssi(double rssi, std::string_view key) {
  if (rssi < kMinRssiDbm || rssi > kMaxRssiDbm) {
    return std::unexpected(fmt::format("{} {} dBm is outside {}..{}", key, rssi, kMinRssiDbm, kMaxRssiDbm));
  }
  return static_cast<int>(std::lround(rssi));
}

Result<double> checked_snr(double snr, std::string_view key) {
  if (snr < kMinSnrDb || snr > kMaxSnrDb) {
    return std::unexpected(fmt::format("{} {} dB is outside {}..{}", key, snr, kMinSnrDb, kMaxSnrDb));
  }
  return snr;
}

// The "rsig" array of protocol v2 (multi-antenna gateways): one entry per antenna that heard
// the packet, with its channel, channel RSSI and, for LoRa, SNR.
Result<std::vector<RxPacket::AntennaSignal>> parse_rsig(const json& rxpk, bool lora) {
  std::vector<RxPacket::AntennaSignal> out;
  const auto rsig = member(rxpk, "rsig");
  if (!rsig) return out;
  simdjson::dom::array entries;
  if (rsig->get_array().get(entries) != simdjson::SUCCESS) return std::unexpected("rsig is not an array");
  if (entries.size() > kMaxAntennas)
    return std::unexpected(fmt::format("rsig has more than {} antennas", kMaxAntennas));
  for (json entry : entries) {
    if (!entry.is_object()) return std::unexpected("rsig element is not an object");
    RxPacket::AntennaSignal a;
    std::uint64_t u = 0;
    UCHET_TRY(u, required(read_unsigned(entry, "ant", UINT8_MAX), "rsig.ant"));
    a.antenna = static_cast<std::uint8_t>(u);
    UCHET_TRY(u, required(read_unsigned(entry, "chan", UINT8_MAX), "rsig.chan"));
    a.chan = static_cast<std::uint8_t>(u);
    double rssi = 0;
    UCHET_TRY(rssi, required(read_number(entry, "rssic"), "rsig.rssic"));
    UCHET_TRY(a.rssi_dbm, checked_rssi(rssi, "rsig.rssic"));
    if (lora) {
      double snr = 0;
      UCHET_TRY(snr, required(read_number(entry, "lsnr"), "rsig.lsnr"));
      UCHET_TRY(a.lsnr_db, checked_snr(snr, "rsig.lsnr"));
    }
    out.push_back(a);
  }
  if (out.empty()) return std::unexpected("rsig is empty");
  return out;
}

// The antenna that heard best: the highest SNR for LoRa (what demodulation depends on), then
// the highest RSSI.
const RxPacket::AntennaSignal& best_of(const std::vector<RxPacket::AntennaSignal>& antennas) {
  const RxPacket::AntennaSignal* best = &antennas.front();
  for (const auto& a : antennas) {
    const double snr = a.lsnr_db.value_or(0), best_snr = best->lsnr_db.value_or(0);
    if (snr > best_snr || (snr == best_snr && a.rssi_dbm > best->rssi_dbm)) best = &a;
  }
  return *best;
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
  std::optional<std::uint64_t> chan;
  UCHET_TRY(chan, read_unsigned(rxpk, "chan", UINT8_MAX));
  UCHET_TRY(u, required(read_unsigned(rxpk, "rfch", UINT8_MAX), "rfch"));
  p.rfch = static_cast<std::uint8_t>(u);
  std::int64_t stat = 0;
  UCHET_TRY(stat, required(read_integer(rxpk, "stat", -1, 1), "stat"));
  p.stat = static_cast<CrcStatus>(stat);

  std::string_view modu;
  UCHET_TRY(modu, required(read_string(rxpk, "modu"), "modu"));
  UCHET_TRY(p.datr, parse_rate(modu, rxpk));
  const bool lora = std::holds_alternative<LoraRate>(p.datr);
  UCHET_TRY(p.antennas, parse_rsig(rxpk, lora));
  const RxPacket::AntennaSignal* best = p.antennas.empty() ? nullptr : &best_of(p.antennas);
  if (best) p.best_antenna = best->antenna;
  // Top-level values win where the gateway sends them; a multi-antenna gateway sends them only
  // per antenna, and then the best antenna's stand for the packet.
  if (!chan && !best) return std::unexpected("missing chan");
  p.chan = chan ? static_cast<std::uint8_t>(*chan) : best->chan;
  if (lora) {
    std::string_view codr;
    UCHET_TRY(codr, required(read_string(rxpk, "codr"), "codr"));
    UCHET_TRY(p.codr, parse_coding_rate(codr));
    std::optional<double> snr;
    UCHET_TRY(snr, read_number(rxpk, "lsnr"));
    if (snr) {
      UCHET_TRY(p.lsnr_db, checked_snr(*snr, "lsnr"));
    } else if (best) {
      p.lsnr_db = best->lsnr_db;
    } else {
      return std::unexpected("missing lsnr");
    }
  }

  std::optional<double> rssi;
  UCHET_TRY(rssi, read_number(rxpk, "rssi"));
  if (rssi) {
    UCHET_TRY(p.rssi_dbm, checked_rssi(*rssi, "rssi"));
  } else if (best) {
    p.rssi_dbm = best->rssi_dbm;
  } else {
    return std::unexpected("missing rssi");
  }

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

std::vector<std::pair<std::string, std::string>> antenna_metadata(const RxPacket& packet) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& a : packet.antennas) {
    std::string value = fmt::format("rssi={}", a.rssi_dbm);
    if (a.lsnr_db) value += fmt::format(" snr={}", *a.lsnr_db);
    value += fmt::format(" channel={}", a.chan);
    out.emplace_back(fmt::format("antenna_{}", a.antenna), std::move(value));
  }
  return out;
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
      .antenna = packet.best_antenna,
      .metadata = antenna_metadata(packet),
      .phy_payload = std::move(packet.data),
      .received_at = received_at,
  };
}

}  // namespace uchet::gateway_bridge::semtech_udp
