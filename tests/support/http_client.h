#pragma once
// A plain HTTP/1.1 GET against 127.0.0.1 for the tests of uchetd's operator endpoint
// (Boost.Beast, synchronous, one connection per request).
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace uchet::test {

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused or closed, timeout)
  std::string content_type;
  std::string body;
};

HttpReply http_get(int port, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace uchet::test
