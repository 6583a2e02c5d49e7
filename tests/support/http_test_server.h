#pragma once
// A webhook receiver for the tests of the HTTP integration: a Boost.Beast HTTP/1.1 server on a
// loopback port, plain or TLS (with a TestCertificates server certificate), on a thread of its
// own. It records every request and answers with the status set (200 by default); it can be
// stopped and started again on the same port, to play an endpoint that is down for a while.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace uchet::test {

struct ReceivedRequest {
  std::string method;
  std::string target;  // path and query
  std::string content_type;
  std::string authorization;
  std::string body;
};

struct HttpServerTls {
  std::string cert_file;  // PEM server certificate and key
  std::string key_file;
};

class HttpTestServer {
 public:
  // Picks a free port; listens once start() is called.
  explicit HttpTestServer(std::unique_ptr<HttpServerTls> tls = nullptr);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  void start();
  void stop();  // closes the listener and every connection
  int port() const { return port_; }
  void set_status(int status);
  std::vector<ReceivedRequest> requests() const;
  // Waits until at least `count` requests have arrived (or `timeout` passed).
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  class Impl;
  std::unique_ptr<HttpServerTls> tls_;
  int port_;
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  std::atomic<int> status_{200};
  std::unique_ptr<Impl> impl_;  // last: stopped before the state its threads write
};

}  // namespace uchet::test
