#include "gateway-bridge/cluster_relay/relayed_transmission.h"

#include <span>

#include "common/json_fields.h"
#include "common/json_writer.h"
#include "gateway-bridge/radio_json.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::gateway_bridge::cluster_relay {
namespace jf = common::json_fields;

std::string serialise_transmission(const Transmission& t) {
  common::JsonWriter w;
  w.begin_object();
  w.key("timing").begin_object();
  if (const auto* at = std::get_if<CounterTime>(&t.timing)) {
    w.key("counter_us").number(at->counter_us).key("context").number(at->context);
  } else if (const auto* gps = std::get_if<GpsTime>(&t.timing)) {
    w.key("gps_ms").number(static_cast<std::int64_t>(gps->count()));
  } else {
    w.key("immediately").boolean(true);
  }
  w.end_object();
  w.key("frequency_hz").number(t.frequency_hz);
  w.key("rf_chain").number(t.rf_chain);
  w.key("power_dbm");
  t.power_dbm ? w.number(static_cast<int>(*t.power_dbm)) : w.null();
  write_radio_rate(w, t.data_rate, t.coding_rate);
  w.key("fsk_deviation_hz");
  t.fsk_deviation_hz ? w.number(*t.fsk_deviation_hz) : w.null();
  w.key("invert_polarity").boolean(t.invert_polarity);
  w.key("preamble_symbols");
  t.preamble_symbols ? w.number(*t.preamble_symbols) : w.null();
  w.key("disable_crc").boolean(t.disable_crc);
  w.key("phy_payload").string(lorawan::to_hex(t.phy_payload));
  w.key("dev_eui").string(lorawan::eui64_to_string(t.dev_eui));
  w.end_object();
  return w.str();
}

namespace {

// A member that may be null (an optional field): nullopt for null, else the read.
template <class Read>
auto nullable(const jf::json& object, const char* key, Read read)
    -> lorawan::Result<std::optional<typename decltype(read())::value_type::value_type>> {
  auto value = jf::member(object, key);
  if (!value) return std::unexpected(std::string("missing ") + key);
  if (value->is_null()) return std::nullopt;
  auto r = read();
  if (!r) return std::unexpected(r.error());
  return *r;
}

lorawan::Result<TxTiming> parse_timing(const jf::json& object) {
  auto timing = jf::member(object, "timing");
  if (!timing || !timing->is_object()) return std::unexpected("timing must be an object");
  if (jf::member(*timing, "counter_us")) {
    CounterTime at;
    UCHET_TRY(at.counter_us, jf::required(jf::read_unsigned(*timing, "counter_us", UINT64_MAX), "counter_us"));
    UCHET_TRY(at.context, jf::required(jf::read_unsigned(*timing, "context", UINT64_MAX), "context"));
    return at;
  }
  if (jf::member(*timing, "gps_ms")) {
    std::int64_t ms = 0;
    UCHET_TRY(ms, jf::required(jf::read_integer(*timing, "gps_ms", 0, INT64_MAX), "gps_ms"));
    return GpsTime(ms);
  }
  bool now = false;
  UCHET_TRY(now, jf::required(jf::read_bool(*timing, "immediately"), "immediately"));
  if (!now) return std::unexpected("timing: immediately must be true");
  return Immediately{};
}

}  // namespace

lorawan::Result<Transmission> parse_transmission(std::string_view text) {
  auto parsed = jf::parse_object(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  if (!parsed) return std::unexpected("relayed transmission: " + parsed.error());
  const auto& o = *parsed;
  auto fields = [&]() -> lorawan::Result<Transmission> {
    Transmission t;
    UCHET_TRY(t.timing, parse_timing(o));
    UCHET_TRY(t.frequency_hz, jf::required(jf::read_unsigned(o, "frequency_hz", kMaxFrequencyHz), "frequency_hz"));
    if (auto ok = check_frequency(t.frequency_hz); !ok) return std::unexpected(ok.error());
    UCHET_TRY(t.rf_chain, jf::required(jf::read_unsigned(o, "rf_chain", 1), "rf_chain"));
    std::optional<std::int64_t> power;
    UCHET_TRY(power, nullable(o, "power_dbm", [&] { return jf::read_integer(o, "power_dbm", -128, 127); }));
    if (power) t.power_dbm = static_cast<std::int8_t>(*power);
    UCHET_TRY(t.data_rate, read_data_rate(o));
    UCHET_TRY(t.coding_rate, read_coding_rate(o));
    std::optional<std::uint64_t> deviation;
    UCHET_TRY(deviation,
              nullable(o, "fsk_deviation_hz", [&] { return jf::read_unsigned(o, "fsk_deviation_hz", UINT32_MAX); }));
    if (deviation) t.fsk_deviation_hz = static_cast<std::uint32_t>(*deviation);
    UCHET_TRY(t.invert_polarity, jf::required(jf::read_bool(o, "invert_polarity"), "invert_polarity"));
    std::optional<std::uint64_t> preamble;
    UCHET_TRY(preamble,
              nullable(o, "preamble_symbols", [&] { return jf::read_unsigned(o, "preamble_symbols", UINT16_MAX); }));
    if (preamble) t.preamble_symbols = static_cast<std::uint16_t>(*preamble);
    UCHET_TRY(t.disable_crc, jf::required(jf::read_bool(o, "disable_crc"), "disable_crc"));
    std::string_view payload, dev_eui;
    UCHET_TRY(payload, jf::required(jf::read_string(o, "phy_payload"), "phy_payload"));
    UCHET_TRY(t.phy_payload, lorawan::parse_hex(payload));
    if (t.phy_payload.empty() || t.phy_payload.size() > kMaxPhyPayloadSize)
      return std::unexpected("phy_payload must be 1.." + std::to_string(kMaxPhyPayloadSize) + " bytes");
    UCHET_TRY(dev_eui, jf::required(jf::read_string(o, "dev_eui"), "dev_eui"));
    UCHET_TRY(t.dev_eui, lorawan::parse_eui64(dev_eui, "dev_eui"));
    return t;
  };
  auto t = fields();
  if (!t) return std::unexpected("relayed transmission: " + t.error());
  return t;
}

}  // namespace uchet::gateway_bridge::cluster_relay
