#include "netserver/reception_codec.h"

#include <cstdint>
#include <limits>
#include <string>

#include "common/json_fields.h"
#include "common/json_writer.h"
#include "gateway-bridge/radio_json.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::netserver {
namespace jf = common::json_fields;

namespace {
constexpr int kVersion = 2;
}  // namespace

std::vector<std::uint8_t> encode_reception(const gateway_bridge::Reception& rx) {
  common::JsonWriter w;
  w.begin_object();
  w.key("v").number(kVersion);
  w.key("gateway").string(lorawan::eui64_to_string(rx.gateway_eui));
  w.key("counter_us").number(rx.counter.counter_us).key("context").number(rx.counter.context);
  if (rx.gps_time) w.key("gps_ms").number(static_cast<std::int64_t>(rx.gps_time->count()));
  if (rx.utc_time) w.key("utc_us").number(static_cast<std::int64_t>(rx.utc_time->time_since_epoch().count()));
  w.key("frequency_hz").number(rx.frequency_hz);
  w.key("rssi_dbm").number(rx.rssi_dbm);
  if (rx.snr_db) w.key("snr_db").number(*rx.snr_db);
  w.key("channel").number(rx.channel).key("rf_chain").number(rx.rf_chain);
  gateway_bridge::write_radio_rate(w, rx.data_rate, rx.coding_rate);
  if (rx.antenna) w.key("antenna").number(*rx.antenna);
  if (!rx.metadata.empty()) {
    w.key("metadata").begin_array();
    for (const auto& [key, value] : rx.metadata) w.begin_array().string(key).string(value).end_array();
    w.end_array();
  }
  w.end_object();
  const auto text = w.str();
  return {text.begin(), text.end()};
}

namespace {

// Reads the integer member `key` into `out` if present and within [min, max]: the reason
// otherwise, or when it is absent and `required`. Absent and optional: `out` unchanged.
template <class T>
lorawan::Result<void> read_into(const jf::json& o, const char* key, T& out, bool required,
                                std::int64_t min = std::numeric_limits<T>::min(),
                                std::int64_t max = static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
  if constexpr (std::is_same_v<T, std::uint64_t>) {
    auto v = jf::read_unsigned(o, key, UINT64_MAX);
    if (!v) return std::unexpected(v.error());
    if (*v)
      out = **v;
    else if (required)
      return std::unexpected(std::string("missing ") + key);
  } else {
    auto v = jf::read_integer(o, key, min, max);
    if (!v) return std::unexpected(v.error());
    if (*v)
      out = static_cast<T>(**v);
    else if (required)
      return std::unexpected(std::string("missing ") + key);
  }
  return {};
}

// Version 1 (uchetd before the shared radio form, during a rolling upgrade): flat members sf,
// bw_khz or fsk_bps, and coding_rate only when there is one; checked as version 2's.
lorawan::Result<void> read_rates_v1(const jf::json& o, gateway_bridge::Reception& rx) {
  const bool lora = jf::member(o, "sf") || jf::member(o, "bw_khz");
  if (lora == jf::member(o, "fsk_bps").has_value())
    return std::unexpected("data rate must be sf and bw_khz, or fsk_bps");
  if (lora) {
    std::uint64_t sf = 0, bw = 0;
    UCHET_TRY(sf, jf::required(jf::read_unsigned(o, "sf", UINT64_MAX), "sf"));
    UCHET_TRY(bw, jf::required(jf::read_unsigned(o, "bw_khz", UINT64_MAX), "bw_khz"));
    UCHET_TRY(rx.data_rate, gateway_bridge::checked_lora_rate(sf, bw));
  } else {
    gateway_bridge::FskRate fsk;
    UCHET_TRY(fsk.bitrate_bps, jf::required(jf::read_unsigned(o, "fsk_bps", UINT32_MAX), "fsk_bps"));
    if (auto ok = gateway_bridge::check_fsk_rate(fsk); !ok) return std::unexpected(ok.error());
    rx.data_rate = fsk;
  }
  std::optional<std::uint64_t> coding;
  UCHET_TRY(coding, jf::read_unsigned(o, "coding_rate", UINT64_MAX));
  if (coding) UCHET_TRY(rx.coding_rate, gateway_bridge::checked_coding_rate(*coding));
  return {};
}

lorawan::Result<gateway_bridge::Reception> read_reception(const jf::json& o) {
  std::int64_t version = 0;
  UCHET_TRY(version, jf::required(jf::read_integer(o, "v", INT64_MIN, INT64_MAX), "v"));
  if (version != 1 && version != kVersion) return std::unexpected("unknown version " + std::to_string(version));
  gateway_bridge::Reception rx;
  std::string_view gateway;
  UCHET_TRY(gateway, jf::required(jf::read_string(o, "gateway"), "gateway"));
  UCHET_TRY(rx.gateway_eui, lorawan::parse_eui64(gateway, "gateway"));
  std::int64_t gps_ms = -1, utc_us = 0;
  int antenna = -1;
  const lorawan::Result<void> reads[] = {
      read_into(o, "counter_us", rx.counter.counter_us, true),
      read_into(o, "context", rx.counter.context, true),
      read_into(o, "frequency_hz", rx.frequency_hz, true),
      read_into(o, "rssi_dbm", rx.rssi_dbm, true, -1000, 1000),
      read_into(o, "channel", rx.channel, true),
      read_into(o, "rf_chain", rx.rf_chain, true),
      read_into(o, "gps_ms", gps_ms, false, 0),
      read_into(o, "utc_us", utc_us, false),
      read_into(o, "antenna", antenna, false, 0, 255),
  };
  for (const auto& read : reads)
    if (!read) return std::unexpected(read.error());
  if (gps_ms >= 0) rx.gps_time = gateway_bridge::GpsTime(gps_ms);
  if (jf::member(o, "utc_us")) rx.utc_time = gateway_bridge::UtcTime(std::chrono::microseconds(utc_us));
  if (antenna >= 0) rx.antenna = static_cast<std::uint8_t>(antenna);
  if (version == 1) {
    if (auto ok = read_rates_v1(o, rx); !ok) return std::unexpected(ok.error());
  } else {
    UCHET_TRY(rx.data_rate, gateway_bridge::read_data_rate(o));
    UCHET_TRY(rx.coding_rate, gateway_bridge::read_coding_rate(o));
  }
  UCHET_TRY(rx.snr_db, jf::read_number(o, "snr_db"));
  if (auto meta = jf::member(o, "metadata")) {
    const std::string why = "metadata must be an array of [key, value] pairs";
    simdjson::dom::array pairs;
    if (meta->get_array().get(pairs)) return std::unexpected(why);
    for (simdjson::dom::element pair : pairs) {
      simdjson::dom::array kv;
      std::string_view key, value;
      if (pair.get_array().get(kv) || kv.size() != 2 || kv.at(0).get_string().get(key) ||
          kv.at(1).get_string().get(value))
        return std::unexpected(why);
      rx.metadata.emplace_back(std::string(key), std::string(value));
    }
  }
  return rx;
}

}  // namespace

lorawan::Result<gateway_bridge::Reception> decode_reception(lorawan::ByteView bytes) {
  auto parsed = jf::parse_object(bytes);
  if (!parsed) return std::unexpected("not a JSON object: " + parsed.error());
  return read_reception(*parsed);
}

}  // namespace uchet::netserver
