// uchetd's operator endpoint end to end: the counters of real traffic on /metrics (accepted by
// promtool), /health, and /ready turning to 503 while the database takes no writes.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "schema/database.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/test_sql.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000e01;

// uchetd running with one device joined and one uplink published.
struct OneUplinkServed {
  sim::SimulatedDevice device{otaa_device(kDevEui)};
  NetworkUnderTest net;
  OneUplinkServed() {
    net.add_device(device.identity());
    net.start();
    sim::SimulatedGateway gateway(kGateway1, net.bridge());
    REQUIRE(gateway.pull(1s));
    join(device, gateway);
    auto frame = device.uplink({.fport = 2, .payload = {0x2a}});
    REQUIRE(frame);
    REQUIRE(gateway.push(*frame, heard()).acked);
    REQUIRE(net.wait_events("up", kDevEui, 1).size() == 1);
  }
};

// Ends every session on the test's PostgreSQL database but the caller's (uchetd's connections
// among them), as a switchover does; uchetd opens its connections again.
void end_other_sessions(const std::string& location) {
  sql_int64s(location,
             "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()");
}

}  // namespace

TEST_CASE("uchetd serves /metrics, /health and /ready on [http] bind") {
  OneUplinkServed served;
  auto& net = served.net;

  CHECK(http_get(net.http_port(), "/health").status == 200);
  auto metrics = http_get(net.http_port(), "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.content_type.starts_with("text/plain; version=0.0.4"));
  CHECK(metric_sample(metrics.body, "uchet_uplinks_accepted_total") == 1);
  CHECK(metric_sample(metrics.body, "uchet_joins_accepted_total") == 1);
  CHECK(metric_sample(metrics.body, "uchet_receptions_total") == 2);
  CHECK(metric_sample(metrics.body, "uchet_mqtt_connected") == 1);
  // What needs SQL (read at start and every 5 s), the histograms.
  CHECK(metric_sample(metrics.body, "uchet_devices") == 1);
  CHECK(metric_sample(metrics.body, "uchet_sessions") >= 0);
  CHECK(metric_sample(metrics.body,
                      "uchet_gateway_uplinks_total{gateway_id=\"0016c001ff000001\",stage=\"received\"}") >= 0);
  CHECK(metric_sample(metrics.body, "uchet_outbox_oldest_row_age_seconds") >= 0);
  CHECK(metric_sample(metrics.body, "uchet_uplink_stored_latency_seconds_count") == 2);  // the join and the uplink
  CHECK(metric_sample(metrics.body, "uchet_commit_duration_seconds_count") >= 1);
  auto promtool = run({"/usr/bin/promtool", "check", "metrics"}, metrics.body);
  INFO(promtool.out << promtool.err);
  CHECK(promtool.exit_code == 0);
  CHECK(http_get(net.http_port(), "/ready").status == 200);
}

// The WAL is SQLite's own (uchet_wal_size_bytes stays 0 on PostgreSQL).
TEST_CASE("/metrics shows the size of SQLite's WAL", "[sqlite-only]") {
  OneUplinkServed served;
  CHECK(metric_sample(http_get(served.net.http_port(), "/metrics").body, "uchet_wal_size_bytes") > 0);
}

TEST_CASE("/ready is 503 while the database takes no writes, 200 again after, and uchetd goes on storing") {
  OneUplinkServed served;
  auto& net = served.net;
  const auto location = net.database();
  CHECK(http_get(net.http_port(), "/ready").status == 200);
  if (testing_postgresql()) {
    // PostgreSQL has no database-wide write lock (a table lock does not stop writes elsewhere):
    // what makes it refuse writes is a read-only database, as a standby is after a switchover,
    // which also ends every session. uchetd's sessions are opened again, read-only.
    const std::string database = *sql_texts(location, "SELECT current_database()").at(0);
    sql_exec(location, "ALTER DATABASE \"" + database + "\" SET default_transaction_read_only = on");
    end_other_sessions(location);
    HttpReply blocked;
    CHECK(eventually(
        [&] {
          blocked = http_get(net.http_port(), "/ready");
          return blocked.status == 503 && blocked.body.find("read-only") != std::string::npos;
        },
        10s));
    INFO(blocked.body);
    // This session is read-only too: its transaction asks to write first.
    sql_exec(location,
             "SET TRANSACTION READ WRITE; ALTER DATABASE \"" + database + "\" RESET default_transaction_read_only");
    end_other_sessions(location);
    CHECK(eventually([&] { return http_get(net.http_port(), "/ready").status == 200; }, 10s));
  } else {
    // Another connection holds the write lock: uchetd cannot write, and says so.
    auto blocker = schema::Database::open(location);
    blocker.exec("BEGIN EXCLUSIVE");
    auto blocked = http_get(net.http_port(), "/ready", {}, 15s);
    CHECK(blocked.status == 503);
    CHECK(blocked.body.find("database") != std::string::npos);
    blocker.exec("ROLLBACK");
    CHECK(http_get(net.http_port(), "/ready").status == 200);
  }
  // uchetd writes again: the next uplink is stored and published.
  sim::SimulatedGateway gateway(kGateway1, net.bridge());
  REQUIRE(gateway.pull(1s));
  auto frame = served.device.uplink({.fport = 2, .payload = {0x2b}});
  REQUIRE(frame);
  REQUIRE(gateway.push(*frame, heard()).acked);
  CHECK(net.wait_events("up", kDevEui, 2, 10s).size() == 2);
  CHECK(net.uchetd_running());
}
