// LISTEN/NOTIFY between connections (schema/notifications.h) against the test cluster: delivered
// at commit and not after a rollback, in order, only for channels listened to; a dropped
// listening connection is opened again with its channels, and says notifications may have been
// missed. Registered for PostgreSQL only (tests/CMakeLists.txt, POSTGRESQL_ONLY).
#include <catch2/catch.hpp>

#include <poll.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "schema/database.h"
#include "schema/notifications.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;
using uchet::test::test_database_location;

namespace {

// Waits (5 s at most) on the socket until `count` notifications arrived; every drain's
// may_have_missed is OR-ed into `missed`.
std::vector<Notification> receive(Notifications& listener, std::size_t count, bool* missed = nullptr) {
  std::vector<Notification> got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto drained = listener.drain();
    if (missed && drained.may_have_missed) *missed = true;
    got.insert(got.end(), drained.notifications.begin(), drained.notifications.end());
    if (got.size() >= count) break;
    const int fd = listener.socket();
    if (fd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 100);
  }
  return got;
}

}  // namespace

TEST_CASE("a notification is delivered when the sender's transaction commits, never after a rollback") {
  REQUIRE(uchet::test::testing_postgresql());
  uchet::test::TempDir dir;
  const auto location = test_database_location(dir.path());
  auto sender = Database::open_raw(location);
  auto listener = Notifications::open(location);
  listener->listen("uchet_test");
  listener->listen("uchet_test");  // twice is once
  REQUIRE(listener->socket() >= 0);

  {
    Transaction tx(sender);
    notify(sender, "uchet_test", "rolled back");
  }  // rolled back
  {
    Transaction tx(sender);
    notify(sender, "uchet_test", "first");
    notify(sender, "uchet_other", "not listened to");
    notify(sender, "uchet_test", "second");
    // Nothing before the commit.
    CHECK(listener->drain().notifications.empty());
    tx.commit();
  }
  notify(sender, "uchet_test", "outside a transaction");

  bool missed = false;
  const auto got = receive(*listener, 3, &missed);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == Notification{"uchet_test", "first"});
  CHECK(got[1] == Notification{"uchet_test", "second"});
  CHECK(got[2] == Notification{"uchet_test", "outside a transaction"});
  CHECK_FALSE(missed);
  CHECK(listener->drain().notifications.empty());
}

TEST_CASE("a dropped listening connection is opened again, listens again and says it may have missed some") {
  REQUIRE(uchet::test::testing_postgresql());
  uchet::test::TempDir dir;
  const auto location = test_database_location(dir.path());
  auto sender = Database::open_raw(location);
  auto listener = Notifications::open(location);
  listener->listen("uchet_relay_test");

  notify(sender, "uchet_relay_test", "before");
  REQUIRE(receive(*listener, 1).size() == 1);

  // The server ends the listener's session (as a restart or a switchover would).
  Statement terminate(sender,
                      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE query = 'LISTEN uchet_relay_test' AND pid <> pg_backend_pid()");
  REQUIRE(terminate.step());
  for (int i = 0; i < 100; ++i) {
    Statement alive(sender, "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN uchet_relay_test'");
    REQUIRE(alive.step());
    if (alive.int64(0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  notify(sender, "uchet_relay_test", "while down");  // nobody listens: lost, as the drain will say

  // A drain finds the drop once the server's close reached the socket (the user drains when the
  // socket turns readable, which the close makes it), reconnects and LISTENs again.
  Notifications::Drained drained;
  for (int i = 0; i < 100 && !drained.may_have_missed; ++i) {
    drained = listener->drain();
    if (!drained.may_have_missed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(drained.may_have_missed);
  CHECK(drained.connected);
  CHECK(listener->socket() >= 0);

  notify(sender, "uchet_relay_test", "after");
  bool missed_again = false;
  const auto got = receive(*listener, 1, &missed_again);
  REQUIRE(got.size() == 1);
  CHECK(got[0] == Notification{"uchet_relay_test", "after"});
  CHECK_FALSE(missed_again);
}

TEST_CASE("channel names must be identifiers, and an SQLite location has no notifications") {
  REQUIRE(uchet::test::testing_postgresql());
  uchet::test::TempDir dir;
  auto listener = Notifications::open(test_database_location(dir.path()));
  CHECK_THROWS_AS(listener->listen("bad name; DROP TABLE x"), StorageError);
  CHECK_THROWS_AS(listener->listen(""), StorageError);
  CHECK_THROWS_AS(Notifications::open((dir.path() / "uchet.db").string()), StorageError);
  auto sqlite = Database::open((dir.path() / "uchet.db").string());
  CHECK_THROWS_AS(notify(sqlite, "uchet_test", "x"), StorageError);
}
