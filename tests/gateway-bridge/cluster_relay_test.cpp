// The downlink relay between two uchetd instances on one PostgreSQL
// (gateway-bridge/cluster_relay/cluster_relay.h), each a ClusterRelay in front of a real Semtech
// UDP backend, against the test cluster: a gateway whose PULL_DATA reaches instance B only gets
// the downlink instance A decided (PULL_RESP on the wire), and A hears the gateway's TX_ACK as
// the outcome of its send(); the holder refuses what its own scheduler refuses and what reached
// it too late; a dead holder costs a failure, never a success. The network servers are stood
// in for by the callbacks (admit, on_outcome). Registered for PostgreSQL only.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "gateway-bridge/cluster_relay/cluster_relay.h"
#include "gateway-bridge/cluster_relay/relayed_transmission.h"
#include "gateway-bridge/semtech_udp/udp_backend.h"
#include "schema/database.h"
#include "schema/gateway_paths.h"
#include "schema/gateways.h"
#include "schema/relayed_downlinks.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"
#include "tools/sim/simulated_gateway.h"

using namespace std::chrono_literals;
using namespace uchet;
using namespace uchet::gateway_bridge;
using cluster_relay::ClusterRelay;
using cluster_relay::ClusterRelayOptions;
using cluster_relay::kRelayedIdBit;

namespace {

constexpr lorawan::Eui64 kGateway = 0x0016c001ff00c001;

// What the network server of one instance would have heard.
struct Heard {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<TxOutcome> outcomes;

  std::optional<TxOutcome> wait_outcome(TransmissionId id, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex);
    std::optional<TxOutcome> found;
    changed.wait_for(lock, timeout, [&] {
      for (const auto& o : outcomes)
        if (o.id == id) found = o;
      return found.has_value();
    });
    return found;
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return outcomes.size();
  }
};

// One instance: a UDP backend on an ephemeral port behind a ClusterRelay named `name`.
struct Instance {
  Instance(boost::asio::io_context& io, const std::string& location, const std::string& name,
           std::function<std::expected<std::uint64_t, TxStatus>()> verdict = {})
      : io(io), udp([] {
          semtech_udp::UdpBackendOptions o;
          o.endpoint.bind = "127.0.0.1:0";
          return o;
        }()) {
    ClusterRelayOptions options;
    options.location = location;
    options.instance = name;
    options.outcome_grace = 500ms;
    options.reach = 1s;
    options.poll = 200ms;
    options.admit = [this, verdict](lorawan::Eui64, const Transmission&) -> std::expected<std::uint64_t, TxStatus> {
      ++admitted;
      if (verdict) return verdict();
      return 1;
    };
    options.release = [this](lorawan::Eui64, std::uint64_t) { ++released; };
    relay = std::make_unique<ClusterRelay>(udp, options);
    BackendCallbacks callbacks;
    callbacks.is_known_gateway = [](lorawan::Eui64) { return true; };
    callbacks.on_outcome = [this](const TxOutcome& outcome) {
      std::lock_guard lock(heard.mutex);
      heard.outcomes.push_back(outcome);
      heard.changed.notify_all();
    };
    auto started = relay->start(io, callbacks);
    INFO((started ? "" : started.error()));
    REQUIRE(started);
  }

  ~Instance() { stop(); }

  // stop() belongs on the owner's thread (the io_context's runner here).
  void stop() {
    std::promise<void> done;
    boost::asio::post(io, [&] {
      relay->stop();
      done.set_value();
    });
    done.get_future().wait();
  }

  boost::asio::io_context& io;
  semtech_udp::UdpBackend udp;
  std::unique_ptr<ClusterRelay> relay;
  Heard heard;
  std::atomic<int> admitted{0}, released{0};
};

struct TwoInstances {
  uchet::test::TempDir dir;
  std::string location = uchet::test::test_database_location(dir.path());
  schema::Database db = [&] {
    auto db = schema::Database::open(location);
    schema::insert_gateway(db, {.eui = kGateway, .name = "roof"});
    return db;
  }();
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(io);
  std::thread runner{[this] { io.run(); }};

  ~TwoInstances() {
    work.reset();
    io.stop();
    runner.join();
  }

  // Waits (5 s at most) until gateway_path names `instance` for the gateway.
  bool path_held_by(const std::string& instance) {
    for (int i = 0; i < 100; ++i) {
      auto path = schema::find_gateway_path(db, kGateway);
      if (path && path->instance == instance) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

Transmission class_c_downlink() {
  Transmission t;
  t.timing = Immediately{};
  t.frequency_hz = 869'100'000;
  t.data_rate = LoraRate{12, 125};
  t.phy_payload = {0x60, 0x04, 0x03, 0x02, 0x01, 0x00, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef};
  t.dev_eui = 0x0011223344556677ull;
  return t;
}

sim::GatewayOptions pulling_by_hand() {
  sim::GatewayOptions o;
  o.keepalive = 0ms;  // only explicit pull() calls: its path stays with the instance it pulled to
  return o;
}

}  // namespace

TEST_CASE("a downlink for a gateway whose path another instance holds leaves through that instance") {
  REQUIRE(uchet::test::testing_postgresql());
  TwoInstances cluster;
  Instance a(cluster.io, cluster.location, "instance-a");
  Instance b(cluster.io, cluster.location, "instance-b");
  sim::SimulatedGateway gateway(kGateway, b.udp.local_endpoint(), pulling_by_hand());
  REQUIRE(gateway.pull(1s));
  REQUIRE(cluster.path_held_by("instance-b"));
  CHECK(a.relay->downlink_paths().empty());

  const auto t = class_c_downlink();
  auto sent = a.relay->send(kGateway, t);
  INFO((sent ? "" : sent.error()));
  REQUIRE(sent);
  CHECK((*sent & kRelayedIdBit) != 0);

  auto downlink = gateway.wait_downlink(3s);  // the PULL_RESP, from B's socket
  REQUIRE(downlink);
  CHECK(downlink->txpk.phy_payload == t.phy_payload);
  CHECK(downlink->txpk.frequency_hz == t.frequency_hz);

  auto outcome = a.heard.wait_outcome(*sent);  // the gateway's TX_ACK, as A's outcome
  REQUIRE(outcome);
  CHECK(outcome->ok());
  CHECK(outcome->gateway_eui == kGateway);
  CHECK(b.admitted == 1);
  CHECK(b.released == 0);
  CHECK(b.heard.count() == 0);  // B's own network server hears nothing of it
  const auto ra = a.relay->relay_counters();
  const auto rb = b.relay->relay_counters();
  CHECK(ra.relayed == 1);
  CHECK(ra.relayed_ok == 1);
  CHECK(rb.held_taken == 1);
  CHECK(rb.held_sent == 1);
  // The row is gone once its outcome was delivered.
  for (int i = 0;
       i < 50 && schema::find_relayed_downlink(cluster.db, static_cast<std::int64_t>(*sent & ~kRelayedIdBit)); ++i)
    std::this_thread::sleep_for(20ms);
  CHECK_FALSE(schema::find_relayed_downlink(cluster.db, static_cast<std::int64_t>(*sent & ~kRelayedIdBit)));

  // The gateway moves to A (a PULL_DATA there): A takes the path over and sends itself.
  sim::SimulatedGateway moved(kGateway, a.udp.local_endpoint(), pulling_by_hand());
  REQUIRE(moved.pull(1s));
  REQUIRE(cluster.path_held_by("instance-a"));
  auto direct = a.relay->send(kGateway, t);
  REQUIRE(direct);
  CHECK((*direct & kRelayedIdBit) == 0);
  CHECK(moved.wait_downlink(3s));
}

TEST_CASE("the holder refuses what its own timeline or duty cycle refuses, and the sender hears why") {
  REQUIRE(uchet::test::testing_postgresql());
  TwoInstances cluster;
  Instance a(cluster.io, cluster.location, "instance-a");
  Instance b(cluster.io, cluster.location, "instance-b", [] { return std::unexpected(TxStatus::CollisionPacket); });
  sim::SimulatedGateway gateway(kGateway, b.udp.local_endpoint(), pulling_by_hand());
  REQUIRE(gateway.pull(1s));
  REQUIRE(cluster.path_held_by("instance-b"));

  auto sent = a.relay->send(kGateway, class_c_downlink());
  REQUIRE(sent);
  auto outcome = a.heard.wait_outcome(*sent);
  REQUIRE(outcome);
  CHECK(outcome->status == TxStatus::CollisionPacket);
  CHECK_THAT(outcome->detail, Catch::Contains("instance-b"));
  CHECK_FALSE(gateway.wait_downlink(300ms));  // nothing went to the gateway
  CHECK(b.relay->relay_counters().held_refused_timeline == 1);
}

TEST_CASE("a relayed downlink that reaches the holder after its latest moment is refused there, not sent late") {
  REQUIRE(uchet::test::testing_postgresql());
  TwoInstances cluster;
  Instance b(cluster.io, cluster.location, "instance-b");
  sim::SimulatedGateway gateway(kGateway, b.udp.local_endpoint(), pulling_by_hand());
  REQUIRE(gateway.pull(1s));
  REQUIRE(cluster.path_held_by("instance-b"));

  // A row whose latest moment on air has passed, as a sender slowed down after deciding leaves it.
  schema::RelayedDownlink row;
  row.gateway_eui = kGateway;
  row.from_instance = "instance-a";
  row.to_instance = "instance-b";
  row.transmission = cluster_relay::serialise_transmission(class_c_downlink());
  const auto now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  row.created_at_us = now_us - 3'000'000;
  row.not_after_us = now_us - 1'000'000;
  const auto id = schema::insert_relayed_downlink(cluster.db, row);
  std::optional<schema::RelayedDownlink> answered;
  for (int i = 0; i < 100; ++i) {
    answered = schema::find_relayed_downlink(cluster.db, id);
    if (answered && answered->outcome) break;
    std::this_thread::sleep_for(50ms);  // found by the holder's re-read (no NOTIFY was sent)
  }
  REQUIRE(answered);
  REQUIRE(answered->outcome);
  CHECK(*answered->outcome == "TOO_LATE");
  CHECK_FALSE(gateway.wait_downlink(300ms));
  CHECK(b.admitted == 0);
  CHECK(b.relay->relay_counters().held_too_late == 1);
}

TEST_CASE("with the holder dead the sender reports a failure after its grace, never a success") {
  REQUIRE(uchet::test::testing_postgresql());
  TwoInstances cluster;
  Instance a(cluster.io, cluster.location, "instance-a");
  auto b = std::make_unique<Instance>(cluster.io, cluster.location, "instance-b");
  sim::SimulatedGateway gateway(kGateway, b->udp.local_endpoint(), pulling_by_hand());
  REQUIRE(gateway.pull(1s));
  REQUIRE(cluster.path_held_by("instance-b"));
  b->stop();  // its row stays, fresh: A still relays to it

  auto sent = a.relay->send(kGateway, class_c_downlink());
  REQUIRE(sent);
  auto outcome = a.heard.wait_outcome(*sent, 10s);  // reach 1 s + grace 0.5 s
  REQUIRE(outcome);
  CHECK(outcome->status == TxStatus::InternalError);
  CHECK_THAT(outcome->detail, Catch::Contains("no outcome from instance instance-b"));
  CHECK(outcome->unanswered);
  CHECK(a.relay->relay_counters().relayed_no_outcome == 1);
  CHECK(a.heard.count() == 1);  // one outcome per send, no second one
  // Were the holder to come back now, it could no longer take the row: its outcome is written.
  CHECK_FALSE(schema::take_relayed_downlink(cluster.db, static_cast<std::int64_t>(*sent & ~kRelayedIdBit), 0));
  CHECK_FALSE(gateway.wait_downlink(300ms));
}

TEST_CASE("a gateway no instance holds is refused at send(), with the local backend's reason") {
  REQUIRE(uchet::test::testing_postgresql());
  TwoInstances cluster;
  Instance a(cluster.io, cluster.location, "instance-a");
  auto sent = a.relay->send(kGateway, class_c_downlink());
  REQUIRE_FALSE(sent);
  CHECK_THAT(sent.error(), Catch::Contains("no downlink path"));
  // A path whose holder stopped refreshing it is not relayed to.
  schema::hold_gateway_path(cluster.db, {kGateway, "instance-gone", "semtech_udp", schema::unix_now() - 600});
  sent = a.relay->send(kGateway, class_c_downlink());
  REQUIRE_FALSE(sent);
  CHECK_THAT(sent.error(), Catch::Contains("instance-gone"));
  CHECK(a.relay->relay_counters().relayed == 0);
}
