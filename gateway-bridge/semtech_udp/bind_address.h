#pragma once
// The endpoint's listening address from configuration text: "0.0.0.0:1700", "[::]:1700",
// "127.0.0.1:0" (port 0: the kernel picks one). The host must be an IP literal: resolving a
// name would block the io_context. Errors say what was wrong and what is expected.
#include <string_view>

#include <boost/asio/ip/udp.hpp>

#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

lorawan::Result<boost::asio::ip::udp::endpoint> parse_bind_address(std::string_view text);

}  // namespace uchet::gateway_bridge::semtech_udp
