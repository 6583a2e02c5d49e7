// The radio parameters both directions share: datr text, coding rates and their limits.
#include <catch2/catch.hpp>

#include "gateway-bridge/radio.h"
#include "gateway-bridge/semtech_udp/radio_text.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;

TEST_CASE("LoRa datr text parses into spreading factor and bandwidth and back") {
  CHECK(*parse_lora_rate("SF9BW125") == LoraRate{9, 125});
  CHECK(*parse_lora_rate("SF12BW500") == LoraRate{12, 500});
  CHECK(*parse_lora_rate("SF5BW250") == LoraRate{5, 250});
  CHECK(lora_rate_text(LoraRate{7, 125}) == "SF7BW125");
}

TEST_CASE("LoRa datr garbage is refused with a reason") {
  for (auto bad : {"", "SF", "SF7", "SF7BW", "SF13BW125", "SF4BW125", "SF7BW200", "SFxBW125", "SF7BW125x", "0", "-5",
                   "SF99999BW125", "SF7BW99999999", "BW125SF7", "sf7bw125"}) {
    auto rate = parse_lora_rate(bad);
    INFO(bad);
    REQUIRE_FALSE(rate);
    CHECK_FALSE(rate.error().empty());
  }
}

TEST_CASE("coding rates accept lora_pkt_fwd's aliases and refuse OFF") {
  CHECK(*parse_coding_rate("4/5") == CodingRate::k4_5);
  CHECK(*parse_coding_rate("2/3") == CodingRate::k4_6);
  CHECK(*parse_coding_rate("1/2") == CodingRate::k4_8);
  CHECK(coding_rate_text(CodingRate::k4_7) == "4/7");
  CHECK_FALSE(parse_coding_rate("OFF"));
  CHECK_FALSE(parse_coding_rate("4/9"));
}

TEST_CASE("FSK bit rates outside what SX130x radios do are refused") {
  CHECK(check_fsk_rate(FskRate{50'000}));
  CHECK_FALSE(check_fsk_rate(FskRate{499}));
  CHECK_FALSE(check_fsk_rate(FskRate{300'001}));
}
