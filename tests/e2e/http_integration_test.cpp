// The HTTP integration through uchetd: a device's up events reach a real HTTP server of the
// test, POSTed as their MQTT payload with ?event=up, in order, although the server was down
// when they happened; kinds outside the endpoint's `events` filter are not sent.
#include <catch2/catch.hpp>

#include "tests/e2e/network_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/http_test_server.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000f01;

}  // namespace

TEST_CASE("up events reach an HTTP endpoint that was down when they happened, in order, as their MQTT payload") {
  HttpTestServer server;  // down until the uplinks are stored
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hook";
  OneDeviceJoinedOver<OverUdp> setup(otaa_device(kDevEui), [&](NetworkUnderTest& net, const sim::DeviceIdentity& id) {
    net.extra_config = "[[integration.http]]\nurl = \"" + url +
                       "\"\nheaders = { Authorization = \"Bearer e2e-token\" }\nevents = [\"up\"]\n";
    net.add_device(id);
  });
  auto& [device, net, gateway] = setup;
  for (int n = 0; n < 3; ++n) {
    auto frame = device.uplink({.fport = 2, .payload = {static_cast<std::uint8_t>(n)}});
    REQUIRE(frame);
    REQUIRE(gateway.push(*frame, heard()).acked);
    REQUIRE(net.wait_events("up", kDevEui, n + 1).size() == static_cast<std::size_t>(n + 1));
  }
  CHECK(server.requests().empty());
  server.start();
  REQUIRE(server.wait_for(3, 30s));
  const auto requests = server.requests();
  const auto mqtt_ups = net.events("up", kDevEui);
  REQUIRE(requests.size() == 3);  // the join is outside the filter
  REQUIRE(mqtt_ups.size() == 3);
  for (int n = 0; n < 3; ++n) {
    INFO(n);
    CHECK(requests[n].method == "POST");
    CHECK(requests[n].target == "/hook?event=up");
    CHECK(requests[n].content_type == "application/json");
    CHECK(requests[n].authorization == "Bearer e2e-token");
    const auto body = nlohmann::json::parse(requests[n].body);
    CHECK(body["fCnt"] == n);
    CHECK(body == mqtt_ups[n]);
  }
  // Counted where the operator looks: /metrics.
  const std::string delivered = "uchet_webhook_delivered_total{url=\"" + url + "\"} 3";
  CHECK(
      eventually([&] { return http_get(net.http_port(), "/metrics").body.find(delivered) != std::string::npos; }, 5s));
  REQUIRE(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM http_outbox") == 0; }, 5s));
  CHECK(net.stop_uchetd(SIGTERM) == 0);
  CHECK_THAT(net.uchetd_log(), Catch::Contains("HTTP integration " + url + ": 3 events delivered"));
}
