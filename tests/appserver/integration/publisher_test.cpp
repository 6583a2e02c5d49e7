// OutboxPublisher against a real mosquitto broker: order, PUBACK-driven deletion, broker and
// publisher restarts, authentication. Every wait polls with a deadline.
#include <catch2/catch.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "appserver/integration/mqtt_publisher.h"
#include "appserver/integration/outbox.h"
#include "schema/database.h"
#include "schema/statement.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet;
using namespace std::chrono_literals;
using appserver::OutboxPublisher;
using test::eventually;
using test::MqttMessage;

namespace {

appserver::MqttSettings settings_for(int port) {
  appserver::MqttSettings s;
  s.host = "127.0.0.1";
  s.port = port;
  s.client_id = "uchet-test-publisher";
  s.keepalive_s = 10;
  return s;
}

// Reconnects quickly so that the tests stay short; otherwise the defaults.
appserver::PublisherOptions fast_options() {
  appserver::PublisherOptions o;
  o.reconnect_min = 200ms;
  o.reconnect_max = 500ms;
  o.connect_timeout = 3s;
  o.drain_timeout = 1s;
  return o;
}

// Enqueues events numbered first..first+count-1 in one transaction; returns what a subscriber
// must receive for them. Topics vary so that topic and payload are both checked.
std::vector<MqttMessage> enqueue(schema::Database& db, int first, int count) {
  std::vector<MqttMessage> expected;
  schema::Transaction tx(db);
  for (int n = first; n < first + count; ++n) {
    MqttMessage m{"uchet/test/" + std::to_string(n % 3), R"({"n":)" + std::to_string(n) + "}"};
    appserver::enqueue_event(db, m.topic, m.payload);
    expected.push_back(m);
  }
  tx.commit();
  return expected;
}

std::vector<MqttMessage> concat(std::vector<MqttMessage> a, const std::vector<MqttMessage>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::int64_t outbox_count(schema::Database& db) {
  schema::Statement q(db, "SELECT COUNT(*) FROM outbox");
  q.step();
  return q.int64(0);
}

}  // namespace

TEST_CASE("rows committed before start are published in id order and deleted after their PUBACK") {
  test::MosquittoBroker broker;
  test::MqttRecorder recorder(broker.port(), "recorder");
  REQUIRE(recorder.wait_subscribed(1, 5s));
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  // More than the in-flight window (100), so the window is refilled as PUBACKs come back.
  auto expected = enqueue(db, 1, 250);
  REQUIRE(outbox_count(db) == 250);

  OutboxPublisher publisher(settings_for(broker.port()), uchet::test::test_database_location(dir.path()),
                            fast_options());
  publisher.start();
  REQUIRE(recorder.wait_for(250, 10s));
  CHECK(recorder.messages() == expected);
  REQUIRE(eventually([&] { return outbox_count(db) == 0; }, 5s));
  CHECK(eventually([&] { return publisher.stats().backlog == 0; }, 2s));
  auto stats = publisher.stats();
  CHECK(stats.published == 250);
  CHECK(stats.acknowledged == 250);
  CHECK(stats.dropped == 0);
  CHECK(stats.connect_failures == 0);
  CHECK(stats.connected);

  publisher.stop();
  CHECK_FALSE(publisher.stats().connected);
  CHECK(recorder.messages().size() == 250);  // nothing sent twice
}

TEST_CASE("rows committed while running go out at once on notify() and by polling without it") {
  test::MosquittoBroker broker;
  test::MqttRecorder recorder(broker.port(), "recorder");
  REQUIRE(recorder.wait_subscribed(1, 5s));
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  auto options = fast_options();
  options.poll_interval = 3s;  // so that a prompt delivery can only come from notify()
  OutboxPublisher publisher(settings_for(broker.port()), uchet::test::test_database_location(dir.path()), options);
  publisher.start();
  REQUIRE(eventually([&] { return publisher.stats().connected; }, 5s));

  auto notified = enqueue(db, 1, 5);
  publisher.notify();
  REQUIRE(recorder.wait_for(5, 1500ms));

  // Another connection (another process, in production) commits without notifying.
  auto other = schema::Database::open(uchet::test::test_database_location(dir.path()));
  auto polled = enqueue(other, 6, 5);
  bool ok = recorder.wait_for(10, 5s);
  INFO("published " << publisher.stats().published << ", acknowledged " << publisher.stats().acknowledged
                    << ", backlog " << publisher.stats().backlog << ", outbox " << outbox_count(db));
  REQUIRE(ok);
  CHECK(recorder.messages() == concat(notified, polled));
  REQUIRE(eventually([&] { return outbox_count(db) == 0; }, 5s));
}

TEST_CASE("rows committed while the broker is down stay in the outbox and arrive in order after it restarts") {
  // Persistence keeps the recorder's session across the restart. Nothing is sent before the
  // stop: messages the broker is still delivering to the recorder at that moment would be
  // delivered again from its saved session, duplicates that are not the publisher's.
  test::MosquittoBroker broker({.persistence = true});
  test::MqttRecorder recorder(broker.port(), "recorder");
  REQUIRE(recorder.wait_subscribed(1, 5s));
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  OutboxPublisher publisher(settings_for(broker.port()), uchet::test::test_database_location(dir.path()),
                            fast_options());
  publisher.start();
  REQUIRE(eventually([&] { return publisher.stats().connected; }, 5s));

  broker.stop();
  REQUIRE(eventually([&] { return !publisher.stats().connected; }, 5s));
  auto during = enqueue(db, 1, 50);
  publisher.notify();
  auto failures = publisher.stats().connect_failures;
  REQUIRE(eventually([&] { return publisher.stats().connect_failures > failures; }, 5s));
  CHECK(outbox_count(db) == 50);
  CHECK(publisher.stats().published == 0);

  broker.start();
  REQUIRE(recorder.wait_for(50, 10s));
  REQUIRE(eventually([&] { return outbox_count(db) == 0; }, 5s));
  CHECK(recorder.messages() == during);
  auto stats = publisher.stats();
  CHECK(stats.published == 50);
  CHECK(stats.acknowledged == 50);
  CHECK(stats.connected);
}

TEST_CASE("a new publisher on the same database delivers what a destroyed one left behind, and only that") {
  test::MosquittoBroker broker;
  test::MqttRecorder recorder(broker.port(), "recorder");
  REQUIRE(recorder.wait_subscribed(1, 5s));
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));

  auto first = std::make_unique<OutboxPublisher>(settings_for(broker.port()),
                                                 uchet::test::test_database_location(dir.path()), fast_options());
  first->start();
  auto delivered = enqueue(db, 1, 5);
  first->notify();
  REQUIRE(recorder.wait_for(5, 5s));
  REQUIRE(eventually([&] { return outbox_count(db) == 0; }, 5s));

  broker.stop();
  REQUIRE(eventually([&] { return !first->stats().connected; }, 5s));
  auto pending = enqueue(db, 6, 10);
  first->notify();
  REQUIRE(eventually([&] { return first->stats().connect_failures > 0; }, 5s));
  auto t0 = std::chrono::steady_clock::now();
  first.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);  // stopping while disconnected does not hang
  CHECK(outbox_count(db) == 10);

  broker.start();
  REQUIRE(recorder.wait_subscribed(2, 5s));  // the broker forgot its session: it subscribed again
  OutboxPublisher second(settings_for(broker.port()), uchet::test::test_database_location(dir.path()), fast_options());
  second.start();
  REQUIRE(recorder.wait_for(15, 5s));
  CHECK(recorder.messages() == concat(delivered, pending));
  REQUIRE(eventually([&] { return outbox_count(db) == 0; }, 5s));
  CHECK(second.stats().published == 10);
  CHECK(second.stats().acknowledged == 10);
}

TEST_CASE(
    "a password-protected broker gets nothing with wrong credentials (rows are kept) and everything with the right "
    "ones") {
  test::MosquittoBroker broker({.username = "uchet", .password = "s3cret"});
  test::MqttRecorder recorder(broker.port(), "recorder", "#", "uchet", "s3cret");
  REQUIRE(recorder.wait_subscribed(1, 5s));
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  auto expected = enqueue(db, 1, 5);

  auto settings = settings_for(broker.port());
  for (std::string password : {"wrong", ""}) {
    INFO("password '" << password << "'");
    settings.username = password.empty() ? "" : "uchet";  // "": anonymous
    settings.password = password;
    OutboxPublisher publisher(settings, uchet::test::test_database_location(dir.path()), fast_options());
    publisher.start();
    REQUIRE(eventually([&] { return publisher.stats().connect_failures >= 2; }, 5s));
    CHECK(publisher.stats().published == 0);
    CHECK_FALSE(publisher.stats().connected);
  }
  CHECK(outbox_count(db) == 5);
  CHECK(recorder.messages().empty());

  settings.username = "uchet";
  settings.password = "s3cret";
  OutboxPublisher publisher(settings, uchet::test::test_database_location(dir.path()), fast_options());
  publisher.start();
  REQUIRE(recorder.wait_for(5, 5s));
  CHECK(recorder.messages() == expected);
  REQUIRE(eventually([&] { return outbox_count(db) == 0; }, 5s));
  CHECK(publisher.stats().connect_failures == 0);
}

TEST_CASE(
    "acknowledged rows handed off for deletion are not sent again, even across a reconnect, and a refused hand-off is "
    "deleted by the publisher") {
  test::MosquittoBroker broker;
  test::MqttRecorder recorder(broker.port(), "recorder");
  REQUIRE(recorder.wait_subscribed(1, 5s));
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));

  std::mutex mutex;
  std::vector<std::int64_t> handed;  // what the "writer" was given and has not deleted yet
  bool accept = true;
  auto options = fast_options();
  options.delete_interval = 50ms;
  options.poll_interval = 50ms;
  options.hand_off_acked = [&](const std::vector<std::int64_t>& ids) {
    std::lock_guard lock(mutex);
    if (!accept) return false;
    handed.insert(handed.end(), ids.begin(), ids.end());
    return true;
  };
  auto handed_count = [&] {
    std::lock_guard lock(mutex);
    return handed.size();
  };
  OutboxPublisher publisher(settings_for(broker.port()), uchet::test::test_database_location(dir.path()), options);
  publisher.start();
  auto first = enqueue(db, 1, 5);
  publisher.notify();
  REQUIRE(recorder.wait_for(5, 5s));
  REQUIRE(eventually([&] { return handed_count() == 5; }, 5s));
  CHECK(outbox_count(db) == 5);  // handed off, not deleted by the publisher

  // The broker restarts before the writer deleted them: the new connection starts again from
  // the oldest row, but skips the ones handed off.
  broker.stop();
  REQUIRE(eventually([&] { return !publisher.stats().connected; }, 5s));
  broker.start();
  REQUIRE(recorder.wait_subscribed(2, 5s));
  REQUIRE(eventually([&] { return publisher.stats().connected; }, 5s));
  auto second = enqueue(db, 6, 3);
  publisher.notify();
  REQUIRE(recorder.wait_for(8, 5s));
  REQUIRE(eventually([&] { return handed_count() == 8; }, 5s));
  std::this_thread::sleep_for(300ms);  // several polls: nothing is sent twice
  CHECK(recorder.messages() == concat(first, second));
  CHECK(publisher.stats().published == 8);

  // The writer deletes what it was given; then a refused hand-off leaves the deleting to the
  // publisher.
  {
    std::lock_guard lock(mutex);
    appserver::delete_outbox_rows(db, handed);
    handed.clear();
    accept = false;
  }
  auto third = enqueue(db, 9, 2);
  publisher.notify();
  REQUIRE(recorder.wait_for(10, 5s));
  REQUIRE(eventually([&] { return outbox_count(db) == 0; }, 5s));
  CHECK(handed_count() == 0);
  CHECK(recorder.messages() == concat(concat(first, second), third));
}

TEST_CASE(
    "ssl:// publishes over TLS, verifying the broker against the configured CA, and never falls back to plain TCP") {
  test::MosquittoBroker broker({.tls = true});
  test::MqttRecorder recorder(broker.port(), "recorder");  // subscribes on the plain listener
  REQUIRE(recorder.wait_subscribed(1, 5s));
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  auto expected = enqueue(db, 1, 3);

  struct Attempt {
    const char* what;
    int port;
    std::string ca_file;
  };
  const std::vector<Attempt> refused = {
      {"the OS's CAs do not know the test CA", broker.tls_port(), ""},
      {"ssl:// without a CA file is still TLS, never plain TCP", broker.port(), ""},
      {"ssl:// with a CA file is TLS, never plain TCP", broker.port(), broker.ca_file()},
  };
  for (const auto& attempt : refused) {
    INFO(attempt.what);
    auto settings = settings_for(attempt.port);
    settings.tls = true;
    settings.ca_file = attempt.ca_file;
    OutboxPublisher publisher(settings, uchet::test::test_database_location(dir.path()), fast_options());
    publisher.start();
    REQUIRE(eventually([&] { return publisher.stats().connect_failures >= 2; }, 5s));
    CHECK(publisher.stats().published == 0);
  }
  CHECK(recorder.messages().empty());

  auto settings = settings_for(broker.tls_port());
  settings.tls = true;
  settings.ca_file = broker.ca_file();
  OutboxPublisher publisher(settings, uchet::test::test_database_location(dir.path()), fast_options());
  publisher.start();
  REQUIRE(recorder.wait_for(3, 5s));
  CHECK(recorder.messages() == expected);
  CHECK(publisher.stats().connect_failures == 0);
}

TEST_CASE("the publisher says since when it has had no broker, for /ready") {
  test::MosquittoBroker broker;
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  const auto started = std::chrono::system_clock::now();
  auto settings = settings_for(broker.port());
  broker.stop();
  OutboxPublisher publisher(settings, uchet::test::test_database_location(dir.path()), fast_options());
  publisher.start();
  REQUIRE(eventually([&] { return publisher.stats().connect_failures >= 1; }, 5s));
  auto stats = publisher.stats();
  REQUIRE(stats.disconnected_since);
  CHECK(*stats.disconnected_since <= started + 1s);  // since the start: it never had one
  broker.start();
  REQUIRE(eventually([&] { return publisher.stats().connected; }, 5s));
  CHECK_FALSE(publisher.stats().disconnected_since);
  const auto lost = std::chrono::system_clock::now();
  broker.stop();
  REQUIRE(eventually([&] { return !publisher.stats().connected; }, 5s));
  REQUIRE(publisher.stats().disconnected_since);
  CHECK(*publisher.stats().disconnected_since >= lost - 1s);
}
