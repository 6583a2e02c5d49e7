#include "gateway-bridge/basic_station/messages.h"

#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "common/json_fields.h"
#include "common/json_writer.h"
#include "gateway-bridge/basic_station/eui_text.h"
#include "gateway-bridge/radio.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/gps_time.h"

namespace uchet::gateway_bridge::basic_station {
namespace {

namespace jf = common::json_fields;
using jf::json;

// Plausibility limits of what a concentrator reports; values outside are broken or hostile.
constexpr std::int64_t kMinRssiDbm = -200, kMaxRssiDbm = 20;
constexpr double kMinSnrDb = -40.0, kMaxSnrDb = 40.0;
// LoRaWAN MHDR frame types (bits 5..7).
constexpr std::uint8_t kJoinRequest = 0, kUnconfirmedUp = 2, kConfirmedUp = 4, kProprietary = 7;
// A Basics Station DR index is 0..15; the region decides which exist.
constexpr std::int64_t kMaxDr = 15;
constexpr std::int64_t kMaxMicOrDevAddr = 0xFFFF'FFFF;  // also accepted unsigned
constexpr std::int64_t kMinMicOrDevAddr = std::numeric_limits<std::int32_t>::min();

std::uint8_t frame_type(std::uint8_t mhdr) { return static_cast<std::uint8_t>(mhdr >> 5); }

// Station messages are flat objects; only "upinfo" is an object, of scalars. Anything deeper, or
// an array anywhere, is not what a station sends: refusing it keeps hostile shapes out.
lorawan::Result<void> check_shape(const json& value, int depth, std::string_view key) {
  if (value.is_array()) return std::unexpected(fmt::format("{} must not be an array", key));
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return {};
  if (depth == 2) return std::unexpected(fmt::format("{} must not be nested", key));
  for (const auto field : object) {
    if (auto ok = check_shape(field.value, depth + 1, field.key); !ok) return ok;
  }
  return {};
}

lorawan::Result<json> parse_message_object(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return std::unexpected(fmt::format("message of {} bytes exceeds the {}-byte limit", text.size(), max_bytes));
  }
  auto object = jf::parse_object(jf::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  if (!object) return std::unexpected(object.error());
  if (auto shape = check_shape(*object, 0, "message"); !shape) return std::unexpected(shape.error());
  return *object;
}

// A signed 32-bit field (DevAddr, MIC) as its 32 bits; the unsigned spelling is accepted too.
lorawan::Result<std::uint32_t> read_int32_bits(const json& object, const char* key) {
  std::int64_t value = 0;
  UCHET_TRY(value, jf::required(jf::read_integer(object, key, kMinMicOrDevAddr, kMaxMicOrDevAddr), key));
  return static_cast<std::uint32_t>(value);
}

// A 64-bit integer field the station writes signed ("%I": xtime, diid): any int64 or uint64
// spelling, as its 64 bits. Never through a double.
lorawan::Result<std::optional<std::uint64_t>> read_bits64(const json& object, const char* key) {
  const auto value = jf::member(object, key);
  if (!value) return std::nullopt;
  std::uint64_t unsigned_value = 0;
  if (value->get_uint64().get(unsigned_value) == simdjson::SUCCESS) return unsigned_value;
  std::int64_t signed_value = 0;
  if (value->get_int64().get(signed_value) == simdjson::SUCCESS) return static_cast<std::uint64_t>(signed_value);
  return std::unexpected(std::string(key) + " must be a 64-bit integer");
}

lorawan::Result<std::uint8_t> read_byte(const json& object, const char* key) {
  std::uint64_t value = 0;
  UCHET_TRY(value, jf::required(jf::read_unsigned(object, key, 0xFF), key));
  return static_cast<std::uint8_t>(value);
}

// An EUI as the station may write it: an integer or any text form of eui_text.h.
lorawan::Result<lorawan::Eui64> read_eui(const json& object, const char* key) {
  const auto value = jf::member(object, key);
  if (!value) return std::unexpected(std::string("missing ") + key);
  std::uint64_t number = 0;
  if (value->get_uint64().get(number) == simdjson::SUCCESS) return number;
  std::string_view text;
  if (value->get_string().get(text) != simdjson::SUCCESS) {
    return std::unexpected(std::string(key) + " must be an EUI (a string or a non-negative integer)");
  }
  auto eui = parse_eui_text(text);
  if (!eui) return std::unexpected(std::string(key) + ": " + eui.error());
  return *eui;
}

// A hex field of at most `max_bytes` bytes ("" allowed).
lorawan::Result<lorawan::Bytes> read_hex(const json& object, const char* key, std::size_t max_bytes) {
  std::string_view text;
  UCHET_TRY(text, jf::required(jf::read_string(object, key), key));
  if (text.size() > 2 * max_bytes) {
    return std::unexpected(fmt::format("{} of {} hex digits exceeds {} bytes", key, text.size(), max_bytes));
  }
  auto bytes = lorawan::parse_hex(text);
  if (!bytes) return std::unexpected(std::string(key) + ": " + bytes.error());
  return std::move(*bytes);
}

void append_le(lorawan::Bytes& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

// "MHdr", which must be of one of the message's frame types (the station chose the message type
// from it: another one is a forgery or corruption).
lorawan::Result<std::uint8_t> read_mhdr(const json& object, std::string_view message, std::uint8_t type,
                                        std::uint8_t other_type, std::string_view what) {
  std::uint8_t mhdr = 0;
  UCHET_TRY(mhdr, read_byte(object, "MHdr"));
  if (frame_type(mhdr) != type && frame_type(mhdr) != other_type) {
    return std::unexpected(fmt::format("{} with MHdr 0x{:02x}, which is not {}", message, mhdr, what));
  }
  return mhdr;
}

// jreq: MHDR | JoinEUI | DevEUI | DevNonce | MIC, all little-endian on air.
lorawan::Result<lorawan::Bytes> rebuild_join_request(const json& object) {
  std::uint8_t mhdr = 0;
  UCHET_TRY(mhdr, read_mhdr(object, "jreq", kJoinRequest, kJoinRequest, "a Join-request"));
  lorawan::Eui64 join_eui = 0, dev_eui = 0;
  UCHET_TRY(join_eui, read_eui(object, "JoinEui"));
  UCHET_TRY(dev_eui, read_eui(object, "DevEui"));
  std::uint64_t dev_nonce = 0;
  UCHET_TRY(dev_nonce, jf::required(jf::read_unsigned(object, "DevNonce", 0xFFFF), "DevNonce"));
  std::uint32_t mic = 0;
  UCHET_TRY(mic, read_int32_bits(object, "MIC"));
  lorawan::Bytes frame{mhdr};
  append_le(frame, join_eui, 8);
  append_le(frame, dev_eui, 8);
  append_le(frame, dev_nonce, 2);
  append_le(frame, mic, 4);
  return frame;
}

// updf: MHDR | DevAddr | FCtrl | FCnt | FOpts | [FPort | FRMPayload] | MIC.
lorawan::Result<lorawan::Bytes> rebuild_data_frame(const json& object) {
  std::uint8_t mhdr = 0, fctrl = 0;
  UCHET_TRY(mhdr, read_mhdr(object, "updf", kUnconfirmedUp, kConfirmedUp, "an uplink data frame"));
  std::uint32_t dev_addr = 0, mic = 0;
  UCHET_TRY(dev_addr, read_int32_bits(object, "DevAddr"));
  UCHET_TRY(fctrl, read_byte(object, "FCtrl"));
  std::uint64_t fcnt = 0;
  UCHET_TRY(fcnt, jf::required(jf::read_unsigned(object, "FCnt", 0xFFFF), "FCnt"));
  lorawan::Bytes fopts, frm_payload;
  UCHET_TRY(fopts, read_hex(object, "FOpts", 15));
  if (fopts.size() != (fctrl & 0x0F)) {
    return std::unexpected(
        fmt::format("FOpts has {} bytes but FCtrl 0x{:02x} says {}", fopts.size(), fctrl, fctrl & 0x0F));
  }
  std::int64_t fport = 0;
  UCHET_TRY(fport, jf::required(jf::read_integer(object, "FPort", -1, 255), "FPort"));
  UCHET_TRY(frm_payload, read_hex(object, "FRMPayload", kMaxPhyPayloadSize));
  if (fport < 0 && !frm_payload.empty()) return std::unexpected("FRMPayload without FPort (FPort is -1)");
  UCHET_TRY(mic, read_int32_bits(object, "MIC"));
  lorawan::Bytes frame{mhdr};
  append_le(frame, dev_addr, 4);
  frame.push_back(fctrl);
  append_le(frame, fcnt, 2);
  frame.insert(frame.end(), fopts.begin(), fopts.end());
  if (fport >= 0) frame.push_back(static_cast<std::uint8_t>(fport));
  frame.insert(frame.end(), frm_payload.begin(), frm_payload.end());
  append_le(frame, mic, 4);
  if (frame.size() > kMaxPhyPayloadSize) {
    return std::unexpected(fmt::format("rebuilt frame of {} bytes exceeds {}", frame.size(), kMaxPhyPayloadSize));
  }
  return frame;
}

// propdf: FRMPayload is the whole PHYPayload.
lorawan::Result<lorawan::Bytes> rebuild_proprietary(const json& object) {
  lorawan::Bytes frame;
  UCHET_TRY(frame, read_hex(object, "FRMPayload", kMaxPhyPayloadSize));
  if (frame.empty()) return std::unexpected("propdf with an empty FRMPayload");
  if (frame_type(frame[0]) != kProprietary) {
    return std::unexpected(fmt::format("propdf with MHDR 0x{:02x}, which is not a proprietary frame", frame[0]));
  }
  return frame;
}

// DR, Freq and upinfo into `message.reception`.
lorawan::Result<void> read_radio(const json& object, const lorawan::Region& region, UplinkMessage& message) {
  Reception& rx = message.reception;
  std::uint64_t dr = 0, freq = 0;
  UCHET_TRY(dr, jf::required(jf::read_unsigned(object, "DR", kMaxDr), "DR"));
  message.dr = static_cast<std::uint8_t>(dr);
  auto rate = region.data_rate(message.dr);
  if (!rate) return std::unexpected("DR: " + rate.error());
  rx.data_rate = to_bridge_rate(*rate);
  const bool lora = std::holds_alternative<LoraRate>(rx.data_rate);
  if (lora) rx.coding_rate = CodingRate::k4_5;  // LoRaWAN uplinks; the station does not report it
  UCHET_TRY(freq, jf::required(jf::read_unsigned(object, "Freq", std::numeric_limits<std::uint32_t>::max()), "Freq"));
  if (auto ok = check_frequency(static_cast<std::uint32_t>(freq)); !ok) return std::unexpected("Freq: " + ok.error());
  rx.frequency_hz = static_cast<std::uint32_t>(freq);

  const auto upinfo = jf::member(object, "upinfo");
  if (!upinfo) return std::unexpected("missing upinfo");
  if (!upinfo->is_object()) return std::unexpected("upinfo must be an object");
  const json& info = *upinfo;
  UCHET_TRY(message.rctx, jf::required(jf::read_integer(info, "rctx", std::numeric_limits<std::int64_t>::min(),
                                                        std::numeric_limits<std::int64_t>::max()),
                                       "upinfo.rctx"));
  UCHET_TRY(message.xtime, jf::required(read_bits64(info, "xtime"), "upinfo.xtime"));
  rx.counter = CounterTime{message.xtime & kXtimeCounterMask, message.xtime};
  std::optional<std::int64_t> gpstime;
  UCHET_TRY(gpstime, jf::read_integer(info, "gpstime", 0, std::numeric_limits<std::int64_t>::max()));
  if (gpstime && *gpstime != 0) rx.gps_time = std::chrono::duration_cast<GpsTime>(std::chrono::microseconds(*gpstime));
  std::int64_t rssi = 0;
  UCHET_TRY(rssi, jf::required(jf::read_integer(info, "rssi", kMinRssiDbm, kMaxRssiDbm), "upinfo.rssi"));
  rx.rssi_dbm = static_cast<int>(rssi);
  std::optional<double> snr;
  UCHET_TRY(snr, jf::read_number(info, "snr"));
  if (snr) {
    if (*snr < kMinSnrDb || *snr > kMaxSnrDb) {
      return std::unexpected(fmt::format("upinfo.snr {} dB is outside {}..{}", *snr, kMinSnrDb, kMaxSnrDb));
    }
    if (lora) rx.snr_db = *snr;
  } else if (lora) {
    return std::unexpected("missing upinfo.snr");
  }
  std::optional<double> rxtime;
  UCHET_TRY(rxtime, jf::read_number(info, "rxtime"));
  // 0 = the station has no UTC time; the bound keeps the conversion to µs far from overflow.
  if (rxtime && *rxtime != 0) {
    if (*rxtime < 0 || *rxtime > 1e11) return std::unexpected("upinfo.rxtime must be UTC seconds");
    rx.utc_time = UtcTime(std::chrono::microseconds(std::llround(*rxtime * 1e6)));
  }
  return {};
}

lorawan::Result<StationMessage> parse_uplink(const json& object, UplinkKind kind, const lorawan::Region& region,
                                             lorawan::Eui64 gateway_eui,
                                             std::chrono::steady_clock::time_point received_at) {
  UplinkMessage message;
  message.kind = kind;
  message.reception.gateway_eui = gateway_eui;
  message.reception.received_at = received_at;
  switch (kind) {
    case UplinkKind::JoinRequest:
      UCHET_TRY(message.reception.phy_payload, rebuild_join_request(object));
      break;
    case UplinkKind::DataFrame:
      UCHET_TRY(message.reception.phy_payload, rebuild_data_frame(object));
      break;
    case UplinkKind::Proprietary:
      UCHET_TRY(message.reception.phy_payload, rebuild_proprietary(object));
      break;
  }
  if (auto radio = read_radio(object, region, message); !radio) return std::unexpected(radio.error());
  return message;
}

// A string field that may be null or absent (firmware and package are null on some platforms).
lorawan::Result<std::string> read_text_or_null(const json& object, const char* key) {
  const auto value = jf::member(object, key);
  if (!value || value->is_null()) return std::string();
  std::optional<std::string_view> text;
  UCHET_TRY(text, jf::read_string(object, key));
  return std::string(*text);
}

lorawan::Result<StationMessage> parse_version(const json& object) {
  VersionMessage message;
  std::string_view station;
  UCHET_TRY(station, jf::required(jf::read_string(object, "station"), "station"));
  message.station = station;
  UCHET_TRY(message.firmware, read_text_or_null(object, "firmware"));
  UCHET_TRY(message.package, read_text_or_null(object, "package"));
  UCHET_TRY(message.model, read_text_or_null(object, "model"));
  UCHET_TRY(message.features, read_text_or_null(object, "features"));
  std::optional<std::int64_t> protocol;
  UCHET_TRY(protocol, jf::read_integer(object, "protocol", 0, 1'000'000));
  message.protocol = static_cast<int>(protocol.value_or(0));
  return message;
}

lorawan::Result<StationMessage> parse_dntxed(const json& object) {
  DntxedMessage message;
  // Older stations call it seqno; 2.0.6 sends both.
  std::optional<std::uint64_t> diid;
  UCHET_TRY(diid, read_bits64(object, "diid"));
  if (!diid) UCHET_TRY(diid, read_bits64(object, "seqno"));
  if (!diid) return std::unexpected("missing diid");
  message.diid = *diid;
  UCHET_TRY(message.dev_eui, read_eui(object, "DevEui"));
  std::optional<std::int64_t> rctx, gpstime;
  UCHET_TRY(rctx, jf::read_integer(object, "rctx", std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max()));
  message.rctx = rctx.value_or(0);
  std::optional<std::uint64_t> xtime;
  UCHET_TRY(xtime, read_bits64(object, "xtime"));
  message.xtime = xtime.value_or(0);
  std::optional<double> txtime;
  UCHET_TRY(txtime, jf::read_number(object, "txtime"));
  message.txtime = txtime.value_or(0);
  UCHET_TRY(gpstime, jf::read_integer(object, "gpstime", 0, std::numeric_limits<std::int64_t>::max()));
  message.gpstime = static_cast<std::uint64_t>(gpstime.value_or(0));
  return message;
}

lorawan::Result<StationMessage> parse_timesync(const json& object) {
  TimesyncRequest request;
  UCHET_TRY(request.txtime, jf::required(jf::read_integer(object, "txtime", std::numeric_limits<std::int64_t>::min(),
                                                          std::numeric_limits<std::int64_t>::max()),
                                         "txtime"));
  return request;
}

double utc_seconds(UtcTime time) { return std::chrono::duration<double>(time.time_since_epoch()).count(); }

}  // namespace

lorawan::Result<lorawan::Eui64> parse_discovery_request(std::string_view text, std::size_t max_bytes) {
  json object;
  UCHET_TRY(object, parse_message_object(text, max_bytes));
  return read_eui(object, "router");
}

std::string traffic_uri(bool tls, std::string_view host, std::uint16_t port, lorawan::Eui64 router) {
  return fmt::format("{}://{}:{}/traffic/{}", tls ? "wss" : "ws", host, port, format_eui_dashed(router));
}

std::string build_discovery_answer(lorawan::Eui64 router, lorawan::Eui64 muxs, std::string_view uri) {
  common::JsonWriter out;
  out.begin_object();
  out.key("router").string(format_eui_id6(router));
  out.key("muxs").string(format_eui_id6(muxs));
  out.key("uri").string(uri);
  out.end_object();
  return out.str();
}

std::string build_discovery_error(lorawan::Eui64 router, std::string_view reason) {
  common::JsonWriter out;
  out.begin_object();
  out.key("router").string(format_eui_id6(router));
  out.key("error").string(reason);
  out.end_object();
  return out.str();
}

lorawan::Result<StationMessage> parse_station_message(std::string_view text, const lorawan::Region& region,
                                                      lorawan::Eui64 gateway_eui,
                                                      std::chrono::steady_clock::time_point received_at,
                                                      std::size_t max_bytes) {
  json object;
  UCHET_TRY(object, parse_message_object(text, max_bytes));
  std::string_view type;
  UCHET_TRY(type, jf::required(jf::read_string(object, "msgtype"), "msgtype"));
  if (type == "updf") return parse_uplink(object, UplinkKind::DataFrame, region, gateway_eui, received_at);
  if (type == "jreq") return parse_uplink(object, UplinkKind::JoinRequest, region, gateway_eui, received_at);
  if (type == "propdf") return parse_uplink(object, UplinkKind::Proprietary, region, gateway_eui, received_at);
  if (type == "dntxed") return parse_dntxed(object);
  if (type == "timesync") return parse_timesync(object);
  if (type == "version") return parse_version(object);
  // The name is the sender's text: bounded so that a log line quoting it stays short.
  constexpr std::size_t kMaxQuoted = 40;
  return std::unexpected("unknown message type " + std::string(type.substr(0, kMaxQuoted)));
}

lorawan::Result<std::string> build_dnmsg(const Transmission& transmission, const lorawan::Region& region,
                                         const DownlinkAddressing& addressing, UtcTime now) {
  if (transmission.phy_payload.empty() || transmission.phy_payload.size() > kMaxPhyPayloadSize) {
    return std::unexpected(
        fmt::format("payload of {} bytes is not 1..{}", transmission.phy_payload.size(), kMaxPhyPayloadSize));
  }
  auto dr = region.data_rate_index(to_lorawan_rate(transmission.data_rate));
  if (!dr) return std::unexpected(dr.error());
  if (auto ok = check_frequency(transmission.frequency_hz); !ok) return std::unexpected(ok.error());
  if (addressing.diid > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::unexpected("diid must be below 2^63");
  }
  if (std::holds_alternative<GpsTime>(transmission.timing)) {
    return std::unexpected("GPS-timed (class B) downlinks are not supported over Basics Station");
  }

  common::JsonWriter out;
  out.begin_object();
  out.key("msgtype").string("dnmsg");
  // A zero DevEui would get no dntxed (s2e.c send_dntxed): a sent frame would count as lost.
  constexpr lorawan::Eui64 kConfirmableDevEui = 0x0101'0101'0101'0101;
  out.key("DevEui").string(format_eui_dashed(addressing.dev_eui != 0 ? addressing.dev_eui : kConfirmableDevEui));
  out.key("diid").number(static_cast<std::int64_t>(addressing.diid));
  out.key("pdu").string(lorawan::to_hex(transmission.phy_payload));
  out.key("priority").number(addressing.priority);
  if (std::holds_alternative<Immediately>(transmission.timing)) {
    // Class C: the station sends in "RX2" as soon as it can ("class C spontaneous dn: no RX1").
    out.key("dC").number(2);
    // Not used without xtime, but a 2.0.6 station logs "RxDelay mapped to 1 as it was not
    // present!" at WARNING for every dnmsg without it (s2e.c handle_dnmsg; seen against a real
    // station). 0 is what the station's own class C test sends (regr-tests/test3b-dnC).
    out.key("RxDelay").number(0);
    out.key("RX2DR").number(*dr);
    out.key("RX2Freq").number(transmission.frequency_hz);
  } else {
    const auto& at = std::get<CounterTime>(transmission.timing);
    const std::uint64_t heard = at.context & kXtimeCounterMask;
    const std::uint64_t delay_us = at.counter_us - heard;  // meaningful only when counter_us >= heard
    constexpr std::uint64_t kSecond = 1'000'000;
    out.key("dC").number(0);
    if (at.counter_us > heard && delay_us % kSecond == 0 && delay_us / kSecond <= 15) {
      // Class A: the uplink's xtime echoed, the station adds RxDelay seconds itself.
      out.key("xtime").number(static_cast<std::int64_t>(at.context));
      out.key("RxDelay").number(delay_us / kSecond);
      out.key("RX1DR").number(*dr);
      out.key("RX1Freq").number(transmission.frequency_hz);
    } else {
      // The moment itself on the same radio's counter; "DR" makes RxDelay 0 (s2e.c handle_dnmsg).
      const std::uint64_t xtime = (at.context & ~kXtimeCounterMask) | (at.counter_us & kXtimeCounterMask);
      out.key("xtime").number(static_cast<std::int64_t>(xtime));
      out.key("DR").number(*dr);
      out.key("Freq").number(transmission.frequency_hz);
    }
  }
  if (addressing.rctx) out.key("rctx").number(*addressing.rctx);
  out.key("MuxTime").number(utc_seconds(now));
  out.end_object();
  return out.str();
}

std::string build_timesync_answer(const TimesyncRequest& request, UtcTime now) {
  const auto gps = lorawan::gps_time_from_utc(lorawan::UtcTime(now.time_since_epoch()));
  common::JsonWriter out;
  out.begin_object();
  out.key("msgtype").string("timesync");
  out.key("txtime").number(request.txtime);
  out.key("gpstime").number(std::chrono::duration_cast<std::chrono::microseconds>(gps).count());
  out.end_object();
  return out.str();
}

}  // namespace uchet::gateway_bridge::basic_station
