#include "gateway-bridge/semtech_udp/bind_address.h"

#include <charconv>
#include <string>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>

namespace uchet::gateway_bridge::semtech_udp {
namespace asio = boost::asio;
using asio::ip::udp;

lorawan::Result<udp::endpoint> parse_bind_address(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return std::unexpected(
        fmt::format("bind address \"{}\" {}; expected host:port such as 0.0.0.0:1700 or [::]:1700", text, why));
  };
  std::string_view host, port;
  const bool bracketed = text.starts_with('[');
  if (bracketed) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("is not [IPv6]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("has no port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return fail("needs brackets around an IPv6 address");
  }
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || number > 65535) {
    return fail("has a port that is not 0-65535");
  }
  boost::system::error_code error;
  const auto address = asio::ip::make_address(std::string(host), error);
  if (error || host.empty()) return fail("has a host that is not an IP address (names are not resolved)");
  if (bracketed != address.is_v6()) return fail("puts brackets around a non-IPv6 address");
  return udp::endpoint(address, static_cast<std::uint16_t>(number));
}

}  // namespace uchet::gateway_bridge::semtech_udp
