#include "observability/http_endpoint.h"

#include <atomic>
#include <optional>
#include <thread>

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/callback_guard.h"

namespace uchet::observability {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint32_t kMaxHeaderBytes = 8192;

struct Shared {
  HttpEndpointOptions options;
  HttpEndpoint::Handler handler;
  std::atomic<std::size_t> open{0};
  std::atomic<std::uint64_t> requests{0}, refused{0};
};

bool authorized(const Shared& shared, const http::request<http::empty_body>& request) {
  if (shared.options.token.empty()) return true;
  const auto header = request[http::field::authorization];
  const std::string expected = "Bearer " + shared.options.token;
  return header.size() == expected.size() && CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

HttpResponse answer(Shared& shared, const http::request<http::empty_body>& request) {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return {405, "application/json", R"({"error":"only GET and HEAD"})"};
  }
  if (!authorized(shared, request)) return {401, "application/json", R"({"error":"a bearer token is required"})"};
  std::string path(request.target());
  if (auto query = path.find('?'); query != std::string::npos) path.resize(query);
  if (path != "/metrics" && path != "/health" && path != "/ready")
    return {404, "application/json", R"({"error":"not found"})"};
  try {
    return shared.handler(path);
  } catch (const std::exception& e) {
    spdlog::error("http: {} failed: {}", path, e.what());
    return {500, "application/json", R"({"error":"internal error"})"};
  }
}

// One connection: requests read one at a time (keep-alive), each within the read timeout.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}
  ~Session() { --shared_->open; }

  void read() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(0);
    stream_.expires_after(shared_->options.read_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      common::run_guarded("http: read", [&] { self->on_read(ec); });
    });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec != http::error::end_of_stream) ++shared_->refused;  // timeout, oversized or malformed
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    const auto& request = parser_->get();
    HttpResponse reply = answer(*shared_, request);
    ++shared_->requests;
    auto response =
        std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), request.version());
    response->set(http::field::server, "uchetd");
    response->set(http::field::content_type, reply.content_type);
    response->set(http::field::cache_control, "no-store");
    if (reply.status == 401) response->set(http::field::www_authenticate, "Bearer");
    response->body() = request.method() == http::verb::head ? std::string() : std::move(reply.body);
    response->keep_alive(request.keep_alive());
    response->prepare_payload();
    stream_.expires_after(shared_->options.read_timeout);
    http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
      common::run_guarded("http: write", [&self, &response, ec] {
        if (!ec && response->keep_alive()) self->read();
      });
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{kMaxHeaderBytes};
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::shared_ptr<Shared> shared_;
};

std::expected<tcp::endpoint, std::string> parse_bind(const std::string& bind) {
  const auto colon = bind.rfind(':');
  if (colon == std::string::npos) return std::unexpected("http.bind '" + bind + "' must be host:port");
  std::string host = bind.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return std::unexpected("http.bind '" + bind + "': '" + host + "' is not an IP address");
  unsigned port = 0;
  try {
    std::size_t used = 0;
    port = static_cast<unsigned>(std::stoul(bind.substr(colon + 1), &used));
    if (used != bind.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return std::unexpected("http.bind '" + bind + "' must end with a port 0-65535");
  }
  return tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

}  // namespace

struct HttpEndpoint::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::thread thread;
  std::uint16_t port = 0;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      common::run_guarded("http: accept", [&] {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
          if (shared->open.load() >= shared->options.max_connections) {
            ++shared->refused;  // closed at once: a flood of connections costs one accept each
          } else {
            ++shared->open;
            std::make_shared<Session>(std::move(socket), shared)->read();
          }
        }
      });
      if (acceptor.is_open()) accept();
    });
  }
};

HttpEndpoint::HttpEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::expected<std::unique_ptr<HttpEndpoint>, std::string> HttpEndpoint::start(const HttpEndpointOptions& options,
                                                                              Handler handler) {
  auto endpoint = parse_bind(options.bind);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto impl = std::make_unique<Impl>();
  impl->shared->options = options;
  impl->shared->handler = std::move(handler);
  boost::system::error_code ec;
  impl->acceptor.open(endpoint->protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(*endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected("http.bind " + options.bind + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  impl->accept();
  auto* raw = impl.get();
  impl->thread = std::thread([raw] {
    pthread_setname_np(pthread_self(), "http");
    raw->io.run();
  });
  return std::unique_ptr<HttpEndpoint>(new HttpEndpoint(std::move(impl)));
}

HttpEndpoint::~HttpEndpoint() { stop(); }

void HttpEndpoint::stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->io.stop();
  });
  impl_->thread.join();
}

std::uint16_t HttpEndpoint::port() const { return impl_->port; }
std::uint64_t HttpEndpoint::requests() const { return impl_->shared->requests.load(); }
std::uint64_t HttpEndpoint::refused_connections() const { return impl_->shared->refused.load(); }

}  // namespace uchet::observability
