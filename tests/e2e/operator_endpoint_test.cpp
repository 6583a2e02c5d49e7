// uchetd's operator endpoint end to end: the counters of real traffic on /metrics (accepted by
// promtool), /health, and /ready turning to 503 while the database takes no writes.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "schema/database.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/http_client.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000e01;

// The value of the sample line that starts with `series` ("name{labels}"), or -1.
double sample(const std::string& metrics, const std::string& series) {
  const auto at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("uchetd serves /metrics, /health and /ready on [http] bind") {
  sim::SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  net.add_device(device.identity());
  net.start();
  sim::SimulatedGateway gateway(kGateway1, net.bridge());
  REQUIRE(gateway.pull(1s));
  join(device, gateway);
  auto frame = device.uplink({.fport = 2, .payload = {0x2a}});
  REQUIRE(frame);
  REQUIRE(gateway.push(*frame, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1).size() == 1);

  CHECK(http_get(net.http_port(), "/health").status == 200);
  auto metrics = http_get(net.http_port(), "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.content_type.starts_with("text/plain; version=0.0.4"));
  CHECK(sample(metrics.body, "uchet_uplinks_accepted_total") == 1);
  CHECK(sample(metrics.body, "uchet_joins_accepted_total") == 1);
  CHECK(sample(metrics.body, "uchet_receptions_total") == 2);
  CHECK(sample(metrics.body, "uchet_mqtt_connected") == 1);
  auto promtool = run({"/usr/bin/promtool", "check", "metrics"}, metrics.body);
  INFO(promtool.out << promtool.err);
  CHECK(promtool.exit_code == 0);

  auto ready = http_get(net.http_port(), "/ready");
  CHECK(ready.status == 200);
  {
    // Another connection holds the write lock: uchetd cannot write, and says so.
    auto blocker = schema::Database::open(net.database());
    blocker.exec("BEGIN EXCLUSIVE");
    auto blocked = http_get(net.http_port(), "/ready", {}, 15s);
    CHECK(blocked.status == 503);
    CHECK(blocked.body.find("database") != std::string::npos);
    blocker.exec("ROLLBACK");
  }
  CHECK(http_get(net.http_port(), "/ready").status == 200);
}
