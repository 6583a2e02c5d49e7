#include "tests/support/http_test_server.h"

#include <algorithm>
#include <optional>
#include <thread>

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/support/mosquitto_broker.h"
#include "tests/support/process.h"

namespace uchet::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// One thread per connection, synchronous: a test server serves a handful of connections.
class HttpTestServer::Impl {
 public:
  Impl(int port, const HttpServerTls* tls, std::mutex& mutex, std::vector<ReceivedRequest>& requests,
       std::atomic<int>& status)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port))),
        mutex_(mutex),
        requests_(requests),
        status_(status) {
    if (tls) {
      tls_.emplace(asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(tls->cert_file);
      tls_->use_private_key_file(tls->key_file, asio::ssl::context::pem);
    }
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~Impl() {
    beast::error_code ignored;
    {
      std::lock_guard lock(sockets_mutex_);
      stopping_ = true;
    }
    // Closing a socket does not wake a thread blocked in accept() or read() on Linux;
    // shutdown() does.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    acceptor_.close(ignored);
    {
      std::lock_guard lock(sockets_mutex_);
      for (auto* s : sockets_) {
        s->shutdown(tcp::socket::shutdown_both, ignored);
        s->close(ignored);
      }
    }
    if (accept_thread_.joinable()) accept_thread_.join();
    for (auto& t : connection_threads_) t.join();
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      connection_threads_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  template <class Stream>
  void exchange(Stream& stream) {
    beast::flat_buffer buffer;
    while (!stopping_) {
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(stream, buffer, request, ec);
      if (ec) return;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(ReceivedRequest{std::string(request.method_string()), std::string(request.target()),
                                            std::string(request[http::field::content_type]),
                                            std::string(request[http::field::authorization]), request.body()});
      }
      http::response<http::string_body> response{static_cast<http::status>(status_.load()), request.version()};
      response.keep_alive(request.keep_alive());
      response.body() = "{}";
      response.prepare_payload();
      http::write(stream, response, ec);
      if (ec || !request.keep_alive()) return;
    }
  }

  void serve(tcp::socket socket) {
    {
      std::lock_guard lock(sockets_mutex_);
      if (stopping_) return;  // accepted while the server stops: the destructor would not see it
      sockets_.push_back(&socket);
    }
    if (tls_) {
      asio::ssl::stream<tcp::socket&> stream(socket, *tls_);
      beast::error_code ec;
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (!ec) exchange(stream);
    } else {
      exchange(socket);
    }
    std::lock_guard lock(sockets_mutex_);
    sockets_.erase(std::find(sockets_.begin(), sockets_.end(), &socket));
  }

  asio::io_context io_;
  std::optional<asio::ssl::context> tls_;
  tcp::acceptor acceptor_;
  std::mutex& mutex_;
  std::vector<ReceivedRequest>& requests_;
  std::atomic<int>& status_;
  std::atomic<bool> stopping_{false};
  std::mutex sockets_mutex_;
  std::vector<tcp::socket*> sockets_;
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;  // accept thread only, joined after it
};

HttpTestServer::HttpTestServer(std::unique_ptr<HttpServerTls> tls) : tls_(std::move(tls)), port_(free_port()) {}

HttpTestServer::~HttpTestServer() { stop(); }

void HttpTestServer::start() {
  if (!impl_) impl_ = std::make_unique<Impl>(port_, tls_.get(), mutex_, requests_, status_);
}

void HttpTestServer::stop() { impl_.reset(); }

void HttpTestServer::set_status(int status) { status_ = status; }

std::vector<ReceivedRequest> HttpTestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool HttpTestServer::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
  return eventually([&] { return requests().size() >= count; }, timeout);
}

}  // namespace uchet::test
