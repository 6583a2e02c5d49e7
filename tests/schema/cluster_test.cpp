// Several uchetd on one PostgreSQL database: the instance lock (schema/database_lock.h), the
// instance table and its listing (schema/instances.h) and the leases (schema/leader_lease.h),
// against the test cluster. Registered for PostgreSQL only (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "schema/applications.h"
#include "schema/database.h"
#include "schema/database_lock.h"
#include "schema/devices.h"
#include "schema/frame_claims.h"
#include "schema/instances.h"
#include "schema/leader_lease.h"
#include "schema/sessions.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;
using uchet::test::test_database_location;

namespace {

std::string fresh_database(uchet::test::TempDir& dir) {
  REQUIRE(uchet::test::testing_postgresql());
  const auto location = test_database_location(dir.path());
  Database::open(location);  // migrated
  return location;
}

// hold() until it answers `wanted`, for at most a few seconds (leases retry every `retry`).
bool eventually(LeaderLease& lease, bool wanted) {
  for (int i = 0; i < 100; ++i) {
    if (lease.hold() == wanted) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("instances with different names share a database, and a second one with the same name is refused") {
  uchet::test::TempDir dir;
  const auto location = fresh_database(dir);
  auto a = DatabaseLock::acquire_instance(location, "uchet-a");
  REQUIRE(a);
  auto b = DatabaseLock::acquire_instance(location, "uchet-b");
  CHECK(b);
  auto a_again = DatabaseLock::acquire_instance(location, "uchet-a");
  REQUIRE_FALSE(a_again);
  CHECK_THAT(a_again.error(), Catch::Contains("instance uchet-a already runs") &&
                                  Catch::Contains("held by uchetd uchet-a (pid") &&
                                  Catch::Contains("[cluster] instance"));
  // The exclusive database lock (a tool that needs the database to itself) waits for them all.
  auto exclusive = DatabaseLock::acquire(location, "uchetctl restore");
  REQUIRE_FALSE(exclusive);
  CHECK_THAT(exclusive.error(), Catch::Contains("is held by uchetd uchet-"));
}

TEST_CASE("no instance starts while a tool holds the database to itself") {
  uchet::test::TempDir dir;
  const auto location = fresh_database(dir);
  {
    auto tool = DatabaseLock::acquire(location, "uchetctl migrate");
    REQUIRE(tool);
    auto refused = DatabaseLock::acquire_instance(location, "uchet-a");
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error(), Catch::Contains("is held by uchetctl migrate (pid"));
  }
  CHECK(DatabaseLock::acquire_instance(location, "uchet-a"));
}

TEST_CASE("the instance list tells live from dead instances by their lock, and names the leases held") {
  uchet::test::TempDir dir;
  const auto location = fresh_database(dir);
  auto db = Database::open(location);
  register_instance(db, {"uchet-a", 100, 100, 11, "host-a", "0.1.0"});
  register_instance(db, {"uchet-b", 100, 100, 22, "host-b", "0.1.0"});
  record_heartbeat(db, "uchet-b", 160);
  auto a = DatabaseLock::acquire_instance(location, "uchet-a");
  REQUIRE(a);
  LeaderLease outbox(location, "uchet-a", "outbox");
  REQUIRE(outbox.hold());
  auto instances = list_instances(db);
  REQUIRE(instances.size() == 2);
  CHECK(instances[0].record.name == "uchet-a");
  CHECK(instances[0].live);
  CHECK(instances[0].leases == std::vector<std::string>{"outbox"});
  CHECK(instances[0].record.host == "host-a");
  CHECK(instances[1].record.name == "uchet-b");
  CHECK_FALSE(instances[1].live);
  CHECK(instances[1].record.heartbeat_at == 160);
  CHECK(instances[1].leases.empty());
  // A restart rejoins under the same name: the row is replaced, not added.
  register_instance(db, {"uchet-b", 200, 200, 33, "host-b", "0.1.1"});
  instances = list_instances(db);
  REQUIRE(instances.size() == 2);
  CHECK(instances[1].record.pid == 33);
  CHECK(instances[1].record.version == "0.1.1");
}

TEST_CASE(
    "a lease is held by one instance at a time and passes over when its holder lets go or its "
    "connection dies") {
  uchet::test::TempDir dir;
  const auto location = fresh_database(dir);
  const auto retry = std::chrono::milliseconds(50);
  LeaderLease a(location, "uchet-a", "outbox", retry), b(location, "uchet-b", "outbox", retry);
  LeaderLease other_role(location, "uchet-b", "silence check", retry);
  REQUIRE(a.hold());
  CHECK_FALSE(eventually(b, true));
  CHECK(other_role.hold());  // roles are independent
  a.release();
  CHECK(eventually(b, true));
  CHECK_FALSE(eventually(a, true));
  // The holder's connection is terminated (a crash, a network cut): PostgreSQL releases the lock,
  // the other instance takes it, and the old holder learns at its next check that it lost it.
  auto admin = Database::open_raw(location);
  Statement kill(admin,
                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                 "'uchetd uchet-b lease outbox' AND datname = current_database()");
  REQUIRE(kill.step());
  kill.reset();
  CHECK(eventually(a, true));
  CHECK(eventually(b, false));
  CHECK_FALSE(b.held());
}

TEST_CASE("two leases on one shared connection are taken over together when that connection closes") {
  uchet::test::TempDir dir;
  const auto location = fresh_database(dir);
  const auto retry = std::chrono::milliseconds(50);
  const auto session = LeaderLease::shared_session(location, "uchet-a");
  REQUIRE(session);
  LeaderLease silence_a(location, "uchet-a", "silence check", session, retry);
  LeaderLease balance_a(location, "uchet-a", "house balance", session, retry);
  LeaderLease silence_b(location, "uchet-b", "silence check", retry),
      balance_b(location, "uchet-b", "house balance", retry);
  REQUIRE(silence_a.hold());
  REQUIRE(balance_a.hold());
  CHECK_FALSE(silence_b.hold());  // a first try is made at once
  CHECK_FALSE(balance_b.hold());
  auto admin = Database::open(location);
  // One connection carries both locks, and the instance list names both roles from it.
  Statement holders(admin,
                    "SELECT COUNT(DISTINCT pid), COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                    "database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND classid::bigint "
                    "= ?");
  holders.bind(1, static_cast<std::int64_t>(kLeaseLockNamespace));
  REQUIRE(holders.step());
  CHECK(holders.int64(0) == 1);
  CHECK(holders.int64(1) == 2);
  holders.reset();
  register_instance(admin, {"uchet-a", 100, 100, 11, "host-a", "0.1.0"});
  auto listed = list_instances(admin);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].leases == std::vector<std::string>{"house balance", "silence check"});
  // A lease given up on a shared connection unlocks only its own role.
  balance_a.release();
  CHECK(eventually(balance_b, true));
  CHECK(eventually(silence_a, true));
  CHECK_FALSE(eventually(silence_b, true));
  REQUIRE(eventually(balance_a, false));
  balance_b.release();
  REQUIRE(eventually(balance_a, true));
  // The shared connection is terminated: both roles pass to the other instance, and the old
  // holder learns at its next check that it lost both.
  Statement kill(admin,
                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                 "'uchetd uchet-a leases' AND datname = current_database()");
  REQUIRE(kill.step());
  kill.reset();
  CHECK(eventually(silence_b, true));
  CHECK(eventually(balance_b, true));
  CHECK(eventually(silence_a, false));
  CHECK(eventually(balance_a, false));
  CHECK_FALSE(silence_a.held());
  CHECK_FALSE(balance_a.held());
}

TEST_CASE("on SQLite every lease is held and no instance lock is taken beyond the file lock") {
  uchet::test::TempDir dir;
  const auto file = dir.file("uchet.db");
  LeaderLease a(file, "uchet-a", "outbox"), b(file, "uchet-b", "outbox");
  CHECK(a.hold());
  CHECK(b.hold());
  auto first = DatabaseLock::acquire_instance(file, "uchet-a");
  REQUIRE(first);
  auto second = DatabaseLock::acquire_instance(file, "uchet-b");
  REQUIRE_FALSE(second);
  CHECK_THAT(second.error(), Catch::Contains("is held by uchetd (pid"));
}

TEST_CASE("the DevNonce's insert decides between two instances handling one join-request at once") {
  uchet::test::TempDir dir;
  const auto location = fresh_database(dir);
  constexpr uchet::lorawan::Eui64 kDev = 0x70b3d57ed0000001, kJoin = 0x70b3d57ed0000000;
  auto setup = Database::open(location);
  Device device;
  device.dev_eui = kDev;
  device.application_id = insert_application(setup, "water", "");
  device.join_eui = kJoin;
  device.app_key = uchet::lorawan::Key{};
  insert_device(setup, device, std::nullopt);
  auto a = Database::open(location), b = Database::open(location);
  Transaction first(a);
  REQUIRE(record_dev_nonce(a, kDev, kJoin, 0x0101));
  REQUIRE(set_join_nonce(a, kDev, 0, 1));
  // B's insert waits for A's transaction, then finds the nonce taken.
  bool b_recorded = true;
  std::thread other([&] {
    Transaction second(b);
    b_recorded = record_dev_nonce(b, kDev, kJoin, 0x0101);
    second.commit();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  first.commit();
  other.join();
  CHECK_FALSE(b_recorded);
  // The JoinNonce moves only from the value it was read at.
  CHECK_FALSE(set_join_nonce(b, kDev, 0, 1));
  CHECK(set_join_nonce(b, kDev, 1, 2));
}

TEST_CASE("the first claim of a frame owns it; the others learn the owner and hand it their receptions") {
  uchet::test::TempDir dir;
  const auto location = fresh_database(dir);
  auto a = open_claims(location), b = open_claims(location);
  const std::vector<std::uint8_t> phy{0x40, 0x01, 0x00, 0x00, 0x26, 0x00, 0x01, 0x00};
  const auto key = frame_key(phy);
  CHECK(key != frame_key(std::vector<std::uint8_t>{0x40}));
  const auto first = claim_frame(a, key, "uchet-a", 2000);
  CHECK(first.owner == "uchet-a");
  const auto second = claim_frame(b, key, "uchet-b", 2000);
  CHECK(second.owner == "uchet-a");
  CHECK(second.claimed_at_ms == first.claimed_at_ms);
  const std::vector<std::uint8_t> reception{'{', '}'};
  add_claim_reception(b, key, second.claimed_at_ms, "uchet-b", reception);
  add_claim_reception(a, key, first.claimed_at_ms, "uchet-a", reception);  // its own: not read back
  CHECK(claim_receptions(a, key, first.claimed_at_ms, "uchet-a") == std::vector<std::vector<std::uint8_t>>{reception});
  // Older than the horizon, the same bytes are a new transmission: the next claim takes it over,
  // and the old claim's receptions do not belong to the new one.
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  const auto again = claim_frame(b, key, "uchet-b", 50);
  CHECK(again.owner == "uchet-b");
  CHECK(again.claimed_at_ms > first.claimed_at_ms);
  CHECK(claim_receptions(b, key, again.claimed_at_ms, "uchet-b").empty());
  // Pruning deletes what is older than the age given.
  CHECK(prune_frame_claims(a, 3'600'000) == 0);
  CHECK(prune_frame_claims(a, -3'600'000) == 1);
  CHECK(claim_frame(a, key, "uchet-a", 2000).owner == "uchet-a");
}
