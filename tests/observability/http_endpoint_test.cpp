// The operator endpoint over real TCP: routes, token, methods, and the bounds that keep a slow or
// hostile client from costing anything (header size, read timeout, connection count).
#include <catch2/catch.hpp>

#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "observability/http_endpoint.h"
#include "tests/support/http_client.h"
#include "tests/support/mosquitto_broker.h"

using namespace uchet;
using namespace std::chrono_literals;
using observability::HttpEndpoint;

namespace {

std::unique_ptr<HttpEndpoint> start(observability::HttpEndpointOptions options = {}) {
  options.bind = "127.0.0.1:0";
  auto endpoint = HttpEndpoint::start(options, [](const std::string& path) {
    return observability::HttpResponse{200, "text/plain", "you asked for " + path};
  });
  REQUIRE(endpoint);
  return std::move(*endpoint);
}

// Sends raw bytes and returns what comes back until the server closes (or 3 s pass).
std::string raw_exchange(int port, const std::string& bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  boost::asio::write(socket, boost::asio::buffer(bytes));
  std::string reply;
  boost::system::error_code ec;
  char buf[4096];
  while (!ec) {
    auto n = socket.read_some(boost::asio::buffer(buf), ec);
    reply.append(buf, n);
  }
  return reply;
}

}  // namespace

TEST_CASE("the endpoint answers its three paths, 404 elsewhere, and only GET and HEAD") {
  auto endpoint = start();
  const int port = endpoint->port();
  for (std::string path : {"/metrics", "/health", "/ready"}) {
    auto r = test::http_get(port, path + "?x=1");
    CHECK(r.status == 200);
    CHECK(r.body == "you asked for " + path);
  }
  CHECK(test::http_get(port, "/").status == 404);
  CHECK(test::http_get(port, "/metrics/../etc").status == 404);
  CHECK(raw_exchange(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .starts_with("HTTP/1.1 405"));
  CHECK(endpoint->requests() == 6);
}

TEST_CASE("with a token, every request needs it as a bearer token") {
  auto endpoint = start({.token = "0123456789abcdef-secret"});
  const int port = endpoint->port();
  CHECK(test::http_get(port, "/health").status == 401);
  CHECK(test::http_get(port, "/health", {{"Authorization", "Bearer wrong-token-of-same-size"}}).status == 401);
  CHECK(test::http_get(port, "/health", {{"Authorization", "Bearer 0123456789abcdef-secret"}}).status == 200);
}

TEST_CASE("oversized headers, silent clients and a flood of connections are cut off, healthy clients still served") {
  auto endpoint = start({.max_connections = 3, .read_timeout = 300ms});
  const int port = endpoint->port();
  // 9 KiB of header: refused without an answer.
  const std::string big = "GET /health HTTP/1.1\r\nHost: x\r\nX-Junk: " + std::string(9000, 'a') + "\r\n\r\n";
  CHECK(raw_exchange(port, big).find("200 OK") == std::string::npos);
  // A client that connects and says nothing is closed after the read timeout.
  const auto before = std::chrono::steady_clock::now();
  CHECK(raw_exchange(port, "GET /hea").empty());
  CHECK(std::chrono::steady_clock::now() - before < 3s);
  // Three idle connections fill the endpoint; a fourth is closed at once.
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < 3; ++i) {
    idle.emplace_back(io).connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  }
  REQUIRE(test::eventually([&] { return endpoint->refused_connections() >= 2; }, 2s));
  const auto refused = endpoint->refused_connections();
  CHECK(test::http_get(port, "/health").status == 0);
  CHECK(endpoint->refused_connections() == refused + 1);
  idle.clear();  // they time out or close; the endpoint serves again
  CHECK(test::eventually([&] { return test::http_get(port, "/health", {}, 1s).status == 200; }, 3s));
}

TEST_CASE("a bind address that is not host:port, or a port taken, is refused with the reason") {
  auto taken = start();
  auto handler = [](const std::string&) { return observability::HttpResponse{}; };
  CHECK_FALSE(HttpEndpoint::start({.bind = "localhost"}, handler));
  CHECK_FALSE(HttpEndpoint::start({.bind = "not-an-ip:8080"}, handler));
  const auto again = HttpEndpoint::start({.bind = "127.0.0.1:" + std::to_string(taken->port())}, handler);
  REQUIRE_FALSE(again);
  CHECK(again.error().find("http.bind") != std::string::npos);
}
