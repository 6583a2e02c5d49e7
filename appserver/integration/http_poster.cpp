#include "appserver/integration/http_poster.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <optional>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/authority.h"

namespace uchet::appserver {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

lorawan::Result<HttpUrl> parse_http_url(std::string_view text) {
  const auto refuse = [&](std::string_view why) {
    return std::unexpected(fmt::format("'{}' {} (write http://host[:port]/path or https://...)", text, why));
  };
  HttpUrl url;
  std::string_view rest;
  if (text.starts_with("https://")) {
    url.tls = true;
    url.port = 443;
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    return refuse("is not an http:// or https:// URL");
  }
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    url.target = std::string(rest.substr(path_start));
    if (url.target.front() == '?') url.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) return refuse("has user information; use headers instead");
  auto parsed = common::parse_authority(authority);
  if (!parsed) return refuse(parsed.error());
  if (parsed->port == 0) return refuse("has port 0");
  url.host = parsed->host;
  if (parsed->port) url.port = *parsed->port;
  for (char c : url.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '#')
      return refuse("has a space, control character or fragment");
  }
  return url;
}

lorawan::Result<void> check_http_header(std::string_view name, std::string_view value) {
  static constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  if (name.empty()) return std::unexpected("has an empty header name");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && kTokenPunctuation.find(c) == std::string_view::npos) {
      return std::unexpected("is not a valid header name");
    }
  }
  for (std::string_view own : {"host", "content-length", "content-type", "connection", "transfer-encoding"}) {
    if (std::ranges::equal(name, own,
                           [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
      return std::unexpected("is set by uchet itself");
    }
  }
  for (char c : value) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
      return std::unexpected("has a control character in its value");
    }
  }
  return {};
}

// The connection and the io_context its steps run on: each step is started asynchronously and
// the context run for at most the timeout; a step still running then is cancelled by closing
// the socket.
struct HttpPoster::Connection {
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::optional<tcp::socket> plain;
  std::optional<asio::ssl::stream<tcp::socket>> secure;
  beast::flat_buffer buffer;

  tcp::socket& socket() { return secure ? secure->next_layer() : *plain; }

  // Runs one asynchronous step to completion or timeout. On timeout `cancel` (by default:
  // closing the socket) makes the step complete with an error, and the context is run until it
  // has, so that no handler outlives the variables it writes.
  beast::error_code step(std::chrono::milliseconds timeout,
                         const std::function<void(std::function<void(beast::error_code)>)>& start,
                         const std::function<void()>& cancel = {}) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec) { result = ec; });
    io.restart();
    io.run_for(timeout);
    if (!result) {
      if (cancel) {
        cancel();
      } else {
        beast::error_code ignored;
        socket().close(ignored);
      }
      io.restart();
      io.run();
      return beast::error::timeout;
    }
    return *result;
  }
};

HttpPoster::HttpPoster(HttpUrl url, std::vector<std::pair<std::string, std::string>> headers, std::string ca_file,
                       std::chrono::milliseconds timeout)
    : url_(std::move(url)), headers_(std::move(headers)), ca_file_(std::move(ca_file)), timeout_(timeout) {}

HttpPoster::~HttpPoster() = default;

PostResult HttpPoster::post(std::string_view query, std::string_view body) {
  // A kept-alive connection the server has closed in the meantime fails on first use: one more
  // try on a new connection before the failure counts.
  const bool reused = connection_ != nullptr;
  auto result = attempt(query, body);
  if (result.status == 0 && reused) result = attempt(query, body);
  return result;
}

PostResult HttpPoster::attempt(std::string_view query, std::string_view body) {
  const auto failed = [this](std::string why) {
    connection_.reset();
    return PostResult{0, std::move(why)};
  };
  if (!connection_) {
    auto c = std::make_unique<Connection>();
    beast::error_code ec;
    tcp::resolver resolver(c->io);
    tcp::resolver::results_type endpoints;
    c->plain.emplace(c->io);
    // A resolve that outlives its timeout is cancelled (closing the socket would not stop it).
    ec = c->step(
        timeout_,
        [&](auto done) {
          resolver.async_resolve(url_.host, std::to_string(url_.port),
                                 [&endpoints, done](beast::error_code e, tcp::resolver::results_type r) {
                                   endpoints = std::move(r);
                                   done(e);
                                 });
        },
        [&resolver] { resolver.cancel(); });
    if (ec) return failed("cannot resolve " + url_.host + ": " + ec.message());
    if (url_.tls) {
      c->tls.set_verify_mode(asio::ssl::verify_peer);
      if (ca_file_.empty()) {
        c->tls.set_default_verify_paths(ec);
      } else {
        c->tls.load_verify_file(ca_file_, ec);
      }
      if (ec) return failed("cannot load the CA certificates: " + ec.message());
      c->plain.reset();
      c->secure.emplace(c->io, c->tls);
      c->secure->set_verify_callback(asio::ssl::host_name_verification(url_.host));
      // SNI, for servers that host several names.
      SSL_set_tlsext_host_name(c->secure->native_handle(), url_.host.c_str());
    }
    ec = c->step(timeout_, [&](auto done) {
      asio::async_connect(c->socket(), endpoints, [done](beast::error_code e, const tcp::endpoint&) { done(e); });
    });
    if (ec) return failed("cannot connect to " + url_.host + ":" + std::to_string(url_.port) + ": " + ec.message());
    if (c->secure) {
      ec = c->step(timeout_, [&](auto done) { c->secure->async_handshake(asio::ssl::stream_base::client, done); });
      if (ec) return failed("TLS handshake with " + url_.host + " failed: " + ec.message());
    }
    connection_ = std::move(c);
  }
  auto& c = *connection_;
  std::string target = url_.target;
  if (!query.empty()) target += (target.find('?') == std::string::npos ? "?" : "&") + std::string(query);
  http::request<http::string_body> request{http::verb::post, target, 11};
  const bool default_port = url_.port == (url_.tls ? 443 : 80);
  const std::string host = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
  request.set(http::field::host, default_port ? host : host + ":" + std::to_string(url_.port));
  request.set(http::field::user_agent, "uchet");
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers_) request.set(name, value);
  request.body() = std::string(body);
  request.keep_alive(true);
  request.prepare_payload();
  http::response<http::string_body> response;
  const auto io_step = [&](auto operation) {
    return c.step(timeout_, [&](auto done) {
      if (c.secure) {
        operation(*c.secure, done);
      } else {
        operation(*c.plain, done);
      }
    });
  };
  auto ec = io_step([&](auto& stream, auto done) {
    http::async_write(stream, request, [done](beast::error_code e, std::size_t) { done(e); });
  });
  if (ec) return failed("sending to " + url_.host + " failed: " + ec.message());
  ec = io_step([&](auto& stream, auto done) {
    http::async_read(stream, c.buffer, response, [done](beast::error_code e, std::size_t) { done(e); });
  });
  if (ec) return failed("no answer from " + url_.host + ": " + ec.message());
  const int status = static_cast<int>(response.result_int());
  if (!response.keep_alive()) connection_.reset();
  return PostResult{status, ""};
}

}  // namespace uchet::appserver
