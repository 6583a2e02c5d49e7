// PUSH_DATA bodies: many rxpk, the per-datagram limit, stat alone, and bad neighbours.
#include <catch2/catch.hpp>

#include <variant>

#include "gateway-bridge/semtech_udp/datagram.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;
using namespace std::chrono;

namespace {

PushData parse_push(const std::string& json, std::uint16_t token = 0x0102) {
  auto parsed = parse_datagram(push_data(token, json));
  REQUIRE(parsed);
  return std::get<PushData>(std::move(*parsed));
}

}  // namespace

TEST_CASE("PUSH_DATA with one rxpk and a stat") {
  auto push = parse_push(R"({"rxpk":[)" + kLoraRxpk + R"(],"stat":)" + kStat + "}", 0xBEEF);
  CHECK(push.token == 0xBEEF);
  CHECK(push.gateway_eui == kGatewayEui);
  REQUIRE(push.rx_packets.size() == 1);
  CHECK(push.rx_packets[0].data == kPayload);
  CHECK(push.rejected.empty());
  REQUIRE(push.stats);
  CHECK_FALSE(push.stats_error);
}

TEST_CASE("8 rxpk in one datagram are all kept (an SX1301 forwarder's most)") {
  auto push = parse_push(rxpk_array(8));
  CHECK(push.rx_packets.size() == 8);
  CHECK(push.rejected.empty());
}

TEST_CASE("255 rxpk in one datagram are all kept (an SX1302 forwarder's most), a 256th is rejected unparsed") {
  auto push = parse_push(rxpk_array(255));
  CHECK(push.rx_packets.size() == 255);
  CHECK(push.rejected.empty());
  push = parse_push(rxpk_array(256));
  CHECK(push.rx_packets.size() == 255);
  REQUIRE(push.rejected.size() == 1);
  CHECK(push.rejected[0].index == 255);
  CHECK_THAT(push.rejected[0].reason, Catch::Contains("beyond the 255 rxpk"));
}

TEST_CASE("the rxpk limit is a parameter: beyond it rxpk are rejected unparsed and the first are kept") {
  auto parsed = parse_datagram(push_data(1, rxpk_array(9)), 8);
  REQUIRE(parsed);
  const auto& push = std::get<PushData>(*parsed);
  CHECK(push.rx_packets.size() == 8);
  REQUIRE(push.rejected.size() == 1);
  CHECK(push.rejected[0].index == 8);
  CHECK_THAT(push.rejected[0].reason, Catch::Contains("beyond the 8 rxpk"));
}

TEST_CASE("a bad rxpk is rejected with its index while its neighbours count") {
  const std::string json = R"({"rxpk":[)" + kLoraRxpk + "," + rxpk_with("freq", "2400.1") + "," +
                           rxpk_with("size", "3") + ",17," + kLoraRxpk + "]}";
  auto push = parse_push(json);
  CHECK(push.rx_packets.size() == 2);
  REQUIRE(push.rejected.size() == 3);
  CHECK(push.rejected[0].index == 1);
  CHECK_THAT(push.rejected[0].reason, Catch::Contains("MHz"));
  CHECK(push.rejected[1].index == 2);
  CHECK_THAT(push.rejected[1].reason, Catch::Contains("size 3"));
  CHECK(push.rejected[2].index == 3);
}

TEST_CASE("a stat-only datagram carries gateway statistics") {
  auto push = parse_push(R"({"stat":)" + kStat + "}");
  CHECK(push.rx_packets.empty());
  CHECK(push.rejected.empty());
  REQUIRE(push.stats);
  const auto& s = *push.stats;
  CHECK(s.time == sys_days{2026y / January / 12} + 8h + 59min + 28s);
  REQUIRE(s.position);
  CHECK(s.position->latitude_deg == Approx(56.838));
  CHECK(s.position->longitude_deg == Approx(60.603));
  CHECK(s.position->altitude_m == Approx(270));
  CHECK(s.rx_received == 2);
  CHECK(s.rx_crc_ok == 2);
  CHECK(s.rx_forwarded == 2);
  CHECK(s.push_acked_percent == Approx(100.0));
  CHECK(s.downlinks_received == 1);
  CHECK(s.downlinks_transmitted == 1);
}

TEST_CASE("a stat without GPS has no position - missing counters read 0") {
  auto push = parse_push(R"({"stat":{"time":"2026-01-12 08:59:28 GMT","rxnb":5}})");
  REQUIRE(push.stats);
  CHECK_FALSE(push.stats->position);
  CHECK(push.stats->rx_received == 5);
  CHECK(push.stats->downlinks_transmitted == 0);
}

TEST_CASE("a malformed stat is reported without costing the rxpk") {
  auto push = parse_push(R"({"rxpk":[)" + kLoraRxpk + R"(],"stat":{"rxnb":"many"}})");
  CHECK(push.rx_packets.size() == 1);
  CHECK_FALSE(push.stats);
  REQUIRE(push.stats_error);
  CHECK_THAT(*push.stats_error, Catch::Contains("rxnb must be an integer"));
  CHECK_THAT(*parse_push(R"({"stat":{"lati":91,"long":0}})").stats_error, Catch::Contains("latitude"));
  CHECK_THAT(*parse_push(R"({"stat":{"ackr":140}})").stats_error, Catch::Contains("ackr 140"));
}

TEST_CASE("an empty object and an empty rxpk array are valid and empty") {
  auto push = parse_push("{}");
  CHECK(push.rx_packets.empty());
  CHECK_FALSE(push.stats);
  CHECK(parse_push(R"({"rxpk":[]})").rx_packets.empty());
}
