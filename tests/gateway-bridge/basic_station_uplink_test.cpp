// What a Basics Station sends on its traffic socket: uplinks whose PHYPayload is rebuilt from
// fields exactly (every uplink vector of tests/data/lorawan/lorawan-vectors.json, written as
// station 2.0.6's lora.c writes it), upinfo mapped to the Reception with xtime kept to the bit,
// version, dntxed and timesync; and every hostile or malformed message refused with a reason.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gateway-bridge/basic_station/eui_text.h"
#include "gateway-bridge/basic_station/messages.h"
#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/region.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::basic_station;
namespace lorawan = uchet::lorawan;

namespace {

constexpr lorawan::Eui64 kGateway = 0xb827ebfffee1e39a;
const auto kReceivedAt = std::chrono::steady_clock::time_point(std::chrono::seconds(1000));
// An xtime above 2^53 whose low bits a double would lose: radio unit 1, session 0x23.
constexpr std::uint64_t kXtime = 0x0123'0000'1234'5679ull;

lorawan::Region ru864() { return lorawan::region_by_name("RU864").value(); }

const std::string kUpinfo = fmt::format(
    R"("upinfo":{{"rctx":1,"xtime":{},"gpstime":1450000000123456,"fts":-1,"rssi":-57,"snr":9.25,"rxtime":1764800000.5}})",
    kXtime);

lorawan::Result<StationMessage> parse(const std::string& text, std::size_t max_bytes = kDefaultMaxMessageBytes) {
  return parse_station_message(text, ru864(), kGateway, kReceivedAt, max_bytes);
}

std::string reason(const std::string& text, std::size_t max_bytes = kDefaultMaxMessageBytes) {
  auto parsed = parse(text, max_bytes);
  REQUIRE_FALSE(parsed);
  return parsed.error();
}

UplinkMessage uplink(const std::string& text) {
  auto parsed = parse(text);
  INFO(text);
  REQUIRE(parsed);
  REQUIRE(std::holds_alternative<UplinkMessage>(*parsed));
  return std::get<UplinkMessage>(std::move(*parsed));
}

std::uint64_t le(const lorawan::Bytes& f, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{f[at + i]} << (8 * i);
  return v;
}

// A frame's fields as station 2.0.6 writes them (lora.c s2e_parse_lora_frame): DevAddr and MIC
// as signed 32-bit, EUIs dashed, FPort -1 when absent.
std::string station_fields(const lorawan::Bytes& f) {
  const int type = f[0] >> 5;
  const auto mic = static_cast<std::int32_t>(static_cast<std::uint32_t>(le(f, f.size() - 4, 4)));
  if (type == 0) {
    return fmt::format(R"("msgtype":"jreq","MHdr":{},"JoinEui":"{}","DevEui":"{}","DevNonce":{},"MIC":{})", f[0],
                       format_eui_dashed(le(f, 1, 8)), format_eui_dashed(le(f, 9, 8)), le(f, 17, 2), mic);
  }
  const std::size_t fopts_len = f[5] & 0x0F, port_at = 8 + fopts_len;
  const bool has_port = port_at < f.size() - 4;
  const lorawan::Bytes fopts(f.begin() + 8, f.begin() + static_cast<long>(port_at));
  const lorawan::Bytes payload = has_port ? lorawan::Bytes(f.begin() + static_cast<long>(port_at) + 1, f.end() - 4)
                                          : lorawan::Bytes{};
  return fmt::format(
      R"("msgtype":"updf","MHdr":{},"DevAddr":{},"FCtrl":{},"FCnt":{},"FOpts":"{}","FPort":{},"FRMPayload":"{}","MIC":{})",
      f[0], static_cast<std::int32_t>(static_cast<std::uint32_t>(le(f, 1, 4))), f[5], le(f, 6, 2),
      lorawan::to_hex(fopts), has_port ? int{f[port_at]} : -1, lorawan::to_hex(payload), mic);
}

std::string station_message(const lorawan::Bytes& frame, int dr = 5, std::uint32_t freq = 868900000) {
  return fmt::format(R"({{{},"RefTime":0.0,"DR":{},"Freq":{},{}}})", station_fields(frame), dr, freq, kUpinfo);
}

nlohmann::json vectors() {
  std::ifstream in(std::string(UCHET_TEST_DATA) + "/lorawan/lorawan-vectors.json");
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

const std::string kUpdf =
    R"({"msgtype":"updf","MHdr":64,"DevAddr":-935893860,"FCtrl":226,"FCnt":0,"FOpts":"020d","FPort":1,)"
    R"("FRMPayload":"","MIC":955176754,"RefTime":0.0,"DR":5,"Freq":868900000,)" +
    kUpinfo + "}";

// kUpdf with `member`'s value text replaced.
std::string updf_with(std::string_view member, std::string_view value) {
  std::string text = kUpdf;
  const std::string key = fmt::format("\"{}\":", member);
  auto start = text.find(key);
  REQUIRE(start != std::string::npos);
  auto end = start + key.size();
  if (text[end] == '"') {
    end = text.find('"', end + 1) + 1;
  } else {
    while (text[end] != ',' && text[end] != '}') ++end;
  }
  return text.replace(start + key.size(), end - start - key.size(), value);
}

std::string updf_without(std::string_view member) {
  std::string text = kUpdf;
  const std::string key = fmt::format("\"{}\":", member);
  auto start = text.find(key);
  REQUIRE(start != std::string::npos);
  auto end = start + key.size();
  if (text[end] == '"') {
    end = text.find('"', end + 1) + 1;
  } else {
    while (text[end] != ',' && text[end] != '}') ++end;
  }
  if (text[end] == ',') ++end;
  return text.erase(start, end - start);
}

}  // namespace

TEST_CASE("a station updf: the exact frame, negative DevAddr and MIC, FOpts, and upinfo") {
  const auto up = uplink(kUpdf);
  // lorawan-vectors.json data_frames[0]: Unconfirmed Data Up, FOpts 020d, FPort 1, no FRMPayload.
  CHECK(lorawan::to_hex(up.reception.phy_payload) == "409c6437c8e20000020d0132d7ee38");
  CHECK(up.kind == UplinkKind::DataFrame);
  CHECK(up.reception.gateway_eui == kGateway);
  CHECK(up.reception.received_at == kReceivedAt);
  CHECK(up.xtime == kXtime);
  CHECK(up.rctx == 1);
  CHECK(up.dr == 5);
  // The counter contract: the 48-bit µs part, the whole xtime as context.
  CHECK(up.reception.counter.counter_us == 0x0000'1234'5679ull);
  CHECK(up.reception.counter.context == kXtime);
  CHECK(up.reception.frequency_hz == 868900000);
  CHECK(up.reception.data_rate == DataRate{LoraRate{7, 125}});
  CHECK(up.reception.coding_rate == CodingRate::k4_5);
  CHECK(up.reception.rssi_dbm == -57);
  CHECK(up.reception.snr_db == 9.25);
  CHECK(up.reception.gps_time == GpsTime(1450000000123));
  CHECK(up.reception.utc_time == UtcTime(std::chrono::microseconds(1764800000500000)));
}

TEST_CASE("xtime above 2^53 is kept to the bit") {
  // 2^53 + 1 and the largest xtime a station can send: a double would round both.
  for (const std::uint64_t xtime : {(1ull << 53) + 1, 0x7FFF'FFFF'FFFF'FFFFull, 0x00FF'FFFF'FFFF'FFFFull}) {
    const auto up = uplink(updf_with("xtime", std::to_string(xtime)));
    CHECK(up.xtime == xtime);
    CHECK(up.reception.counter.context == xtime);
    CHECK(up.reception.counter.counter_us == (xtime & 0xFFFF'FFFF'FFFFull));
  }
  // Written signed by a station whose top bit is set: the same 64 bits.
  CHECK(uplink(updf_with("xtime", "-1")).xtime == 0xFFFF'FFFF'FFFF'FFFFull);
}

TEST_CASE("every uplink vector is rebuilt byte for byte from the station's fields") {
  int count = 0;
  const auto all = vectors();
  for (const auto& v : all["data_frames"]) {
    const auto frame = lorawan::parse_hex(v["phy_payload"].get<std::string>()).value();
    if ((frame[0] >> 5) != 2 && (frame[0] >> 5) != 4) continue;  // downlinks: a station never sends them
    INFO(v["phy_payload"].get<std::string>());
    CHECK(uplink(station_message(frame)).reception.phy_payload == frame);
    ++count;
  }
  for (const auto& v : all["join_requests"]) {
    const auto frame = lorawan::parse_hex(v["phy_payload"].get<std::string>()).value();
    const auto up = uplink(station_message(frame, 0));
    CHECK(up.kind == UplinkKind::JoinRequest);
    CHECK(up.reception.phy_payload == frame);
    ++count;
  }
  CHECK(count >= 12);
}

TEST_CASE("a jreq as the station writes it") {
  const auto up = uplink(
      R"({"msgtype":"jreq","MHdr":0,"JoinEui":"d4-73-5e-3a-26-5e-16-ee","DevEui":"4e-07-40-85-62-be-db-8b",)"
      R"("DevNonce":19234,"MIC":223438827,"RefTime":0.0,"DR":0,"Freq":868900000,)" +
      kUpinfo + "}");
  CHECK(lorawan::to_hex(up.reception.phy_payload) == "00ee165e263a5e73d48bdbbe628540074e224beb67510d");
  CHECK(up.reception.data_rate == DataRate{LoraRate{12, 125}});
  // EUIs as integers or ID6 are the same EUIs.
  const auto as_numbers = uplink(
      R"({"msgtype":"jreq","MHdr":0,"JoinEui":15308683162207262446,"DevEui":"4e07:4085:62be:db8b",)"
      R"("DevNonce":19234,"MIC":223438827,"DR":0,"Freq":868900000,)" +
      kUpinfo + "}");
  CHECK(as_numbers.reception.phy_payload == up.reception.phy_payload);
}

TEST_CASE("an updf without FPort, with FOpts, negative DevAddr and MIC") {
  lorawan::DataFrame frame;
  frame.mhdr.mtype = lorawan::MType::ConfirmedDataUp;
  frame.dev_addr = 0xFEDC'BA98;  // negative as int32
  frame.fctrl.adr = true;
  frame.fcnt16 = 0xABCD;
  frame.fopts = {0x02, 0x03, 0x07};
  frame.mic = {0x01, 0x02, 0x03, 0xF4};  // negative as int32
  const auto bytes = lorawan::build_data_frame(frame).value();
  const std::string text = station_message(bytes);
  CHECK(text.find(R"("FPort":-1)") != std::string::npos);
  CHECK(text.find(R"("DevAddr":-19088744)") != std::string::npos);
  CHECK(text.find(R"("MIC":-201129471)") != std::string::npos);
  CHECK(uplink(text).reception.phy_payload == bytes);
  // The unsigned spelling of the same 32 bits is the same frame.
  CHECK(uplink(updf_with("DevAddr", "3365073436")).reception.phy_payload ==
        uplink(updf_with("DevAddr", "-929893860")).reception.phy_payload);
}

TEST_CASE("a propdf carries the whole frame") {
  const auto up = uplink(R"({"msgtype":"propdf","FRMPayload":"e0010203","DR":3,"Freq":869100000,)" + kUpinfo + "}");
  CHECK(up.kind == UplinkKind::Proprietary);
  CHECK(lorawan::to_hex(up.reception.phy_payload) == "e0010203");
  CHECK(up.reception.data_rate == DataRate{LoraRate{9, 125}});
  CHECK(reason(R"({"msgtype":"propdf","FRMPayload":"","DR":3,"Freq":869100000,)" + kUpinfo + "}") ==
        "propdf with an empty FRMPayload");
  CHECK(reason(R"({"msgtype":"propdf","FRMPayload":"400102","DR":3,"Freq":869100000,)" + kUpinfo + "}")
            .find("not a proprietary frame") != std::string::npos);
}

TEST_CASE("upinfo without GPS or UTC time, and an FSK uplink") {
  const auto up = uplink(updf_with("gpstime", "0"));
  CHECK_FALSE(up.reception.gps_time);
  CHECK(up.reception.utc_time);
  CHECK_FALSE(uplink(updf_with("rxtime", "0")).reception.utc_time);
  // DR7 is FSK: no SNR, no coding rate, whatever the station reports.
  const auto fsk = uplink(updf_with("DR", "7"));
  CHECK(fsk.reception.data_rate == DataRate{FskRate{50'000}});
  CHECK_FALSE(fsk.reception.snr_db);
  CHECK_FALSE(fsk.reception.coding_rate);
}

TEST_CASE("version, dntxed and timesync") {
  auto version = parse(
      R"x({"msgtype":"version","station":"2.0.6(rpi/std)","firmware":null,"package":null,"model":"rpi",)x"
      R"("protocol":2,"features":"rmtsh gps"})");
  REQUIRE(version);
  const auto& v = std::get<VersionMessage>(*version);
  CHECK(v.station == "2.0.6(rpi/std)");
  CHECK(v.firmware.empty());
  CHECK(v.model == "rpi");
  CHECK(v.protocol == 2);
  CHECK(v.features == "rmtsh gps");

  auto dntxed = parse(
      R"({"msgtype":"dntxed","seqno":9007199254740993,"diid":9007199254740993,"DR":5,"Freq":869100000,)"
      R"("DevEui":"00-00-00-00-00-00-00-01","rctx":0,"xtime":81064793292668930,"txtime":1234.5,"gpstime":0})");
  REQUIRE(dntxed);
  const auto& d = std::get<DntxedMessage>(*dntxed);
  CHECK(d.diid == 9007199254740993ull);  // 2^53 + 1
  CHECK(d.dev_eui == 1);
  CHECK(d.xtime == 81064793292668930ull);
  CHECK(d.txtime == 1234.5);
  CHECK(d.gpstime == 0);
  // An older station's seqno alone.
  auto old = parse(R"({"msgtype":"dntxed","seqno":7,"DevEui":"::1"})");
  REQUIRE(old);
  CHECK(std::get<DntxedMessage>(*old).diid == 7);

  auto timesync = parse(R"({"msgtype":"timesync","txtime":123456789012})");
  REQUIRE(timesync);
  CHECK(std::get<TimesyncRequest>(*timesync).txtime == 123456789012);
}

TEST_CASE("unknown message types are named") {
  CHECK(reason(R"({"msgtype":"rmtsh","user":"x"})") == "unknown message type rmtsh");
  CHECK(reason(R"({"msgtype":"dndf","MHdr":96})") == "unknown message type dndf");
  CHECK(reason(R"({"msgtype":")" + std::string(200, 'x') + R"("})") == "unknown message type " + std::string(40, 'x'));
}

TEST_CASE("hostile and malformed messages are refused with a reason") {
  CHECK(reason(kUpdf.substr(0, kUpdf.size() / 2)) == "invalid JSON");                      // truncated
  CHECK(reason("") == "invalid JSON");
  CHECK(reason("[1,2]") == "JSON is not an object");
  CHECK(reason(R"({"DR":5})") == "missing msgtype");
  CHECK(reason(R"({"msgtype":5})") == "msgtype must be a string");
  CHECK(reason(kUpdf, 100).find("exceeds the 100-byte limit") != std::string::npos);
  CHECK(reason(R"({"msgtype":"updf","x":[1]})") == "x must not be an array");
  CHECK(reason(R"({"msgtype":"updf","upinfo":{"a":{"b":1}}})") == "a must not be nested");
  CHECK(reason(std::string(500, '[') + std::string(500, ']')) == "JSON is not an object");
  CHECK(reason("{\"msgtype\":\"version\",\"station\":\"\xff\"}") == "invalid JSON");  // not UTF-8

  CHECK(reason(updf_without("DevAddr")) == "missing DevAddr");
  CHECK(reason(updf_without("MIC")) == "missing MIC");
  std::string no_upinfo = kUpdf;
  no_upinfo.replace(no_upinfo.find(kUpinfo), kUpinfo.size(), R"("x":1)");
  CHECK(reason(no_upinfo) == "missing upinfo");
  CHECK(reason(updf_without("xtime")) == "missing upinfo.xtime");
  CHECK(reason(updf_without("rssi")) == "missing upinfo.rssi");
  CHECK(reason(updf_without("DR")) == "missing DR");
  CHECK(reason(updf_without("snr")) == "missing upinfo.snr");
  CHECK(reason(updf_with("DevAddr", "\"c837649c\"")).find("DevAddr must be an integer") != std::string::npos);
  CHECK(reason(updf_with("DevAddr", "4294967296")).find("DevAddr must be an integer") != std::string::npos);
  CHECK(reason(updf_with("MIC", "-2147483649")).find("MIC must be an integer") != std::string::npos);
  CHECK(reason(updf_with("MIC", "1.5")).find("MIC must be an integer") != std::string::npos);
  CHECK(reason(updf_with("xtime", "1e30")) == "xtime must be a 64-bit integer");
  CHECK(reason(updf_with("xtime", "18446744073709551616")) == "invalid JSON");  // beyond 64 bits
  CHECK(reason(updf_with("FCnt", "65536")).find("FCnt must be an integer 0..65535") != std::string::npos);
  CHECK(reason(updf_with("FPort", "256")).find("FPort must be an integer -1..255") != std::string::npos);
  CHECK(reason(updf_with("FOpts", "\"020\"")) == "FOpts: odd number of hex digits");
  CHECK(reason(updf_with("FOpts", "\"02zz\"")).find("FOpts: ") == 0);
  CHECK(reason(updf_with("FOpts", "\"02\"")) == "FOpts has 1 bytes but FCtrl 0xe2 says 2");
  CHECK(reason(updf_with("FOpts", "\"" + std::string(32, '0') + "\"")) == "FOpts of 32 hex digits exceeds 15 bytes");
  CHECK(reason(updf_with("FRMPayload", "\"" + std::string(600, 'a') + "\"")) ==
        "FRMPayload of 600 hex digits exceeds 255 bytes");
  CHECK(reason(updf_with("FRMPayload", "\"" + std::string(2 * 250, 'a') + "\"")) ==
        "rebuilt frame of 265 bytes exceeds 255");
  std::string port_missing = updf_with("FPort", "-1");
  const auto empty_payload = port_missing.find(R"("FRMPayload":"")");
  REQUIRE(empty_payload != std::string::npos);
  port_missing.insert(empty_payload + 14, "01");
  CHECK(reason(port_missing) == "FRMPayload without FPort (FPort is -1)");
  CHECK(reason(updf_with("MHdr", "96")) == "updf with MHdr 0x60, which is not an uplink data frame");
  CHECK(reason(updf_with("DR", "8")) == "DR: unknown data rate DR8");
  CHECK(reason(updf_with("DR", "16")).find("DR must be an integer 0..15") != std::string::npos);
  CHECK(reason(updf_with("Freq", "50000000")).find("Freq: frequency 50000000 Hz is outside") == 0);
  CHECK(reason(updf_with("Freq", "868.9")).find("Freq must be an integer") != std::string::npos);
  CHECK(reason(updf_with("rssi", "-300")).find("rssi must be an integer -200..20") != std::string::npos);
  CHECK(reason(updf_with("snr", "99")).find("upinfo.snr 99 dB is outside") == 0);
  CHECK(reason(updf_with("snr", "\"9\"")) == "snr must be a number");
  CHECK(reason(updf_with("rxtime", "-5")) == "upinfo.rxtime must be UTC seconds");
  CHECK(reason(updf_with("rxtime", "1e300")) == "upinfo.rxtime must be UTC seconds");
  CHECK(reason(updf_with("gpstime", "-1")).find("gpstime must be an integer") != std::string::npos);
  std::string bad_upinfo = kUpdf;
  bad_upinfo.replace(bad_upinfo.find(kUpinfo), kUpinfo.size(), R"("upinfo":5)");
  CHECK(reason(bad_upinfo) == "upinfo must be an object");

  const std::string jreq_head = R"({"msgtype":"jreq","MHdr":0,"JoinEui":)";
  CHECK(reason(jreq_head + R"("zz-73-5e-3a-26-5e-16-ee","DevEui":1,"DevNonce":1,"MIC":1,"DR":0,"Freq":868900000,)" +
               kUpinfo + "}")
            .find("JoinEui: EUI") == 0);
  CHECK(reason(jreq_head + R"(-5,"DevEui":1,"DevNonce":1,"MIC":1,"DR":0,"Freq":868900000,)" + kUpinfo + "}") ==
        "JoinEui must be an EUI (a string or a non-negative integer)");
  CHECK(reason(jreq_head + R"(1,"DevEui":1,"DevNonce":65536,"MIC":1,"DR":0,"Freq":868900000,)" + kUpinfo + "}")
            .find("DevNonce must be an integer 0..65535") != std::string::npos);
  CHECK(reason(R"({"msgtype":"jreq","MHdr":64,"JoinEui":1,"DevEui":1,"DevNonce":1,"MIC":1,"DR":0,"Freq":868900000,)" +
               kUpinfo + "}") == "jreq with MHdr 0x40, which is not a Join-request");

  CHECK(reason(R"({"msgtype":"version"})") == "missing station");
  CHECK(reason(R"({"msgtype":"version","station":"2.0.6","model":7})") == "model must be a string");
  CHECK(reason(R"({"msgtype":"dntxed","DevEui":"::1"})") == "missing diid");
  CHECK(reason(R"({"msgtype":"dntxed","diid":1})") == "missing DevEui");
  CHECK(reason(R"({"msgtype":"dntxed","diid":"1","DevEui":"::1"})") == "diid must be a 64-bit integer");
  CHECK(reason(R"({"msgtype":"timesync"})") == "missing txtime");
  CHECK(reason(R"({"msgtype":"timesync","txtime":1.5})").find("txtime must be an integer") != std::string::npos);
}

TEST_CASE("a 300-byte pdu-sized FRMPayload in a propdf is refused") {
  CHECK(reason(R"({"msgtype":"propdf","FRMPayload":")" + std::string(600, 'e') + R"(","DR":3,"Freq":869100000,)" +
               kUpinfo + "}") == "FRMPayload of 600 hex digits exceeds 255 bytes");
}
