// TX_ACK: no JSON (success on v4.0.1), each error string, warnings, and refusals.
#include <catch2/catch.hpp>

#include <variant>

#include "gateway-bridge/semtech_udp/datagram.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;

namespace {

TxAck parse_ack(std::string_view json, std::uint16_t token = 0x7777) {
  auto parsed = parse_datagram(gateway_datagram(0x05, token, json));
  REQUIRE(parsed);
  return std::get<TxAck>(std::move(*parsed));
}

}  // namespace

TEST_CASE("TX_ACK without JSON means scheduled") {
  auto ack = parse_ack("");
  CHECK(ack.token == 0x7777);
  CHECK(ack.gateway_eui == kGatewayEui);
  CHECK_FALSE(ack.error);
  CHECK_FALSE(ack.warning);
  CHECK(ack.scheduled());
  CHECK(parse_ack(std::string_view("\0", 1)).scheduled());
}

TEST_CASE("TX_ACK with each error string") {
  const std::pair<const char*, TxAckError> cases[] = {
      {"NONE", TxAckError::None},
      {"TOO_LATE", TxAckError::TooLate},
      {"TOO_EARLY", TxAckError::TooEarly},
      {"COLLISION_PACKET", TxAckError::CollisionPacket},
      {"COLLISION_BEACON", TxAckError::CollisionBeacon},
      {"TX_FREQ", TxAckError::TxFreq},
      {"TX_POWER", TxAckError::TxPower},
      {"GPS_UNLOCKED", TxAckError::GpsUnlocked},
  };
  for (const auto& [text, error] : cases) {
    INFO(text);
    auto ack = parse_ack(std::string(R"({"txpk_ack":{"error":")") + text + "\"}}");
    REQUIRE(ack.error);
    CHECK(*ack.error == error);
    CHECK(ack.error_text == text);
    CHECK(tx_ack_error_name(error) == text);
    CHECK(ack.scheduled() == (error == TxAckError::None));
  }
}

TEST_CASE("TX_ACK with an unknown error string keeps the text") {
  auto ack = parse_ack(R"({"txpk_ack":{"error":"HALF_DUPLEX"}})");
  CHECK(ack.error == TxAckError::Other);
  CHECK(ack.error_text == "HALF_DUPLEX");
  CHECK_FALSE(ack.scheduled());
}

TEST_CASE("TX_ACK with a warning is still scheduled") {
  auto ack = parse_ack(R"({"txpk_ack":{"warn":"TX_POWER","value":27}})");
  CHECK_FALSE(ack.error);
  REQUIRE(ack.warning);
  CHECK(ack.warning->kind == "TX_POWER");
  CHECK(ack.warning->value == Approx(27));
  CHECK(ack.scheduled());
}

TEST_CASE("TX_ACK with bad JSON is malformed") {
  for (auto json : {"{", "[]", R"({"txpk_ack":5})", R"({"other":{}})", R"({"txpk_ack":{"error":7}})",
                    R"({"txpk_ack":{"warn":"TX_POWER","value":"x"}})"}) {
    INFO(json);
    auto parsed = parse_datagram(gateway_datagram(0x05, 1, json));
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().fault == DatagramFault::Malformed);
  }
}
