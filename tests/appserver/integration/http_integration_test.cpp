// Webhook delivery against a real HTTP server on a loopback port: events committed while the
// endpoint is down are all delivered, in order, once it is up; TLS is verified against the CA
// given (and a server the CA store does not vouch for gets nothing); refusals are not retried.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "appserver/integration/http_integration.h"
#include "appserver/integration/http_poster.h"
#include "appserver/integration/outbox.h"
#include "schema/database.h"
#include "schema/http_outbox.h"
#include "tests/support/http_test_server.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet;
using namespace std::chrono_literals;

namespace {

constexpr const char* kUp = "application/water/device/0011223344556677/event/up";
constexpr const char* kJoin = "application/water/device/0011223344556677/event/join";

appserver::HttpDeliveryOptions fast() {
  appserver::HttpDeliveryOptions o;
  o.retry_min = 20ms;
  o.retry_max = 200ms;
  o.poll_interval = 50ms;
  o.delete_interval = 50ms;
  return o;
}

void add_events(schema::Database& db, int from, int to, const char* topic = kUp) {
  schema::Transaction tx(db);
  for (int n = from; n < to; ++n) appserver::enqueue_event(db, topic, nlohmann::json{{"fCnt", n}}.dump());
  tx.commit();
}

}  // namespace

TEST_CASE("events stored while the endpoint is down are delivered in order once it is up, then deleted") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  test::HttpTestServer server;
  appserver::HttpEndpointSettings settings;
  settings.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hook?token=abc";
  settings.headers = {{"Authorization", "Bearer secret"}};
  settings.timeout = 2s;
  const auto ids = schema::sync_http_endpoints(db, {settings.url});
  REQUIRE(ids.size() == 1);
  add_events(db, 0, 5);
  add_events(db, 0, 1, "gateway/0011223344556677/event/stats");  // not a device event: skipped
  appserver::HttpIntegration delivery(settings, ids[0], uchet::test::test_database_location(dir.path()),
                                      appserver::TopicLayout{}, fast());
  delivery.start();
  REQUIRE(test::eventually([&] { return delivery.stats().failed >= 2; }, 5s));
  CHECK(delivery.stats().retrying);
  CHECK(delivery.stats().delivered == 0);
  add_events(db, 5, 8);
  add_events(db, 100, 101, kJoin);
  server.start();
  delivery.notify();
  REQUIRE(server.wait_for(9, 10s));
  REQUIRE(test::eventually([&] { return delivery.stats().delivered == 9 && delivery.stats().backlog == 0; }, 5s));
  const auto requests = server.requests();
  REQUIRE(requests.size() == 9);
  for (int n = 0; n < 8; ++n) {
    INFO(n);
    CHECK(requests[n].method == "POST");
    CHECK(requests[n].target == "/hook?token=abc&event=up");
    CHECK(requests[n].content_type == "application/json");
    CHECK(requests[n].authorization == "Bearer secret");
    CHECK(nlohmann::json::parse(requests[n].body)["fCnt"] == n);
  }
  CHECK(requests[8].target == "/hook?token=abc&event=join");
  CHECK_FALSE(delivery.stats().retrying);
  CHECK(schema::http_outbox_backlog(db, ids[0]) == 0);
  delivery.stop();
  CHECK(appserver::outbox_backlog(db) == 10);  // MQTT's own rows are untouched by HTTP delivery
}

TEST_CASE("an endpoint's event filter and refusals: refused events are dropped, not retried") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  test::HttpTestServer server;
  server.start();
  server.set_status(400);
  appserver::HttpEndpointSettings settings;
  settings.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  settings.events = {"join"};
  const auto ids = schema::sync_http_endpoints(db, {settings.url});
  add_events(db, 0, 3);
  add_events(db, 0, 2, kJoin);
  appserver::HttpIntegration delivery(settings, ids[0], uchet::test::test_database_location(dir.path()),
                                      appserver::TopicLayout{}, fast());
  delivery.start();
  REQUIRE(test::eventually([&] { return delivery.stats().dropped == 2; }, 5s));
  CHECK(server.requests().size() == 2);
  CHECK(server.requests()[0].target == "/?event=join");
  CHECK(delivery.stats().delivered == 0);
  CHECK(test::eventually([&] { return schema::http_outbox_backlog(db, ids[0]) == 0; }, 5s));
}

TEST_CASE("https endpoints are verified: the configured CA is trusted, the system store does not know the test CA") {
  test::TestCertificates certificates;
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  test::HttpTestServer server(std::make_unique<test::HttpServerTls>(
      test::HttpServerTls{certificates.server_cert_file, certificates.server_key_file}));
  server.start();
  appserver::HttpEndpointSettings trusted;
  trusted.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/uplinks";
  trusted.ca_file = certificates.ca_file;
  appserver::HttpEndpointSettings untrusted;
  untrusted.url = "https://localhost:" + std::to_string(server.port()) + "/uplinks";
  const auto ids = schema::sync_http_endpoints(db, {trusted.url, untrusted.url});
  add_events(db, 0, 2);
  appserver::HttpIntegration good(trusted, ids[0], uchet::test::test_database_location(dir.path()),
                                  appserver::TopicLayout{}, fast());
  appserver::HttpIntegration bad(untrusted, ids[1], uchet::test::test_database_location(dir.path()),
                                 appserver::TopicLayout{}, fast());
  good.start();
  bad.start();
  REQUIRE(test::eventually([&] { return good.stats().delivered == 2; }, 10s));
  REQUIRE(test::eventually([&] { return bad.stats().failed >= 2; }, 10s));
  CHECK(bad.stats().delivered == 0);
  CHECK(server.requests().size() == 2);  // only the verified endpoint's
  CHECK(schema::http_outbox_backlog(db, ids[1]) == 2);
}

TEST_CASE("http endpoint URLs are checked") {
  auto url = appserver::parse_http_url("https://hooks.example.com:8443/a/b?x=1");
  REQUIRE(url);
  CHECK(url->tls);
  CHECK(url->host == "hooks.example.com");
  CHECK(url->port == 8443);
  CHECK(url->target == "/a/b?x=1");
  auto plain = appserver::parse_http_url("http://[::1]");
  REQUIRE(plain);
  CHECK(plain->host == "::1");
  CHECK(plain->port == 80);
  CHECK(plain->target == "/");
  for (const char* bad : {"", "ftp://x/", "http://", "http://user:pw@x/", "http://x:0/", "http://x:99999/",
                          "http://x/a b", "http://x/#frag", "https//x/"}) {
    INFO(bad);
    CHECK_FALSE(appserver::parse_http_url(bad));
  }
}

TEST_CASE(
    "a dead endpoint's backlog is capped: the oldest events are discarded and counted, the rest delivered in order") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  test::HttpTestServer server;  // not started: the endpoint is down
  appserver::HttpEndpointSettings settings;
  settings.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  settings.max_backlog = 3;
  const auto ids = schema::sync_http_endpoints(db, {settings.url});
  add_events(db, 0, 10);
  appserver::HttpIntegration delivery(settings, ids[0], uchet::test::test_database_location(dir.path()),
                                      appserver::TopicLayout{}, fast());
  delivery.start();
  REQUIRE(test::eventually([&] { return delivery.stats().discarded == 7; }, 5s));
  CHECK(schema::http_outbox_backlog(db, ids[0]) == 3);
  server.start();
  // The event held for its retry (the oldest, fCnt 0) goes first, then the three newest.
  REQUIRE(server.wait_for(4, 10s));
  REQUIRE(test::eventually([&] { return schema::http_outbox_backlog(db, ids[0]) == 0; }, 5s));
  const auto requests = server.requests();
  REQUIRE(requests.size() == 4);
  CHECK(nlohmann::json::parse(requests[0].body)["fCnt"] == 0);
  for (int n = 1; n < 4; ++n) CHECK(nlohmann::json::parse(requests[n].body)["fCnt"] == 6 + n);
  CHECK(appserver::outbox_backlog(db) == 10);  // MQTT's outbox keeps every event
}

TEST_CASE("endpoints removed from the configuration lose their backlog and receive nothing more") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  const auto first = schema::sync_http_endpoints(db, {"http://a/", "http://b/"});
  add_events(db, 0, 2);
  const auto again = schema::sync_http_endpoints(db, {"http://b/"});
  REQUIRE(again.size() == 1);
  CHECK(again[0] == first[1]);  // a kept endpoint keeps its id and its backlog
  CHECK(schema::http_outbox_backlog(db, first[1]) == 2);
  CHECK(schema::http_outbox_backlog(db, first[0]) == 0);
  add_events(db, 2, 3);
  CHECK(schema::http_outbox_backlog(db, first[0]) == 0);
  CHECK(schema::http_outbox_backlog(db, first[1]) == 3);
}
