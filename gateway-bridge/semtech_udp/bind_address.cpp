#include "gateway-bridge/semtech_udp/bind_address.h"

#include <string>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>

#include "common/authority.h"

namespace uchet::gateway_bridge::semtech_udp {
namespace asio = boost::asio;
using asio::ip::udp;

lorawan::Result<udp::endpoint> parse_bind_address(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return std::unexpected(
        fmt::format("bind address \"{}\" {}; expected host:port such as 0.0.0.0:1700 or [::]:1700", text, why));
  };
  auto authority = common::parse_authority(text);
  if (!authority) return fail(authority.error());
  if (!authority->port) return fail("has no port");
  boost::system::error_code error;
  const auto address = asio::ip::make_address(authority->host, error);
  if (error) return fail("has a host that is not an IP address (names are not resolved)");
  if (authority->bracketed != address.is_v6()) return fail("puts brackets around a non-IPv6 address");
  return udp::endpoint(address, *authority->port);
}

}  // namespace uchet::gateway_bridge::semtech_udp
