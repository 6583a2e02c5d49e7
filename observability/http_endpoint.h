#pragma once
// Contract: the operator's HTTP endpoint ([http] bind): GET /metrics, /health, /ready, served
// by Boost.Beast on a thread of its own, so that a slow or hostile client costs the radio path
// nothing. Bounded: at most `max_connections` at once (more are closed on accept), request
// headers up to 8 KiB and no body, each request read within `read_timeout` or the connection is
// closed. With a token, every request needs "Authorization: Bearer <token>" (401 otherwise,
// compared in constant time). Only GET and HEAD (405 otherwise); unknown paths are 404.
//
// Threads: `handler` runs on the endpoint's thread, one request at a time; it must return within
// a bounded time (the daemon's handler waits at most two seconds for the network server's
// figures). start() and stop() are called from the owner's thread.
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

namespace uchet::observability {

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

struct HttpEndpointOptions {
  std::string bind = "127.0.0.1:8080";  // host:port; port 0 picks a free one (tests)
  std::string token;                    // empty: no authentication
  std::size_t max_connections = 16;
  std::chrono::milliseconds read_timeout{5000};
};

class HttpEndpoint {
 public:
  using Handler = std::function<HttpResponse(const std::string& path)>;

  // Binds and starts serving; an error names what could not be done (bad address, port taken).
  static std::expected<std::unique_ptr<HttpEndpoint>, std::string> start(const HttpEndpointOptions& options,
                                                                         Handler handler);
  ~HttpEndpoint();  // stops
  void stop();

  std::uint16_t port() const;
  std::uint64_t requests() const;             // answered, whatever the status
  std::uint64_t refused_connections() const;  // over max_connections, or timed out / malformed

 private:
  struct Impl;
  explicit HttpEndpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace uchet::observability
