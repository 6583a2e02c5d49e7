#include "tools/sim/station_protocol.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "netserver/lorawan/encoding.h"

namespace uchet::sim::station {
namespace {

using nlohmann::json;

constexpr std::uint64_t kCounterMask = (std::uint64_t{1} << 48) - 1;

// The region names Basics Station 2.0.6 recognises (s2e.c handle_router_config), with the
// obsolete aliases it maps onto them. Any other name leaves the station without a region.
constexpr std::string_view kKnownRegions[] = {"EU863",   "EU868", "IL915", "KR920", "AS923JP",
                                              "AS923-1", "US902", "US915", "AU915"};

// The station's transmit power for a region before max_eirp (s2e.c: txpow per region; 14 dBm
// for an unknown one).
double region_tx_power(std::string_view region) {
  if (region == "EU863" || region == "EU868") return 16;
  if (region == "IL915") return 14;
  if (region == "KR920") return 23;
  if (region == "AS923JP" || region == "AS923-1") return 13;
  if (region == "US902" || region == "US915") return 26;
  if (region == "AU915") return 30;
  return 14;
}

Result<json> parse_json_object(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::unexpected("not JSON");
  if (!j.is_object()) return std::unexpected("not a JSON object");
  return j;
}

Result<std::int64_t> integer(const json& j, std::string_view key) {
  if (!j.is_number_integer()) return std::unexpected(fmt::format("{} must be an integer", key));
  if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    return std::unexpected(fmt::format("{} out of range", key));
  return j.get<std::int64_t>();
}

Result<std::int64_t> integer_in(const json& j, std::string_view key, std::int64_t min, std::int64_t max) {
  auto v = integer(j, key);
  if (v && (*v < min || *v > max)) return std::unexpected(fmt::format("{} not in [{}..{}]: {}", key, min, max, *v));
  return v;
}

Result<double> number(const json& j, std::string_view key) {
  if (!j.is_number()) return std::unexpected(fmt::format("{} must be a number", key));
  return j.get<double>();
}

Result<std::string> string(const json& j, std::string_view key) {
  if (!j.is_string()) return std::unexpected(fmt::format("{} must be a string", key));
  return j.get<std::string>();
}

// uj.c uj_eui: an integer, or hex digit pairs each optionally followed by '-'.
Result<Eui64> eui(const json& j, std::string_view key) {
  if (j.is_number_integer()) return static_cast<Eui64>(j.get<std::int64_t>());
  if (!j.is_string()) return std::unexpected(fmt::format("{} must be an EUI string", key));
  const auto text = j.get<std::string>();
  Eui64 value = 0;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    if (i + 1 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 1])))
      return std::unexpected(fmt::format("{} contains illegal hex characters: {}", key, text));
    value = (value << 8) | std::stoul(text.substr(i, 2), nullptr, 16);
    if (i + 2 < text.size() && text[i + 2] == '-') ++i;
  }
  return value;
}

std::uint32_t read_le(ByteView bytes, std::size_t offset, std::size_t size) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < size; ++i) v |= std::uint32_t{bytes[offset + i]} << (8 * i);
  return v;
}

std::uint64_t read_le64(ByteView bytes, std::size_t offset) {
  return std::uint64_t{read_le(bytes, offset, 4)} | (std::uint64_t{read_le(bytes, offset + 4, 4)} << 32);
}

// `"key":<value>` pairs in the station's order; nlohmann sorts object keys, a station does not,
// so uplinks are written by hand from already-encoded values (numbers and JSON strings only).
class Object {
 public:
  Object& add(std::string_view key, const json& value) {
    text_ += text_.empty() ? "{" : ",";
    text_ += json(key).dump();
    text_ += ':';
    text_ += value.dump();
    return *this;
  }
  // A time in seconds as the station writes it (uj_encTime: "%.6f").
  Object& add_time(std::string_view key, double seconds) {
    text_ += text_.empty() ? "{" : ",";
    text_ += json(key).dump();
    text_ += fmt::format(":{:.6f}", seconds);
    return *this;
  }
  Object& add_raw(std::string_view key, std::string_view encoded) {
    text_ += text_.empty() ? "{" : ",";
    text_ += json(key).dump();
    text_ += ':';
    text_ += encoded;
    return *this;
  }
  std::string close() { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

std::string upper_hex(ByteView bytes) {
  std::string out;
  for (auto b : bytes) out += fmt::format("{:02X}", b);
  return out;
}

Result<WindowParameters> window(const json& message, const char* dr_key, const char* freq_key,
                                const RouterConfig& config) {
  WindowParameters w;
  std::int64_t dr = 0, freq = 0;
  if (auto v = integer(message[dr_key], dr_key); v)
    dr = *v;
  else
    return std::unexpected(v.error());
  if (dr < 0 || dr >= 16 || !config.data_rates[static_cast<std::size_t>(dr)].defined())
    return std::unexpected(fmt::format("Illegal datarate value: {} for region {}", dr, config.region));
  if (auto v = integer(message[freq_key], freq_key); v)
    freq = *v;
  else
    return std::unexpected(v.error());
  if (freq < config.min_frequency_hz || freq > config.max_frequency_hz)
    return std::unexpected(fmt::format("Illegal frequency value: {} - not in range {}..{}", freq,
                                       config.min_frequency_hz, config.max_frequency_hz));
  w.data_rate = static_cast<std::uint8_t>(dr);
  w.frequency_hz = static_cast<std::uint32_t>(freq);
  return w;
}

}  // namespace

std::string eui_text(Eui64 eui) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    if (!out.empty()) out += '-';
    out += fmt::format("{:02X}", static_cast<unsigned>((eui >> shift) & 0xFF));
  }
  return out;
}

std::string id6_text(Eui64 eui) {
  const unsigned g[4] = {static_cast<unsigned>((eui >> 48) & 0xFFFF), static_cast<unsigned>((eui >> 32) & 0xFFFF),
                         static_cast<unsigned>((eui >> 16) & 0xFFFF), static_cast<unsigned>(eui & 0xFFFF)};
  // uj.c encId6: one run of zero groups collapses to "::" in these four shapes only.
  if (!g[0] && !g[1]) return g[2] ? fmt::format("::{:x}:{:x}", g[2], g[3]) : fmt::format("::{:x}", g[3]);
  if (!g[2] && !g[3]) return g[1] ? fmt::format("{:x}:{:x}::", g[0], g[1]) : fmt::format("{:x}::", g[0]);
  if (!g[1] && !g[2]) return fmt::format("{:x}::{:x}", g[0], g[3]);
  return fmt::format("{:x}:{:x}:{:x}:{:x}", g[0], g[1], g[2], g[3]);
}

std::int64_t make_xtime(std::uint8_t radio_unit, std::uint8_t session, std::uint64_t counter_us) {
  return static_cast<std::int64_t>((std::uint64_t{radio_unit} << 56) | (std::uint64_t{session} << 48) |
                                   (counter_us & kCounterMask));
}
std::uint8_t xtime_radio_unit(std::int64_t xtime) { return static_cast<std::uint8_t>(xtime >> 56); }
std::uint8_t xtime_session(std::int64_t xtime) { return static_cast<std::uint8_t>(xtime >> 48); }
std::uint64_t xtime_counter_us(std::int64_t xtime) { return static_cast<std::uint64_t>(xtime) & kCounterMask; }

std::string build_router_info_request(Eui64 router) { return Object().add("router", id6_text(router)).close(); }

std::string build_version(const StationVersion& v) {
  return Object()
      .add("msgtype", "version")
      .add("station", v.station)
      .add("firmware", v.firmware)
      .add("package", v.package)
      .add("model", v.model)
      .add("protocol", v.protocol)
      .add("features", v.features)
      .close();
}

Result<std::string> build_uplink(ByteView frame, const UplinkReception& r) {
  // lora.c: MHDR_FTYPE 0xE0, MHDR_RFU|MHDR_MAJOR 0x1F must equal MAJOR_V1 (0).
  if (frame.empty()) return std::unexpected("empty frame");
  const std::uint8_t mhdr = frame[0];
  const int ftype = mhdr >> 5;
  constexpr int kJoinRequest = 0, kJoinAccept = 1, kUnconfirmedUp = 2, kConfirmedUp = 4, kRejoin = 6, kProprietary = 7;
  if ((frame.size() < 12 && ftype != kProprietary) || (mhdr & 0x1F) != 0) return std::unexpected("not a LoRaWAN frame");
  Object o;
  if (ftype == kProprietary || ftype == kJoinAccept) {
    o.add("msgtype", ftype == kProprietary ? "propdf" : "jacc").add("FRMPayload", upper_hex(frame));
  } else if (ftype == kJoinRequest || ftype == kRejoin) {
    if (frame.size() != 23) return std::unexpected("a join-request must be 23 bytes");
    o.add("msgtype", ftype == kJoinRequest ? "jreq" : "rejoin")
        .add("MHdr", mhdr)
        .add("JoinEui", eui_text(read_le64(frame, 1)))
        .add("DevEui", eui_text(read_le64(frame, 9)))
        .add("DevNonce", read_le(frame, 17, 2))
        .add("MIC", static_cast<std::int32_t>(read_le(frame, 19, 4)));
  } else {
    const std::size_t fopts_len = frame[5] & 0x0F;
    const std::size_t port_offset = 8 + fopts_len;
    const std::size_t len = frame.size();
    if (port_offset > len - 4) return std::unexpected("FOpts longer than the frame");
    const bool has_port = port_offset != len - 4;
    o.add("msgtype", ftype == kUnconfirmedUp || ftype == kConfirmedUp ? "updf" : "dndf")
        .add("MHdr", mhdr)
        .add("DevAddr", static_cast<std::int32_t>(read_le(frame, 1, 4)))
        .add("FCtrl", frame[5])
        .add("FCnt", read_le(frame, 6, 2))
        .add("FOpts", upper_hex(frame.subspan(8, fopts_len)))
        .add("FPort", has_port ? int{frame[port_offset]} : -1)
        .add("FRMPayload", has_port ? upper_hex(frame.subspan(port_offset + 1, len - 5 - port_offset)) : "")
        .add("MIC", static_cast<std::int32_t>(read_le(frame, len - 4, 4)));
  }
  const std::string upinfo = Object()
                                 .add("rctx", r.rctx)
                                 .add("xtime", r.xtime)
                                 .add("gpstime", r.gpstime)
                                 .add("fts", r.fts)
                                 .add("rssi", r.rssi_dbm)
                                 .add("snr", r.snr_db)
                                 .add_time("rxtime", r.rxtime)
                                 .close();
  return o.add_time("RefTime", r.ref_time)
      .add("DR", r.data_rate)
      .add("Freq", r.frequency_hz)
      .add_raw("upinfo", upinfo)
      .close();
}

std::string build_dntxed(const Dntxed& c) {
  return Object()
      .add("msgtype", "dntxed")
      .add("seqno", c.diid)
      .add("diid", c.diid)
      .add("DR", c.data_rate)
      .add("Freq", c.frequency_hz)
      .add("DevEui", eui_text(c.dev_eui))
      .add("rctx", c.rctx)
      .add("xtime", c.xtime)
      .add_time("txtime", c.txtime)
      .add("gpstime", c.gpstime)
      .close();
}

std::string build_timesync_request(std::int64_t txtime_us) {
  return Object().add("msgtype", "timesync").add("txtime", txtime_us).close();
}

Result<std::string> message_type(std::string_view text) {
  auto j = parse_json_object(text);
  if (!j) return std::unexpected(j.error());
  if (!j->contains("msgtype")) return std::unexpected("no msgtype");
  return string((*j)["msgtype"], "msgtype");
}

Result<RouterInfo> parse_router_info(std::string_view text) {
  auto j = parse_json_object(text);
  if (!j) return std::unexpected(j.error());
  RouterInfo info;
  for (const auto& [key, value] : j->items()) {
    if (key != "router" && key != "muxs" && key != "uri" && key != "error") continue;
    std::string s;
    if (value.is_string())
      s = value.get<std::string>();
    else if (key == "router" && value.is_number_integer())
      s = std::to_string(value.get<std::int64_t>());
    else
      return std::unexpected(fmt::format("{} must be a string", key));
    if (key == "router") info.router = s;
    if (key == "muxs") info.muxs = s;
    if (key == "uri") info.uri = s;
    if (key == "error") info.error = s;
  }
  if (!info.error.empty()) return info;
  if (info.uri.empty()) return std::unexpected("router-info answer without uri or error");
  // tc.c: ws:// or wss://, and uri_parse must find an explicit port and a path.
  const std::string_view uri = info.uri;
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos || (uri.substr(0, scheme_end) != "ws" && uri.substr(0, scheme_end) != "wss"))
    return std::unexpected("Muxs URI must be ws://.. or wss://..: " + info.uri);
  const auto authority = uri.substr(scheme_end + 3);
  const auto path_at = authority.find('/');
  const auto host_port = authority.substr(0, path_at);
  const auto colon = host_port.rfind(':');
  const bool has_port = colon != std::string_view::npos && colon + 1 < host_port.size() &&
                        host_port.find(']', colon) == std::string_view::npos &&
                        std::all_of(host_port.begin() + colon + 1, host_port.end(),
                                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (path_at == std::string_view::npos || !has_port || colon == 0)
    return std::unexpected("Illegal muxs URI (no port/path etc.): " + info.uri);
  return info;
}

Result<RouterConfig> parse_router_config(std::string_view text) {
  auto parsed = parse_json_object(text);
  if (!parsed) return std::unexpected(parsed.error());
  const json& j = *parsed;
  RouterConfig c;
  bool concentrator = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "freq_range") {
      if (!value.is_array() || value.size() < 2) return std::unexpected("freq_range must be [min, max]");
      auto lo = integer_in(value[0], "freq_range", 0, UINT32_MAX);
      auto hi = integer_in(value[1], "freq_range", 0, UINT32_MAX);
      if (!lo) return std::unexpected(lo.error());
      if (!hi) return std::unexpected(hi.error());
      c.min_frequency_hz = static_cast<std::uint32_t>(*lo);
      c.max_frequency_hz = static_cast<std::uint32_t>(*hi);
    } else if (key == "DRs") {
      if (!value.is_array()) return std::unexpected("DRs must be an array");
      std::size_t dr = 0;
      for (const auto& entry : value) {
        if (!entry.is_array() || entry.size() < 3) return std::unexpected("a DRs entry must be [sf, bw, dnonly]");
        auto sf = integer(entry[0], "DRs sf");
        auto bw = integer(entry[1], "DRs bw");
        auto dnonly = integer(entry[2], "DRs dnonly");
        if (!sf || !bw || !dnonly) return std::unexpected("DRs entries must be integers");
        // s2e.c keeps writing the last slot once 16 are filled.
        c.data_rates[dr] = {static_cast<int>(*sf < 0 ? -1 : *sf), static_cast<int>(*bw), *dnonly != 0};
        dr = std::min<std::size_t>(15, dr + 1);
      }
    } else if (key == "NetID") {
      if (value.is_null()) continue;
      if (!value.is_array()) return std::unexpected("NetID must be an array or null");
      c.net_ids.emplace();
      for (const auto& id : value) {
        auto v = integer_in(id, "NetID", 0, UINT32_MAX);
        if (!v) return std::unexpected(v.error());
        c.net_ids->push_back(static_cast<std::uint32_t>(*v));
      }
    } else if (key == "JoinEui" || key == "JoinEUI") {
      if (value.is_null()) continue;
      if (!value.is_array()) return std::unexpected("JoinEui must be an array of ranges or null");
      for (const auto& range : value) {
        if (!range.is_array() || range.size() < 2) return std::unexpected("a JoinEui range must be [lo, hi]");
        auto lo = integer(range[0], "JoinEui");
        auto hi = integer(range[1], "JoinEui");
        if (!lo || !hi) return std::unexpected("JoinEui ranges must be integers");
        c.join_eui_ranges.emplace_back(static_cast<Eui64>(*lo), static_cast<Eui64>(*hi));
      }
    } else if (key == "region") {
      auto v = string(value, "region");
      if (!v) return std::unexpected(v.error());
      c.region = *v;
    } else if (key == "max_eirp") {
      auto v = number(value, "max_eirp");
      if (!v) return std::unexpected(v.error());
      c.max_eirp = *v;
    } else if (key == "MuxTime") {
      auto v = number(value, "MuxTime");
      if (!v) return std::unexpected(v.error());
      c.mux_time = *v;
    } else if (key == "hwspec") {
      auto v = string(value, "hwspec");
      if (!v) return std::unexpected(v.error());
      c.hwspec = *v;
    } else if (key == "sx1301_conf" || key == "SX1301_conf" || key == "sx1302_conf" || key == "SX1302_conf" ||
               key == "radio_conf") {
      concentrator = true;
    }
  }
  if (c.hwspec.empty()) return std::unexpected("No 'hwspec' in 'router_config' message");
  if (!concentrator) return std::unexpected("No 'sx1301_conf' or 'sx1302_conf' in 'router_config' message");
  c.region_known = std::ranges::find(kKnownRegions, std::string_view(c.region)) != std::end(kKnownRegions);
  c.region_duty_cycle = c.region == "EU868" || c.region == "EU863";
  c.tx_power_dbm = region_tx_power(c.region);
  // s2e.c: without a region max_eirp is taken as it is; with one it may only lower the power.
  if (c.max_eirp && (!c.region_known || *c.max_eirp < c.tx_power_dbm)) c.tx_power_dbm = *c.max_eirp;
  return c;
}

Result<Dnmsg> parse_dnmsg(std::string_view text, const RouterConfig& config) {
  // s2e.c s2e_onMsg: with region 0 (unknown) every dnmsg is dropped with this misleading line.
  if (!config.region_known) return std::unexpected("Received 'dnmsg' before 'router_config' - dropped");
  auto parsed = parse_json_object(text);
  if (!parsed) return std::unexpected(parsed.error());
  const json& j = *parsed;
  Dnmsg m;
  bool dev_eui = false, dc = false, diid = false, pdu = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "DevEui" || key == "DevEUI") {
      auto v = eui(value, key);
      if (!v) return std::unexpected(v.error());
      m.dev_eui = *v;
      dev_eui = true;
    } else if (key == "dC") {
      auto v = integer_in(value, key, 0, 2);
      if (!v) return std::unexpected(v.error());
      m.device_class = static_cast<int>(*v);
      dc = true;
    } else if (key == "diid" || key == "seqno") {
      auto v = integer(value, key);
      if (!v) return std::unexpected(v.error());
      m.diid = *v;
      diid = true;
    } else if (key == "pdu") {
      auto v = string(value, key);
      if (!v) return std::unexpected(v.error());
      if (v->size() / 2 > 255) return std::unexpected("TX pdu too large. Maximum is 255 bytes.");
      auto bytes = lorawan::parse_hex(*v);
      if (!bytes) return std::unexpected("pdu: " + bytes.error());
      m.pdu = std::move(*bytes);
      pdu = true;
    } else if (key == "RxDelay") {
      auto v = integer_in(value, key, 0, 15);
      if (!v) return std::unexpected(v.error());
      m.rx_delay_s = std::max<int>(1, static_cast<int>(*v));
      m.rx_delay_given = true;
    } else if (key == "priority") {
      auto v = integer_in(value, key, 0, 255);
      if (!v) return std::unexpected(v.error());
      m.priority = static_cast<int>(*v);
    } else if (key == "xtime") {
      auto v = integer(value, key);
      if (!v) return std::unexpected(v.error());
      m.xtime = *v;
    } else if (key == "rctx") {
      auto v = integer(value, key);
      if (!v) return std::unexpected(v.error());
      m.rctx = *v;
    } else if (key == "gpstime") {
      auto v = integer_in(value, key, 0, INT64_MAX);
      if (!v) return std::unexpected(v.error());
      m.gpstime = *v;
    } else if (key == "MuxTime") {
      auto v = number(value, key);
      if (!v) return std::unexpected(v.error());
      m.mux_time = *v;
    }
  }
  const bool absolute = j.contains("DR");
  const bool rx1_dr = absolute || j.contains("RX1DR");
  const bool rx1_freq = j.contains("Freq") || j.contains("RX1Freq");
  const bool rx2_dr = j.contains("RX2DR"), rx2_freq = j.contains("RX2Freq");
  if (!dev_eui || !dc || !diid || !pdu)
    return std::unexpected(fmt::format("Some mandatory fields are missing:{}{}{}{}", dev_eui ? "" : " DevEui",
                                       dc ? "" : " dC", diid ? "" : " diid", pdu ? "" : " pdu"));
  if (rx1_dr != rx1_freq) return std::unexpected("Some mandatory fields are missing: RX1DR and RX1Freq go together");
  if (rx2_dr != rx2_freq) return std::unexpected("Some mandatory fields are missing: RX2DR and RX2Freq go together");
  if (absolute) {
    // The DR field implies RxDelay 0: the frame goes out at xtime itself.
    m.absolute = true;
    m.rx_delay_s = 0;
    m.rx_delay_given = true;
  }
  if (rx1_dr) {
    auto w = window(j, absolute ? "DR" : "RX1DR", j.contains("Freq") ? "Freq" : "RX1Freq", config);
    if (!w) return std::unexpected(w.error());
    m.rx1 = *w;
  }
  if (rx2_dr) {
    auto w = window(j, "RX2DR", "RX2Freq", config);
    if (!w) return std::unexpected(w.error());
    m.rx2 = *w;
  }
  if (!m.rx1 && !m.rx2) return std::unexpected("Ignoring 'dnmsg' with neither RX1/RX2 frequencies");
  if (m.device_class == 1 && m.gpstime == 0) return std::unexpected("class B dnmsg without gpstime");
  return m;
}

std::optional<std::int64_t> rx1_transmit_xtime(const Dnmsg& m) {
  if (m.xtime == 0) return std::nullopt;
  return m.xtime + std::int64_t{m.rx_delay_s} * 1'000'000;
}

std::optional<std::int64_t> rx2_transmit_xtime(const Dnmsg& m) {
  auto rx1 = rx1_transmit_xtime(m);
  if (!rx1) return std::nullopt;
  return *rx1 + 1'000'000;
}

Result<TimesyncAnswer> parse_timesync(std::string_view text) {
  auto parsed = parse_json_object(text);
  if (!parsed) return std::unexpected(parsed.error());
  const json& j = *parsed;
  TimesyncAnswer a;
  if (j.contains("txtime")) {
    auto v = integer(j["txtime"], "txtime");
    if (!v) return std::unexpected(v.error());
    a.txtime = *v;
  }
  if (j.contains("xtime")) {
    auto v = integer(j["xtime"], "xtime");
    if (!v) return std::unexpected(v.error());
    a.xtime = *v;
  }
  if (!j.contains("gpstime")) return std::unexpected("timesync without gpstime");
  auto v = integer_in(j["gpstime"], "gpstime", 0, INT64_MAX);
  if (!v) return std::unexpected(v.error());
  a.gpstime = *v;
  if (!a.txtime && !a.xtime) return std::unexpected("timesync with neither txtime nor xtime");
  return a;
}

}  // namespace uchet::sim::station
