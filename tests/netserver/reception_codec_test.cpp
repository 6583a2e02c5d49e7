// The receptions one instance hands another through the database (netserver/reception_codec.h):
// known bytes for a known reception, everything read back unchanged, malformed input refused
// with a reason.
#include <catch2/catch.hpp>

#include <string>

#include "netserver/reception_codec.h"

using namespace uchet;

namespace {

lorawan::Bytes bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

std::string error_of(const std::string& text) {
  auto rx = netserver::decode_reception(bytes_of(text));
  REQUIRE_FALSE(rx);
  return rx.error();
}

gateway_bridge::Reception full_reception() {
  gateway_bridge::Reception rx;
  rx.gateway_eui = 0xAA555A0000000001;
  rx.counter = {0x1'0000'0005, 0xFFFF'FFFF'FFFF'FFFF};  // widened past 32 bits; any context
  rx.gps_time = gateway_bridge::GpsTime(1'400'000'000'123);
  rx.utc_time = gateway_bridge::UtcTime(std::chrono::microseconds(1'790'000'000'123'456));
  rx.frequency_hz = 868'900'000;
  rx.rssi_dbm = -117;
  rx.snr_db = -7.25;
  rx.channel = 7;
  rx.rf_chain = 1;
  rx.data_rate = gateway_bridge::LoraRate{12, 125};
  rx.coding_rate = gateway_bridge::CodingRate::k4_5;
  rx.antenna = 1;
  rx.metadata = {{"antenna_0", "rssi=-120 snr=-9 channel=7"}, {"antenna_1", "rssi=-117 snr=-7.25 channel=7"}};
  return rx;
}

}  // namespace

TEST_CASE("a reception is encoded as known JSON and read back unchanged") {
  const auto rx = full_reception();
  const auto encoded = netserver::encode_reception(rx);
  CHECK(std::string(encoded.begin(), encoded.end()) ==
        R"({"v":2,"gateway":"aa555a0000000001","counter_us":4294967301,"context":18446744073709551615,)"
        R"("gps_ms":1400000000123,"utc_us":1790000000123456,"frequency_hz":868900000,"rssi_dbm":-117,)"
        R"("snr_db":-7.25,"channel":7,"rf_chain":1,"data_rate":{"sf":12,"bw_khz":125},"coding_rate":5,"antenna":1,)"
        R"("metadata":[["antenna_0","rssi=-120 snr=-9 channel=7"],["antenna_1","rssi=-117 snr=-7.25 channel=7"]]})");
  auto back = netserver::decode_reception(encoded);
  REQUIRE(back);
  CHECK(back->gateway_eui == rx.gateway_eui);
  CHECK(back->counter == rx.counter);
  CHECK(back->gps_time == rx.gps_time);
  CHECK(back->utc_time == rx.utc_time);
  CHECK(back->frequency_hz == rx.frequency_hz);
  CHECK(back->rssi_dbm == rx.rssi_dbm);
  CHECK(back->snr_db == rx.snr_db);
  CHECK(back->channel == rx.channel);
  CHECK(back->rf_chain == rx.rf_chain);
  CHECK(back->data_rate == rx.data_rate);
  CHECK(back->coding_rate == rx.coding_rate);
  CHECK(back->antenna == rx.antenna);
  CHECK(back->metadata == rx.metadata);
  CHECK(back->phy_payload.empty());
}

TEST_CASE("a reception without the optional parts, at an FSK rate, comes back without them") {
  gateway_bridge::Reception rx;
  rx.gateway_eui = 0x0000000000000001;
  rx.counter = {12345, 0};
  rx.frequency_hz = 868'800'000;
  rx.rssi_dbm = -60;
  rx.data_rate = gateway_bridge::FskRate{50'000};
  const auto encoded = netserver::encode_reception(rx);
  CHECK(std::string(encoded.begin(), encoded.end()) ==
        R"({"v":2,"gateway":"0000000000000001","counter_us":12345,"context":0,"frequency_hz":868800000,)"
        R"("rssi_dbm":-60,"channel":0,"rf_chain":0,"data_rate":{"fsk_bps":50000},"coding_rate":null})");
  auto back = netserver::decode_reception(encoded);
  REQUIRE(back);
  CHECK(back->data_rate == rx.data_rate);
  CHECK_FALSE(back->snr_db);
  CHECK_FALSE(back->gps_time);
  CHECK_FALSE(back->utc_time);
  CHECK_FALSE(back->coding_rate);
  CHECK_FALSE(back->antenna);
  CHECK(back->metadata.empty());
}

TEST_CASE("a reception of version 1 (an older uchetd during an upgrade) is still read") {
  // Version 1's text of full_reception(), as the nlohmann encoder of the previous release wrote it.
  const std::string v1 =
      R"({"antenna":1,"bw_khz":125,"channel":7,"coding_rate":5,"context":18446744073709551615,)"
      R"("counter_us":4294967301,"frequency_hz":868900000,"gateway":"aa555a0000000001","gps_ms":1400000000123,)"
      R"("metadata":[["antenna_0","rssi=-120 snr=-9 channel=7"],["antenna_1","rssi=-117 snr=-7.25 channel=7"]],)"
      R"("rf_chain":1,"rssi_dbm":-117,"sf":12,"snr_db":-7.25,"utc_us":1790000000123456,"v":1})";
  auto back = netserver::decode_reception(bytes_of(v1));
  REQUIRE(back);
  const auto rx = full_reception();
  CHECK(back->gateway_eui == rx.gateway_eui);
  CHECK(back->counter == rx.counter);
  CHECK(back->gps_time == rx.gps_time);
  CHECK(back->utc_time == rx.utc_time);
  CHECK(back->snr_db == rx.snr_db);
  CHECK(back->data_rate == rx.data_rate);
  CHECK(back->coding_rate == rx.coding_rate);
  CHECK(back->antenna == rx.antenna);
  CHECK(back->metadata == rx.metadata);
  auto fsk = netserver::decode_reception(
      bytes_of(R"({"channel":0,"context":0,"counter_us":12345,"frequency_hz":868800000,"fsk_bps":50000,)"
               R"("gateway":"0000000000000001","rf_chain":0,"rssi_dbm":-60,"v":1})"));
  REQUIRE(fsk);
  CHECK(fsk->data_rate == gateway_bridge::DataRate(gateway_bridge::FskRate{50'000}));
  CHECK_FALSE(fsk->coding_rate);
}

TEST_CASE("a malformed reception from another instance is refused with a reason") {
  const std::string base = R"("gateway":"aa555a0000000001","counter_us":1,"context":0,"frequency_hz":868100000,)"
                           R"("rssi_dbm":-80,"channel":0,"rf_chain":0)";
  const std::string lora = R"("data_rate":{"sf":7,"bw_khz":125},"coding_rate":5)";
  CHECK_THAT(error_of("not json"), Catch::Contains("not a JSON object"));
  CHECK_THAT(error_of("[1]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(error_of(R"({"v":3,)" + base + "," + lora + "}"), Catch::Contains("unknown version 3"));
  CHECK_THAT(error_of(R"({)" + base + "," + lora + "}"), Catch::Contains("missing v"));
  CHECK_THAT(error_of(R"({"v":2,"gateway":"zz","counter_us":1})"), Catch::Contains("gateway"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + "}"), Catch::Contains("data_rate must be"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + R"(,"data_rate":{"sf":7,"bw_khz":125,"fsk_bps":50000},"coding_rate":5})"),
             Catch::Contains("data_rate must have"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + R"(,"data_rate":{"sf":13,"bw_khz":125},"coding_rate":5})"),
             Catch::Contains("spreading factor"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + R"(,"data_rate":{"sf":7,"bw_khz":1000},"coding_rate":5})"),
             Catch::Contains("500 kHz"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + R"(,"data_rate":{"fsk_bps":1000000},"coding_rate":null})"),
             Catch::Contains("FSK bit rate"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + R"(,"data_rate":{"sf":7,"bw_khz":125},"coding_rate":9})"),
             Catch::Contains("coding_rate"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + R"(,"data_rate":{"sf":7,"bw_khz":125}})"),
             Catch::Contains("missing coding_rate"));
  CHECK_THAT(error_of(R"({"v":2,"gateway":"aa555a0000000001","counter_us":-1,"context":0,"frequency_hz":1,)"
                      R"("rssi_dbm":0,"channel":0,"rf_chain":0,)" +
                      lora + "}"),
             Catch::Contains("counter_us must be"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + "," + lora + R"(,"snr_db":"x"})"), Catch::Contains("snr_db"));
  CHECK_THAT(error_of(R"({"v":2,)" + base + "," + lora + R"(,"metadata":[["a"]]})"), Catch::Contains("metadata"));
  std::string wide_channel = base;
  wide_channel.replace(wide_channel.find(R"("channel":0)"), 11, R"("channel":300)");
  CHECK_THAT(error_of(R"({"v":2,)" + wide_channel + "," + lora + "}"), Catch::Contains("channel must be"));
  // Version 1 is held to the same bounds.
  CHECK_THAT(error_of(R"({"v":1,)" + base + R"(,"sf":13,"bw_khz":125})"), Catch::Contains("spreading factor"));
  CHECK_THAT(error_of(R"({"v":1,)" + base + R"(,"sf":7,"bw_khz":125,"coding_rate":9})"),
             Catch::Contains("coding_rate"));
  CHECK_THAT(error_of(R"({"v":1,)" + base + "}"), Catch::Contains("data rate must be"));
}
