// The one reading of "host[:port]" behind every address in the configuration (bind addresses,
// the MQTT server, webhook URLs).
#include <catch2/catch.hpp>

#include "common/authority.h"

using uchet::common::parse_authority;

TEST_CASE("host, host:port and [IPv6]:port are split; the port may be absent") {
  auto named = parse_authority("broker.example.com:8883");
  REQUIRE(named);
  CHECK(named->host == "broker.example.com");
  CHECK(named->port == 8883);
  CHECK_FALSE(named->bracketed);

  auto bare = parse_authority("localhost");
  REQUIRE(bare);
  CHECK(bare->host == "localhost");
  CHECK_FALSE(bare->port);

  auto v6 = parse_authority("[::1]:1700");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 1700);
  CHECK(v6->bracketed);

  auto v6_bare = parse_authority("[fe80::1]");
  REQUIRE(v6_bare);
  CHECK(v6_bare->host == "fe80::1");
  CHECK_FALSE(v6_bare->port);

  auto ephemeral = parse_authority("0.0.0.0:0");
  REQUIRE(ephemeral);
  CHECK(ephemeral->port == 0);  // whether 0 makes sense is the caller's to say
}

TEST_CASE("a malformed authority is refused with what is wrong") {
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"", "has no host"},           {":1700", "has no host"},         {"[::1", "unclosed"},
      {"[::1]1700", "text after"},   {"::1:1700", "brackets"},         {"host:", "not 0-65535"},
      {"host:65536", "not 0-65535"}, {"host:17x", "not 0-65535"},      {"host:-1", "not 0-65535"},
      {"ho st:1", "no valid host"},  {"host/path:1", "no valid host"}, {"a:b:c", "brackets"},
  };
  for (const auto& [text, why] : refused) {
    INFO(text);
    auto parsed = parse_authority(text);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.error(), Catch::Contains(why));
  }
}
