// The text form of a relayed transmission (gateway-bridge/cluster_relay/relayed_transmission.h):
// known answers carrying every field, the 64-bit counter and context included; the round trip;
// and refusals of damaged text, each naming what is wrong.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "gateway-bridge/cluster_relay/relayed_transmission.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::cluster_relay;

namespace {

Transmission class_a() {
  Transmission t;
  t.timing = CounterTime{0xfedcba9876543210ull, 0x8000000000000001ull};
  t.frequency_hz = 868'900'000;
  t.rf_chain = 1;
  t.power_dbm = 14;
  t.data_rate = LoraRate{12, 125};
  t.coding_rate = CodingRate::k4_6;
  t.invert_polarity = true;
  t.preamble_symbols = 10;
  t.disable_crc = true;
  t.phy_payload = {0x60, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xff};
  t.dev_eui = 0x0011223344556677ull;
  return t;
}

}  // namespace

TEST_CASE("a counter-timed LoRa transmission has a known text form and comes back unchanged") {
  const auto t = class_a();
  const std::string text = serialise_transmission(t);
  CHECK(text ==
        R"({"timing":{"counter_us":18364758544493064720,"context":9223372036854775809},"frequency_hz":868900000,)"
        R"("rf_chain":1,"power_dbm":14,"data_rate":{"sf":12,"bw_khz":125},"coding_rate":6,"fsk_deviation_hz":null,)"
        R"("invert_polarity":true,"preamble_symbols":10,"disable_crc":true,"phy_payload":"6001020304a0ff",)"
        R"("dev_eui":"0011223344556677"})");
  auto back = parse_transmission(text);
  REQUIRE(back);
  CHECK(std::get<CounterTime>(back->timing) == CounterTime{0xfedcba9876543210ull, 0x8000000000000001ull});
  CHECK(back->frequency_hz == t.frequency_hz);
  CHECK(back->rf_chain == 1);
  CHECK(back->power_dbm == std::optional<std::int8_t>(14));
  CHECK(std::get<LoraRate>(back->data_rate) == LoraRate{12, 125});
  CHECK(back->coding_rate == CodingRate::k4_6);
  CHECK_FALSE(back->fsk_deviation_hz);
  CHECK(back->invert_polarity);
  CHECK(back->preamble_symbols == std::optional<std::uint16_t>(10));
  CHECK(back->disable_crc);
  CHECK(back->phy_payload == t.phy_payload);
  CHECK(back->dev_eui == t.dev_eui);
}

TEST_CASE("class C and GPS-timed FSK transmissions have known text forms and come back unchanged") {
  Transmission c;
  c.timing = Immediately{};
  c.frequency_hz = 869'100'000;
  c.data_rate = LoraRate{9, 125};
  c.phy_payload = {0x60};
  CHECK(serialise_transmission(c) ==
        R"({"timing":{"immediately":true},"frequency_hz":869100000,"rf_chain":0,"power_dbm":null,)"
        R"("data_rate":{"sf":9,"bw_khz":125},"coding_rate":5,"fsk_deviation_hz":null,"invert_polarity":true,)"
        R"("preamble_symbols":null,"disable_crc":true,"phy_payload":"60","dev_eui":"0000000000000000"})");
  auto back_c = parse_transmission(serialise_transmission(c));
  REQUIRE(back_c);
  CHECK(std::holds_alternative<Immediately>(back_c->timing));
  CHECK_FALSE(back_c->power_dbm);

  Transmission fsk;
  fsk.timing = GpsTime(1'400'000'000'123);
  fsk.frequency_hz = 868'800'000;
  fsk.power_dbm = -3;
  fsk.data_rate = FskRate{50'000};
  fsk.coding_rate = std::nullopt;
  fsk.fsk_deviation_hz = 25'000;
  fsk.invert_polarity = false;
  fsk.disable_crc = false;
  fsk.phy_payload = uchet::lorawan::Bytes(255, 0xa5);
  const auto text = serialise_transmission(fsk);
  CHECK(text.starts_with(R"({"timing":{"gps_ms":1400000000123},"frequency_hz":868800000,"rf_chain":0,"power_dbm":-3,)"
                         R"("data_rate":{"fsk_bps":50000},"coding_rate":null,"fsk_deviation_hz":25000,)"
                         R"("invert_polarity":false,"preamble_symbols":null,"disable_crc":false,"phy_payload":")"));
  auto back = parse_transmission(text);
  REQUIRE(back);
  CHECK(std::get<GpsTime>(back->timing) == GpsTime(1'400'000'000'123));
  CHECK(back->power_dbm == std::optional<std::int8_t>(-3));
  CHECK(std::get<FskRate>(back->data_rate) == FskRate{50'000});
  CHECK_FALSE(back->coding_rate);
  CHECK(back->fsk_deviation_hz == std::optional<std::uint32_t>(25'000));
  CHECK_FALSE(back->invert_polarity);
  CHECK_FALSE(back->disable_crc);
  CHECK(back->phy_payload == fsk.phy_payload);
}

TEST_CASE("damaged relayed transmissions are refused with the reason") {
  const std::string good = serialise_transmission(class_a());
  const auto refused = [](const std::string& text) {
    auto parsed = parse_transmission(text);
    REQUIRE_FALSE(parsed);
    return parsed.error();
  };
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  CHECK_THAT(refused("not json"), Catch::Contains("relayed transmission"));
  CHECK_THAT(refused("[]"), Catch::Contains("relayed transmission"));
  CHECK_THAT(refused(with(R"("context":9223372036854775809)", R"("context":-1)")), Catch::Contains("context"));
  CHECK_THAT(refused(with(R"("frequency_hz":868900000)", R"("frequency_hz":5)")), Catch::Contains("frequency"));
  CHECK_THAT(refused(with(R"("sf":12)", R"("sf":"12")")), Catch::Contains("sf"));
  CHECK_THAT(refused(with(R"("coding_rate":6)", R"("coding_rate":3)")), Catch::Contains("coding_rate"));
  CHECK_THAT(refused(with(R"("phy_payload":"6001020304a0ff")", R"("phy_payload":"")")), Catch::Contains("phy_payload"));
  CHECK_THAT(refused(with(R"("phy_payload":"6001020304a0ff")", R"("phy_payload":"zz")")), Catch::Contains("hex"));
  CHECK_THAT(refused(with(R"("dev_eui":"0011223344556677")", R"("dev_eui":"00")")), Catch::Contains("dev_eui"));
  CHECK_THAT(refused(with(R"(,"power_dbm":14)", "")), Catch::Contains("missing power_dbm"));
  // A member a newer uchetd added is ignored.
  CHECK(parse_transmission(with(R"("rf_chain":1)", R"("rf_chain":1,"antenna":2)")));
}
