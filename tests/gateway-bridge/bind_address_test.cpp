// Listening addresses from configuration text.
#include <catch2/catch.hpp>

#include <boost/asio/ip/address.hpp>

#include "gateway-bridge/semtech_udp/bind_address.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
namespace asio = boost::asio;
using asio::ip::udp;

TEST_CASE("bind addresses: IPv4, bracketed IPv6, clear errors") {
  CHECK(*parse_bind_address("0.0.0.0:1700") == udp::endpoint(asio::ip::make_address("0.0.0.0"), 1700));
  CHECK(*parse_bind_address("[::]:1700") == udp::endpoint(asio::ip::make_address("::"), 1700));
  CHECK(*parse_bind_address("[::1]:0") == udp::endpoint(asio::ip::make_address("::1"), 0));
  for (auto bad : {"0.0.0.0", "0.0.0.0:", "0.0.0.0:65536", "0.0.0.0:17x", ":1700", "::1:1700", "[::1]1700", "[::1",
                   "[127.0.0.1]:1700", "localhost:1700", "gw.example.org:1700", ""}) {
    INFO(bad);
    auto parsed = parse_bind_address(bad);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.error(), Catch::Contains("expected host:port"));
  }
}
