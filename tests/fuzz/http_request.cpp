// Fuzz target: bytes a client sends to the operator endpoint ([http] bind). The real endpoint
// (Boost.Beast, a token required) is started once on a free loopback port; each input is written
// on a fresh connection, the write side closed, and the answer read until the endpoint closes.
#include <boost/asio.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "observability/http_endpoint.h"

namespace {

std::uint16_t endpoint_port() {
  static auto endpoint = [] {
    uchet::observability::HttpEndpointOptions options;
    options.bind = "127.0.0.1:0";
    options.token = "fuzz-token-0123456789";
    options.read_timeout = std::chrono::milliseconds(1000);
    auto started = uchet::observability::HttpEndpoint::start(options, [](const std::string& path) {
      return uchet::observability::HttpResponse{200, "text/plain", "path " + path};
    });
    if (!started) {
      std::fprintf(stderr, "cannot start the endpoint: %s\n", started.error().c_str());
      std::abort();
    }
    return std::move(*started);
  }();
  return endpoint->port();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace net = boost::asio;
  const auto port = endpoint_port();
  net::io_context io;
  net::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({net::ip::address_v4::loopback(), port}, ec);
  if (ec) return 0;
  net::write(socket, net::buffer(data, size), ec);
  socket.shutdown(net::ip::tcp::socket::shutdown_send, ec);
  char answer[4096];
  while (!ec) socket.read_some(net::buffer(answer), ec);
  return 0;
}
