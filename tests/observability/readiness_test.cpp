// /ready's verdict and its reasons, for each condition that can break.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tools/uchetd/operator_view.h"

using namespace uchet;
using namespace std::chrono_literals;

namespace {

ReadinessInputs healthy() {
  ReadinessInputs in;
  in.network_server_answered = true;
  in.database = {};
  in.publisher.connected = true;
  in.now = std::chrono::system_clock::time_point(1'800'000'000s);
  in.broker_grace = 300s;
  return in;
}

nlohmann::json reasons(const observability::HttpResponse& r) {
  return nlohmann::json::parse(r.body).value("reasons", nlohmann::json::array());
}

}  // namespace

TEST_CASE("ready while every part works, and each broken part turns it to 503 with its reason") {
  auto ok = readiness(healthy());
  CHECK(ok.status == 200);
  CHECK(nlohmann::json::parse(ok.body)["ready"] == true);

  auto in = healthy();
  in.network_server_answered = false;
  auto r = readiness(in);
  CHECK(r.status == 503);
  CHECK(reasons(r).dump().find("network server") != std::string::npos);

  in = healthy();
  in.database = std::unexpected("database is locked");
  r = readiness(in);
  CHECK(r.status == 503);
  CHECK(reasons(r).dump().find("database is locked") != std::string::npos);

  in = healthy();
  in.publisher.connected = false;
  in.publisher.backlog = 42;
  in.publisher.disconnected_since = in.now - 299s;  // within the grace: events wait, nothing is lost
  CHECK(readiness(in).status == 200);
  in.publisher.disconnected_since = in.now - 300s;
  r = readiness(in);
  CHECK(r.status == 503);
  CHECK(reasons(r).dump().find("unreachable for 300 s; 42 events wait") != std::string::npos);
}
