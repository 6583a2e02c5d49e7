#pragma once
// One webhook endpoint's HTTP client: POSTs JSON bodies to a URL (http:// or https://) over one
// kept-alive connection (Boost.Beast), with TLS verified by OpenSSL against the system's CAs or
// a given CA file (the server's name or IP address must match its certificate), and every step
// (resolve, connect, handshake, write, read) bounded by a timeout. Not thread-safe: one owner
// thread (the endpoint's HttpIntegration worker) calls post().
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netserver/lorawan/types.h"

namespace uchet::appserver {

struct HttpUrl {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 80;
  std::string target = "/";  // path and query
};
// "http[s]://host[:port][/path][?query]"; anything else is refused with a reason.
lorawan::Result<HttpUrl> parse_http_url(std::string_view url);
// A configured header: a token name (not one the poster sets itself: Host, Content-Length,
// Content-Type, Connection, Transfer-Encoding) and a value without control characters.
lorawan::Result<void> check_http_header(std::string_view name, std::string_view value);

struct PostResult {
  int status = 0;     // the HTTP status, 0 when no answer came
  std::string error;  // why not, when status is 0
};

class HttpPoster {
 public:
  HttpPoster(HttpUrl url, std::vector<std::pair<std::string, std::string>> headers, std::string ca_file,
             std::chrono::milliseconds timeout);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  // POSTs `body` (application/json) to the URL with `query` ("event=up") added to its query.
  PostResult post(std::string_view query, std::string_view body);

 private:
  struct Connection;
  PostResult attempt(std::string_view query, std::string_view body);
  HttpUrl url_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string ca_file_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace uchet::appserver
