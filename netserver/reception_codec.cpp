#include "netserver/reception_codec.h"

#include <limits>
#include <optional>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "netserver/lorawan/encoding.h"

namespace uchet::netserver {

using nlohmann::json;

std::vector<std::uint8_t> encode_reception(const gateway_bridge::Reception& rx) {
  json j{{"v", 1},
         {"gateway", lorawan::eui64_to_string(rx.gateway_eui)},
         {"counter_us", rx.counter.counter_us},
         {"context", rx.counter.context},
         {"frequency_hz", rx.frequency_hz},
         {"rssi_dbm", rx.rssi_dbm},
         {"channel", rx.channel},
         {"rf_chain", rx.rf_chain}};
  if (rx.gps_time) j["gps_ms"] = rx.gps_time->count();
  if (rx.utc_time) j["utc_us"] = rx.utc_time->time_since_epoch().count();
  if (rx.snr_db) j["snr_db"] = *rx.snr_db;
  if (const auto* lora = std::get_if<gateway_bridge::LoraRate>(&rx.data_rate)) {
    j["sf"] = lora->spreading_factor;
    j["bw_khz"] = lora->bandwidth_khz;
  } else {
    j["fsk_bps"] = std::get<gateway_bridge::FskRate>(rx.data_rate).bitrate_bps;
  }
  if (rx.coding_rate) j["coding_rate"] = static_cast<int>(*rx.coding_rate);
  if (rx.antenna) j["antenna"] = *rx.antenna;
  if (!rx.metadata.empty()) {
    json meta = json::array();
    for (const auto& [key, value] : rx.metadata) meta.push_back({key, value});
    j["metadata"] = std::move(meta);
  }
  const auto text = j.dump();
  return {text.begin(), text.end()};
}

namespace {

// Reads the integer member `key` into `out` if it is present and fits T and [min, max]; the
// reason otherwise (or when it is absent and `required`). Absent and optional: `out` unchanged.
template <class T>
std::optional<std::string> read_integer(const json& j, const char* key, T& out, bool required,
                                        T min = std::numeric_limits<T>::min(), T max = std::numeric_limits<T>::max()) {
  auto it = j.find(key);
  if (it == j.end()) return required ? std::optional<std::string>(std::string("missing ") + key) : std::nullopt;
  const std::string range =
      std::string(key) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!it->is_number_integer()) return range;
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(max) || (min > 0 && v < static_cast<std::uint64_t>(min))) return range;
    out = static_cast<T>(v);
    return std::nullopt;
  }
  const auto v = it->get<std::int64_t>();
  if constexpr (std::is_unsigned_v<T>) {
    return range;  // negative
  } else {
    if (v < static_cast<std::int64_t>(min) || v > static_cast<std::int64_t>(max)) return range;
    out = static_cast<T>(v);
    return std::nullopt;
  }
}

}  // namespace

lorawan::Result<gateway_bridge::Reception> decode_reception(lorawan::ByteView bytes) {
  const json j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::unexpected("not a JSON object");
  int version = 0;
  if (auto why = read_integer(j, "v", version, true)) return std::unexpected(*why);
  if (version != 1) return std::unexpected("unknown version " + std::to_string(version));
  gateway_bridge::Reception rx;
  auto gateway = j.find("gateway");
  if (gateway == j.end() || !gateway->is_string()) return std::unexpected("gateway must be an EUI");
  auto eui = lorawan::parse_eui64(gateway->get<std::string>());
  if (!eui) return std::unexpected("gateway: " + eui.error());
  rx.gateway_eui = *eui;
  std::int64_t gps_ms = 0, utc_us = 0;
  int sf = 0, bw = 0, fsk = 0, coding = 0, antenna = -1;
  const std::optional<std::string> failures[] = {
      read_integer(j, "counter_us", rx.counter.counter_us, true),
      read_integer(j, "context", rx.counter.context, true),
      read_integer(j, "frequency_hz", rx.frequency_hz, true),
      read_integer(j, "rssi_dbm", rx.rssi_dbm, true, -1000, 1000),
      read_integer(j, "channel", rx.channel, true),
      read_integer(j, "rf_chain", rx.rf_chain, true),
      read_integer(j, "gps_ms", gps_ms, false, std::int64_t{0}),
      read_integer(j, "utc_us", utc_us, false),
      read_integer(j, "sf", sf, false, 5, 12),
      read_integer(j, "bw_khz", bw, false, 1, 1000),
      read_integer(j, "fsk_bps", fsk, false, 1, 1'000'000),
      read_integer(j, "coding_rate", coding, false, 5, 8),
      read_integer(j, "antenna", antenna, false, 0, 255),
  };
  for (const auto& why : failures)
    if (why) return std::unexpected(*why);
  if (j.contains("gps_ms")) rx.gps_time = gateway_bridge::GpsTime(gps_ms);
  if (j.contains("utc_us")) rx.utc_time = gateway_bridge::UtcTime(std::chrono::microseconds(utc_us));
  if (sf && bw && !fsk) {
    rx.data_rate = gateway_bridge::LoraRate{static_cast<std::uint8_t>(sf), static_cast<std::uint16_t>(bw)};
  } else if (fsk && !sf && !bw) {
    rx.data_rate = gateway_bridge::FskRate{static_cast<std::uint32_t>(fsk)};
  } else {
    return std::unexpected("data rate must be sf and bw_khz, or fsk_bps");
  }
  if (coding) rx.coding_rate = static_cast<gateway_bridge::CodingRate>(coding);
  if (antenna >= 0) rx.antenna = static_cast<std::uint8_t>(antenna);
  if (auto snr = j.find("snr_db"); snr != j.end()) {
    if (!snr->is_number()) return std::unexpected("snr_db must be a number");
    rx.snr_db = snr->get<double>();
  }
  if (auto meta = j.find("metadata"); meta != j.end()) {
    if (!meta->is_array()) return std::unexpected("metadata must be an array of [key, value] pairs");
    for (const auto& pair : *meta) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
        return std::unexpected("metadata must be an array of [key, value] pairs");
      rx.metadata.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  return rx;
}

}  // namespace uchet::netserver
