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
  CHECK(metric_sample(metrics.body, "uchet_uplinks_accepted_total") == 1);
  CHECK(metric_sample(metrics.body, "uchet_joins_accepted_total") == 1);
  CHECK(metric_sample(metrics.body, "uchet_receptions_total") == 2);
  CHECK(metric_sample(metrics.body, "uchet_mqtt_connected") == 1);
  // What needs SQL (read at start and every 5 s), the histograms, the WAL.
  CHECK(metric_sample(metrics.body, "uchet_devices") == 1);
  CHECK(metric_sample(metrics.body, "uchet_sessions") >= 0);
  CHECK(metric_sample(metrics.body,
                      "uchet_gateway_uplinks_total{gateway_id=\"0016c001ff000001\",stage=\"received\"}") >= 0);
  CHECK(metric_sample(metrics.body, "uchet_outbox_oldest_row_age_seconds") >= 0);
  CHECK(metric_sample(metrics.body, "uchet_uplink_stored_latency_seconds_count") == 2);  // the join and the uplink
  CHECK(metric_sample(metrics.body, "uchet_commit_duration_seconds_count") >= 1);
  CHECK(metric_sample(metrics.body, "uchet_wal_size_bytes") > 0);
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
