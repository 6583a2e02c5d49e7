// rxpk: every field of a real forwarder packet, and each reason a packet is refused.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include <nlohmann/json.hpp>

#include "gateway-bridge/semtech_udp/radio_text.h"
#include "gateway-bridge/semtech_udp/rxpk.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;
using namespace std::chrono;

namespace {

// `text` as the value of a member, so that non-objects reach parse_rxpk too.
lorawan::Result<RxPacket> parse(const std::string& text) {
  const std::string wrapped = R"({"rxpk":)" + text + "}";
  auto object = uchet::common::json_fields::parse_object(
      lorawan::ByteView(reinterpret_cast<const std::uint8_t*>(wrapped.data()), wrapped.size()));
  if (!object) return std::unexpected(object.error());
  return parse_rxpk(*uchet::common::json_fields::member(*object, "rxpk"));
}

std::string reason(const std::string& text) {
  auto parsed = parse(text);
  REQUIRE_FALSE(parsed);
  return parsed.error();
}

}  // namespace

TEST_CASE("a LoRa rxpk with all fields") {
  auto p = parse(kLoraRxpk);
  REQUIRE(p);
  CHECK(p->tmst == 3512348611u);
  REQUIRE(p->time);
  CHECK(*p->time == sys_days{2026y / March / 31} + 16h + 21min + 17s + 528002us);
  REQUIRE(p->tmms);
  CHECK(p->tmms->count() == 1459009295528);
  CHECK(p->freq_hz == 868100000u);
  CHECK(p->chan == 2);
  CHECK(p->rfch == 0);
  CHECK(p->stat == CrcStatus::Ok);
  CHECK(std::get<LoraRate>(p->datr) == LoraRate{7, 125});
  CHECK(p->codr == CodingRate::k4_5);
  CHECK(p->rssi_dbm == -35);
  CHECK(p->lsnr_db == Approx(9.5));
  CHECK(p->data == kPayload);
}

TEST_CASE("an FSK rxpk has a numeric datr and no codr or lsnr") {
  auto p = parse(R"({"tmst":1,"chan":9,"rfch":1,"freq":868.8,"stat":1,"modu":"FSK","datr":50000,)"
                 R"("rssi":-75,"size":21,"data":"QOGis8SAAQABbB86W32eDxEiM0RV"})");
  REQUIRE(p);
  CHECK(std::get<FskRate>(p->datr).bitrate_bps == 50000u);
  CHECK_FALSE(p->codr);
  CHECK_FALSE(p->lsnr_db);
  CHECK_FALSE(p->time);
  CHECK_FALSE(p->tmms);
  CHECK(p->freq_hz == 868800000u);
}

TEST_CASE("frequencies are converted to Hz exactly") {
  const std::pair<const char*, std::uint32_t> cases[] = {
      {"868.100000", 868100000}, {"868.1", 868100000},        {"867.900000", 867900000}, {"869.525000", 869525000},
      {"864.100000", 864100000}, {"866.349812", 866349812},   {"868.300001", 868300001}, {"915.2", 915200000},
      {"100", 100000000},        {"1000.000000", 1000000000}, {"433.175", 433175000},
  };
  for (const auto& [text, hz] : cases) {
    INFO(text);
    auto p = parse(rxpk_with("freq", text));
    REQUIRE(p);
    CHECK(p->freq_hz == hz);
  }
  // Every 100 Hz step of the RU864/EU868 range survives the double round-trip.
  for (std::uint32_t hz = 863'000'000; hz <= 870'000'000; hz += 100) {
    auto back = frequency_hz_from_mhz(std::stod(frequency_mhz_text(hz)));
    REQUIRE(back);
    REQUIRE(*back == hz);
  }
}

TEST_CASE("missing mandatory fields refuse the rxpk, naming the field") {
  for (auto field : {"tmst", "freq", "chan", "rfch", "stat", "modu", "datr", "codr", "rssi", "lsnr", "size", "data"}) {
    INFO(field);
    CHECK(reason(rxpk_with(field, "")) == std::string("missing ") + field);
  }
  // Optional ones may go.
  CHECK(parse(rxpk_with("tmms", "", rxpk_with("time", ""))));
}

TEST_CASE("absurd values refuse the rxpk") {
  CHECK_THAT(reason(rxpk_with("freq", "99.9")), Catch::Contains("outside 100-1000 MHz"));
  CHECK_THAT(reason(rxpk_with("freq", "1000.1")), Catch::Contains("outside 100-1000 MHz"));
  CHECK_THAT(reason(rxpk_with("freq", "-868.1")), Catch::Contains("outside 100-1000 MHz"));
  CHECK_THAT(reason(rxpk_with("freq", "1e300")), Catch::Contains("outside 100-1000 MHz"));
  CHECK_THAT(reason(rxpk_with("datr", R"("SF4BW125")")), Catch::Contains("outside SF5-SF12"));
  CHECK_THAT(reason(rxpk_with("datr", R"("SF13BW125")")), Catch::Contains("outside SF5-SF12"));
  CHECK_THAT(reason(rxpk_with("datr", R"("SF7BW126")")), Catch::Contains("not 125, 250 or 500"));
  CHECK_THAT(reason(rxpk_with("datr", R"("SF7")")), Catch::Contains("is not SF<n>BW<khz>"));
  CHECK_THAT(reason(rxpk_with("datr", R"("SF99999999999BW125")")), Catch::Contains("is not SF<n>BW<khz>"));
  CHECK_THAT(reason(rxpk_with("datr", "125")), Catch::Contains("datr must be a string"));
  CHECK_THAT(reason(rxpk_with("rssi", "-201")), Catch::Contains("outside -200..20"));
  CHECK_THAT(reason(rxpk_with("rssi", "21")), Catch::Contains("outside -200..20"));
  CHECK_THAT(reason(rxpk_with("lsnr", "-40.5")), Catch::Contains("outside -40..40"));
  CHECK_THAT(reason(rxpk_with("lsnr", "41")), Catch::Contains("outside -40..40"));
  CHECK_THAT(reason(rxpk_with("tmst", "4294967296")), Catch::Contains("tmst must be an integer 0..4294967295"));
  CHECK_THAT(reason(rxpk_with("tmst", "-1")), Catch::Contains("tmst must be an integer"));
  CHECK_THAT(reason(rxpk_with("tmst", "1.5")), Catch::Contains("tmst must be an integer"));
  CHECK_THAT(reason(rxpk_with("chan", "256")), Catch::Contains("chan must be an integer 0..255"));
  CHECK_THAT(reason(rxpk_with("stat", "2")), Catch::Contains("stat must be an integer -1..1"));
  CHECK_THAT(reason(rxpk_with("modu", R"("LORA2")")), Catch::Contains("not LORA or FSK"));
  CHECK_THAT(reason(rxpk_with("codr", R"("OFF")")), Catch::Contains("coding rate \"OFF\""));
  CHECK_THAT(reason(rxpk_with("size", "256")), Catch::Contains("size must be an integer 0..255"));
  CHECK_THAT(reason(R"({"tmst":1,"chan":9,"rfch":1,"freq":868.8,"stat":1,"modu":"FSK","datr":5,"rssi":-75,)"
                    R"("size":21,"data":"QOGis8SAAQABbB86W32eDxEiM0RV"})"),
             Catch::Contains("FSK bit rate 5 bps"));
  CHECK(reason("[]") == "rxpk element is not an object");
  CHECK(reason("null") == "rxpk element is not an object");
}

TEST_CASE("bad Base64 and size mismatches refuse the rxpk") {
  CHECK_THAT(reason(rxpk_with("data", R"("-DS4CGaDCdG+48eJNM3Vai-zDpsR71Pn9CPA9uCON84")")), Catch::Contains("Base64"));
  CHECK_THAT(reason(rxpk_with("data", R"("QOGis8SA!QABbB86W32eDxEiM0RV")")), Catch::Contains("Base64"));
  CHECK_THAT(reason(rxpk_with("data", R"("Q=Gis8SAAQABbB86W32eDxEiM0RV")")), Catch::Contains("Base64"));
  CHECK_THAT(reason(rxpk_with("data", "42")), Catch::Contains("data must be a string"));
  CHECK_THAT(reason(rxpk_with("size", "20")), Catch::Contains("size 20 does not match the 21 bytes of data"));
  CHECK_THAT(reason(rxpk_with("size", "22")), Catch::Contains("size 22 does not match the 21 bytes of data"));
  CHECK_THAT(reason(rxpk_with("data", "\"" + std::string(400, 'A') + "\"")), Catch::Contains("longer than 255"));
  CHECK(reason(rxpk_with("size", "0", rxpk_with("data", R"("")"))) == "empty PHYPayload");
}

TEST_CASE("an rxpk's CRC status is reported as sent") {
  CHECK(parse(rxpk_with("stat", "-1"))->stat == CrcStatus::Bad);
  CHECK(parse(rxpk_with("stat", "0"))->stat == CrcStatus::Absent);
}

TEST_CASE("an unparseable time is dropped, the packet kept") {
  for (auto time : {R"("yesterday")", R"("2026-02-30T10:00:00.000000Z")", R"("2026-03-31T16:21:17.528002")",
                    R"("2026-03-31T16:21:17.Z")", R"("2026-03-31T24:00:00Z")"}) {
    INFO(time);
    auto p = parse(rxpk_with("time", time));
    REQUIRE(p);
    CHECK_FALSE(p->time);
  }
  CHECK(reason(rxpk_with("time", "5")) == "time must be a string");
}

TEST_CASE("random Base64-like data never crashes and is refused unless it decodes to size bytes") {
  std::mt19937 random(7);
  const std::string alphabet = "AQgw+/=\n -_";
  for (int round = 0; round < 5000; ++round) {
    std::string data;
    for (auto n = random() % 12; n > 0; --n) data.push_back(alphabet[random() % alphabet.size()]);
    nlohmann::json rxpk = nlohmann::json::parse(kLoraRxpk);
    rxpk["data"] = data;
    rxpk["size"] = random() % 9;
    auto p = parse(rxpk.dump());
    if (p) CHECK(p->data.size() == rxpk["size"].get<std::size_t>());
  }
}
