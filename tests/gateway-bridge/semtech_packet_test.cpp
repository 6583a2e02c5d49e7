// Datagram headers, identifiers and acknowledgements with known bytes, and the refusals that
// protect the parser: short datagrams, other versions, unknown or server-side identifiers.
#include <catch2/catch.hpp>

#include <random>
#include <variant>

#include "gateway-bridge/semtech_udp/datagram.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;

TEST_CASE("PUSH_DATA header: token, identifier and big-endian gateway EUI") {
  const Bytes bytes{0x02, 0xAB, 0xCD, 0x00, 0xAA, 0x55, 0x5A, 0x00, 0x00, 0x00, 0x00, 0x01, '{', '}'};
  auto header = parse_gateway_header(bytes);
  REQUIRE(header);
  CHECK(header->token == 0xABCD);
  CHECK(header->type == PacketType::PushData);
  CHECK(header->gateway_eui == 0xAA555A0000000001);
}

TEST_CASE("PULL_DATA parses to token and EUI") {
  auto parsed = parse_datagram(gateway_datagram(0x02, 0x1234));
  REQUIRE(parsed);
  const auto& pull = std::get<PullData>(*parsed);
  CHECK(pull.token == 0x1234);
  CHECK(pull.gateway_eui == kGatewayEui);
}

TEST_CASE("PULL_DATA with bytes after its 12-byte header is refused as malformed") {
  for (const std::string& trailing : {std::string(1, '\0'), std::string("{}"), std::string(100, 'A')}) {
    auto parsed = parse_datagram(gateway_datagram(0x02, 0x1234, trailing));
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().fault == DatagramFault::Malformed);
    CHECK_THAT(parsed.error().reason, Catch::Contains("after its 12-byte header"));
  }
}

TEST_CASE("PUSH_ACK and PULL_ACK echo version 2 and the token") {
  CHECK(build_push_ack(0xABCD) == std::array<std::uint8_t, 4>{0x02, 0xAB, 0xCD, 0x01});
  CHECK(build_pull_ack(0x0102) == std::array<std::uint8_t, 4>{0x02, 0x01, 0x02, 0x04});
  CHECK(build_pull_resp_prefix(0xFFEE) == std::array<std::uint8_t, 4>{0x02, 0xFF, 0xEE, 0x03});
}

TEST_CASE("protocol version 1 and others are refused as unsupported, not as malformed") {
  for (std::uint8_t version : {0, 1, 3, 255}) {
    auto parsed = parse_datagram(gateway_datagram(0x02, 1, {}, kGatewayEui, version));
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().fault == DatagramFault::UnsupportedVersion);
    CHECK_THAT(parsed.error().reason, Catch::Contains("unsupported protocol version"));
  }
}

TEST_CASE("unknown identifiers and server-to-gateway identifiers are malformed") {
  for (std::uint8_t id : {0x01, 0x03, 0x04, 0x06, 0x7F, 0xFF}) {
    auto parsed = parse_datagram(gateway_datagram(id, 1, "{}"));
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().fault == DatagramFault::Malformed);
  }
  CHECK_THAT(parse_datagram(gateway_datagram(0x06, 1)).error().reason, Catch::Contains("unknown identifier 0x06"));
  CHECK_THAT(parse_datagram(gateway_datagram(0x03, 1)).error().reason, Catch::Contains("PULL_RESP is sent by servers"));
}

TEST_CASE("short datagrams are malformed") {
  const Bytes full = gateway_datagram(0x02, 7);
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto parsed = parse_datagram(lorawan::ByteView(full.data(), n));
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().fault == DatagramFault::Malformed);
  }
  CHECK_THAT(parse_datagram(Bytes{2, 0, 0}).error().reason, Catch::Contains("shorter than the 4-byte header"));
  CHECK_THAT(parse_datagram(Bytes{2, 0, 0, 0, 1}).error().reason,
             Catch::Contains("PUSH_DATA of 5 bytes is shorter than the 12-byte header"));
}

TEST_CASE("PUSH_DATA without JSON, with bad JSON, or with a JSON non-object is malformed") {
  CHECK_THAT(parse_datagram(push_data(1, "")).error().reason, Catch::Contains("no JSON"));
  CHECK_THAT(parse_datagram(push_data(1, R"({"rxpk":[)")).error().reason, Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_datagram(push_data(1, "\xff\xfe")).error().reason, Catch::Contains("invalid JSON"));
  for (auto json : {"[]", "42", "\"rxpk\"", "null", "true"}) {
    auto parsed = parse_datagram(push_data(1, json));
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().reason == "JSON is not an object");
  }
  CHECK_THAT(parse_datagram(push_data(1, R"({"rxpk":{}})")).error().reason, Catch::Contains("rxpk is not an array"));
  CHECK_THAT(parse_datagram(push_data(1, R"({"stat":[]})")).error().reason, Catch::Contains("stat is not an object"));
}

TEST_CASE("a trailing C string terminator after the JSON is tolerated") {
  std::string json = rxpk_array(1);
  json.push_back('\0');
  auto parsed = parse_datagram(push_data(1, json));
  REQUIRE(parsed);
  CHECK(std::get<PushData>(*parsed).rx_packets.size() == 1);
}

TEST_CASE("every truncation of a valid datagram is refused or parsed, never a crash") {
  const Bytes full = push_data(0x4242, R"({"rxpk":[)" + kLoraRxpk + R"(],"stat":)" + kStat + "}");
  REQUIRE(parse_datagram(full));
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto parsed = parse_datagram(lorawan::ByteView(full.data(), n));
    CHECK_FALSE(parsed);  // a prefix of a JSON object is never a complete object
  }
}

TEST_CASE("random corruption of valid datagrams never crashes the parser") {
  std::mt19937 random(20261123);
  const std::vector<Bytes> seeds{
      push_data(1, R"({"rxpk":[)" + kLoraRxpk + R"(],"stat":)" + kStat + "}"),
      gateway_datagram(0x05, 2, R"({"txpk_ack":{"error":"TOO_LATE","warn":"TX_POWER","value":14}})"),
      gateway_datagram(0x02, 3),
  };
  std::size_t parsed_ok = 0;
  for (int round = 0; round < 3000; ++round) {
    Bytes bytes = seeds[static_cast<std::size_t>(round) % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      const auto at = random() % bytes.size();
      switch (random() % 3) {
        case 0:
          bytes[at] = static_cast<std::uint8_t>(random());
          break;
        case 1:
          bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        default:
          bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(random()));
      }
      if (bytes.empty()) bytes.push_back(2);
    }
    if (parse_datagram(bytes)) ++parsed_ok;
  }
  CHECK(parsed_ok > 0);  // some mutations stay valid (e.g. inside the payload text)
}

TEST_CASE("deeply nested JSON is refused without exhausting the stack") {
  // Within the parser's depth limit (1,024): an array whose one element is not an rxpk object.
  std::string json = R"({"rxpk":)" + std::string(500, '[') + std::string(500, ']') + "}";
  auto parsed = parse_datagram(push_data(1, json));
  REQUIRE(parsed);
  CHECK(std::get<PushData>(*parsed).rejected.size() == 1);
  // Beyond it: refused as a whole, however deep.
  json = R"({"rxpk":)" + std::string(30000, '[') + std::string(30000, ']') + "}";
  auto deep = parse_datagram(push_data(1, json));
  REQUIRE_FALSE(deep);
  CHECK(deep.error().reason == "invalid JSON");
  CHECK_FALSE(parse_datagram(push_data(1, std::string(60000, '['))));
}
