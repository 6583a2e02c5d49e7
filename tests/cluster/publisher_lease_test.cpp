// Two outbox publishers on one PostgreSQL database, as two uchetd instances run them: one holds
// the "outbox" lease and publishes, the other stands by; when the holder's lease connection
// dies the other takes over within seconds, and every event reaches the broker, in order per
// topic (appserver/integration/mqtt_publisher.h, schema/leader_lease.h). Registered for
// PostgreSQL only (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "appserver/integration/mqtt_publisher.h"
#include "appserver/integration/outbox.h"
#include "schema/database.h"
#include "schema/leader_lease.h"
#include "schema/statement.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet;
using namespace std::chrono_literals;
using test::eventually;

namespace {

appserver::MqttSettings settings_for(int port, const std::string& client_id) {
  appserver::MqttSettings s;
  s.host = "127.0.0.1";
  s.port = port;
  s.client_id = client_id;
  s.keepalive_s = 10;
  return s;
}

appserver::PublisherOptions options_with(schema::LeaderLease& lease) {
  appserver::PublisherOptions o;
  o.reconnect_min = 200ms;
  o.reconnect_max = 500ms;
  o.connect_timeout = 3s;
  o.drain_timeout = 1s;
  o.poll_interval = 50ms;
  o.lease = &lease;
  return o;
}

// Events n = first..first+count-1 on three topics ("devices"), one transaction.
void enqueue(schema::Database& db, int first, int count) {
  schema::Transaction tx(db);
  for (int n = first; n < first + count; ++n)
    appserver::enqueue_event(db, "uchet/test/" + std::to_string(n % 3), std::to_string(n));
  tx.commit();
}

// The distinct events received.
std::size_t distinct(const std::vector<test::MqttMessage>& messages) {
  std::set<std::string> seen;
  for (const auto& m : messages) seen.insert(m.payload);
  return seen.size();
}

// Every event 0..count-1 arrived (at least once), and on each topic the first arrivals are in
// increasing order.
void check_delivery(const std::vector<test::MqttMessage>& messages, int count) {
  std::set<int> seen;
  std::map<std::string, int> last_new;  // per topic: the last event seen for the first time
  for (const auto& m : messages) {
    const int n = std::stoi(m.payload);
    if (!seen.insert(n).second) continue;  // a repeat after the handover (at least once)
    auto [it, fresh] = last_new.emplace(m.topic, n);
    if (!fresh) {
      CHECK(n > it->second);
      it->second = n;
    }
  }
  CHECK(seen.size() == static_cast<std::size_t>(count));
}

}  // namespace

TEST_CASE("of two publishers on one database one publishes, and when its lease dies the other takes over") {
  REQUIRE(test::testing_postgresql());
  test::TempDir dir;
  const auto location = test::test_database_location(dir.path());
  auto db = schema::Database::open(location);
  test::MosquittoBroker broker;
  test::MqttRecorder recorder(broker.port(), "recorder", "uchet/#");
  REQUIRE(recorder.wait_subscribed(1, 5s));

  schema::LeaderLease lease_a(location, "uchet-a", "outbox", 100ms), lease_b(location, "uchet-b", "outbox", 100ms);
  REQUIRE(lease_a.hold());  // A holds it from the start: the test knows whom to stop
  appserver::OutboxPublisher a(settings_for(broker.port(), "uchetd-uchet-a"), location, options_with(lease_a));
  appserver::OutboxPublisher b(settings_for(broker.port(), "uchetd-uchet-b"), location, options_with(lease_b));
  a.start();
  b.start();
  enqueue(db, 0, 60);
  REQUIRE(recorder.wait_for(60, 10s));
  CHECK(a.stats().published >= 60);
  CHECK(b.stats().published == 0);
  CHECK(eventually([&] { return b.stats().standby; }, 5s));
  CHECK_FALSE(b.stats().disconnected_since);  // standing by is not an outage (/ready)

  // A's lease connection dies (its host lost the database, say): PostgreSQL releases the lock.
  schema::Statement kill(db,
                         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                         "'uchetd uchet-a lease outbox'");
  REQUIRE(kill.step());
  kill.reset();
  CHECK(eventually([&] { return lease_b.held(); }, 10s));
  CHECK(eventually([&] { return a.stats().standby; }, 10s));
  enqueue(db, 60, 60);
  // B starts at the oldest row still stored: what A had not deleted yet comes again.
  REQUIRE(eventually([&] { return distinct(recorder.messages()) == 120; }, 20s));
  CHECK(b.stats().published >= 60);
  check_delivery(recorder.messages(), 120);
  a.stop();
  b.stop();
  CHECK(eventually(
      [&] {
        schema::Statement q(db, "SELECT COUNT(*) FROM outbox");
        return q.step() && q.int64(0) == 0;
      },
      5s));
}
