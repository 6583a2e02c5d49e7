// `uchetctl instance list` as an operator runs it beside several uchetd on one PostgreSQL
// database: each instance, live or dead by its lock, stale by its heartbeat, with its leases.
// Registered for PostgreSQL only (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include "schema/database.h"
#include "schema/database_lock.h"
#include "schema/instances.h"
#include "schema/leader_lease.h"
#include "tests/tools/uchetctl/uchetctl_support.h"

using namespace uchet;

TEST_CASE("instance list names each instance's state, heartbeat and leases") {
  REQUIRE(test::testing_postgresql());
  test::Uchetctl ctl;
  auto db = schema::Database::open(ctl.database());
  const auto now = schema::unix_now();
  schema::register_instance(db, {"uchet-a", now - 100, now - 2, 4242, "host-a", "0.1.0"});
  schema::register_instance(db, {"uchet-b", now - 100, now - 100, 4343, "host-b", "0.1.0"});
  schema::register_instance(db, {"uchet-c", now - 100, now - 100, 4444, "host-c", "0.1.0"});
  auto a = schema::DatabaseLock::acquire_instance(ctl.database(), "uchet-a");
  auto b = schema::DatabaseLock::acquire_instance(ctl.database(), "uchet-b");
  REQUIRE(a);
  REQUIRE(b);
  schema::LeaderLease outbox(ctl.database(), "uchet-a", "outbox"), silence(ctl.database(), "uchet-a", "silence check");
  REQUIRE(outbox.hold());
  REQUIRE(silence.hold());
  const auto list = ctl.json({"instance", "list"});
  REQUIRE(list.size() == 3);
  CHECK(list[0]["instance"] == "uchet-a");
  CHECK(list[0]["state"] == "live");
  CHECK(list[0]["leases"] == nlohmann::json::array({"outbox", "silence check"}));
  CHECK(list[0]["pid"] == 4242);
  CHECK(list[0]["host"] == "host-a");
  CHECK(list[1]["state"] == "stale");  // running (its lock held), no heartbeat for 100 s
  CHECK(list[1]["leases"].empty());
  CHECK(list[2]["state"] == "dead");
  const auto text = ctl({"instance", "list"});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("uchet-a") && Catch::Contains("outbox, silence check"));
}
