// PULL_RESP / txpk: exact bytes for class A, B and C LoRa downlinks and an FSK one, and the
// requests the builder refuses.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gateway-bridge/semtech_udp/txpk.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;

namespace {

Transmission class_a() {
  Transmission p;
  p.timing = CounterTime{3513348611u};
  p.frequency_hz = 868100000;
  p.power_dbm = 14;
  p.data_rate = LoraRate{7, 125};
  p.coding_rate = CodingRate::k4_5;
  p.phy_payload = {0x60, 0xe1, 0xa2, 0xb3, 0xc4, 0x80, 0x00, 0x00, 0x01, 0x50, 0xff, 0xe1, 0xd2, 0xc3};
  return p;
}

}  // namespace

TEST_CASE("PULL_RESP: version 2, token, 0x03, then txpk JSON from byte 4") {
  auto bytes = build_pull_resp(0xA1B2, class_a());
  REQUIRE(bytes);
  const std::string expected_json =
      R"({"txpk":{"tmst":3513348611,"freq":868.100000,"rfch":0,"powe":14,"modu":"LORA","datr":"SF7BW125",)"
      R"("codr":"4/5","ipol":true,"size":14,"data":"YOGis8SAAAABUP/h0sM=","ncrc":true}})";
  Bytes expected{0x02, 0xA1, 0xB2, 0x03};
  expected.insert(expected.end(), expected_json.begin(), expected_json.end());
  CHECK(*bytes == expected);
  // And it is valid JSON that a forwarder reads back to the same values.
  auto json = nlohmann::json::parse(bytes->begin() + 4, bytes->end());
  CHECK(json["txpk"]["freq"].get<double>() * 1e6 == 868100000.0);
}

TEST_CASE("tmst is the widened counter's low 32 bits: a time past 2^32 wraps as the gateway's counter does") {
  auto a = class_a();
  a.timing = CounterTime{(1ull << 32) + 705'704u, 4'294'000'000u};  // 1 s after tmst 4294000000
  auto json = build_txpk_json(a);
  REQUIRE(json);
  CHECK(nlohmann::json::parse(*json)["txpk"]["tmst"] == 705'704u);
}

TEST_CASE("class C is immediate, class B uses GPS time - optional fields") {
  auto c = class_a();
  c.timing = Immediately{};
  c.frequency_hz = 869525000;
  c.data_rate = LoraRate{12, 125};
  c.coding_rate = CodingRate::k4_8;
  c.power_dbm.reset();
  c.preamble_symbols = 8;
  c.disable_crc = false;
  CHECK(*build_txpk_json(c) ==
        R"({"txpk":{"imme":true,"freq":869.525000,"rfch":0,"modu":"LORA","datr":"SF12BW125","codr":"4/8",)"
        R"("ipol":true,"prea":8,"size":14,"data":"YOGis8SAAAABUP/h0sM="}})");
  auto b = class_a();
  b.timing = GpsTime{1459009295528};
  b.frequency_hz = 864000001;
  CHECK_THAT(*build_txpk_json(b), Catch::StartsWith(R"({"txpk":{"tmms":1459009295528,"freq":864.000001,)"));
}

TEST_CASE("an FSK downlink carries its bit rate and deviation") {
  auto f = class_a();
  f.data_rate = FskRate{50000};
  f.fsk_deviation_hz = 25000;
  f.coding_rate.reset();
  f.invert_polarity = false;
  CHECK(*build_txpk_json(f) ==
        R"({"txpk":{"tmst":3513348611,"freq":868.100000,"rfch":0,"powe":14,"modu":"FSK","datr":50000,"fdev":25000,)"
        R"("ipol":false,"size":14,"data":"YOGis8SAAAABUP/h0sM=","ncrc":true}})");
}

TEST_CASE("the builder refuses what a gateway would refuse") {
  auto p = class_a();
  p.frequency_hz = 2'400'000'000u;
  CHECK_THAT(build_pull_resp(1, p).error(), Catch::Contains("outside 100-1000 MHz"));
  p = class_a();
  p.phy_payload.clear();
  CHECK_THAT(build_pull_resp(1, p).error(), Catch::Contains("payload of 0 bytes"));
  p.phy_payload.assign(256, 0);
  CHECK_THAT(build_pull_resp(1, p).error(), Catch::Contains("payload of 256 bytes"));
  p = class_a();
  p.data_rate = LoraRate{13, 125};
  CHECK_THAT(build_pull_resp(1, p).error(), Catch::Contains("SF13"));
  p = class_a();
  p.coding_rate.reset();
  CHECK_THAT(build_pull_resp(1, p).error(), Catch::Contains("coding rate"));
  p = class_a();
  p.data_rate = FskRate{50000};
  CHECK_THAT(build_pull_resp(1, p).error(), Catch::Contains("frequency deviation"));
}
