// schema::prune_uplink_frames on the test run's storage: old frames go in batches, each device's
// newest frame stays, and what was derived from a deleted frame stays with its link cleared.
#include <catch2/catch.hpp>

#include <string>

#include "schema/database.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"
#include "schema/uplink_frames.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

namespace {

constexpr std::int64_t kDay = 86'400'000;

void add_device(Database& db, const std::string& dev_eui) {
  Statement(db, "INSERT INTO application (id, name, created_at) VALUES (1, 'meters', 0) ON CONFLICT (id) DO NOTHING")
      .run();
  Statement(db,
            "INSERT INTO device (dev_eui, application_id, mac_version, activation, created_at) "
            "VALUES (?, 1, '1.0.3', 'abp', 0)")
      .bind(1, dev_eui)
      .run();
}

std::int64_t add_frame(Database& db, const std::string& dev_eui, std::int64_t received_at_ms) {
  static int n = 0;
  Statement insert(db,
                   "INSERT INTO uplink_frame (deduplication_id, dev_eui, dev_addr, f_cnt, confirmed, dr, payload, "
                   "rx_info, tx_info, received_at_ms, network_time_ms, network_time_gps) "
                   "VALUES (?, ?, '01020304', 1, 0, 5, ?, '[]', '{}', ?, ?, 0) RETURNING id");
  insert.bind(1, "dedup-" + std::to_string(++n))
      .bind(2, dev_eui)
      .bind_blob(3, std::vector<std::uint8_t>{0x00})
      .bind(4, received_at_ms)
      .bind(5, received_at_ms);
  return inserted_id(insert);
}

// Steps until a pass is done, as uchetd's timer does; the frames deleted.
int prune_pass(Database& db, std::int64_t cutoff_ms, int limit) {
  int deleted = 0;
  std::int64_t after = 0;
  while (true) {
    Transaction tx(db);
    const auto step = prune_uplink_frames(db, cutoff_ms, after, limit);
    tx.commit();
    CHECK(step.deleted <= limit);
    deleted += step.deleted;
    if (step.done) return deleted;
    after = step.next_after;
  }
}

std::int64_t count(Database& db, const std::string& sql) {
  Statement q(db, sql);
  q.step();
  return q.int64(0);
}

}  // namespace

TEST_CASE("old archived frames are pruned in batches; each device's newest frame and the derived data stay") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  const std::string a = "0011223344556677", b = "8899AABBCCDDEEFF";
  add_device(db, a);
  add_device(db, b);
  const std::int64_t now = 1'800'000'000'000;
  // a: 5 frames 100 days old, then one today; b: 3 frames 100 days old and nothing since.
  std::int64_t first_old = 0;
  for (int i = 0; i < 5; ++i) {
    auto id = add_frame(db, a, now - 100 * kDay + i);
    if (i == 0) first_old = id;
  }
  for (int i = 0; i < 3; ++i) add_frame(db, b, now - 100 * kDay + 10 + i);
  const auto today = add_frame(db, a, now);
  // A reading and an alarm derived from the first old frame.
  Statement(db,
            "INSERT INTO reading (dev_eui, quantity, resource, value, unit, measured_at, received_at, frame_id) "
            "VALUES (?, 'volume', 'cold_water', 1.5, 'm3', 1, 1, ?)")
      .bind(1, a)
      .bind(2, first_old)
      .run();
  Statement(db, "INSERT INTO alarm (dev_eui, kind, opened_at, open_frame_id) VALUES (?, 'leak', 1, ?)")
      .bind(1, a)
      .bind(2, first_old)
      .run();

  const std::int64_t cutoff = now - 90 * kDay;
  {
    Transaction tx(db);
    const auto first = prune_uplink_frames(db, cutoff, 0, 3);  // looks at 3 frames: a's oldest
    tx.commit();
    CHECK(first.deleted == 3);
    CHECK_FALSE(first.done);
  }
  // The rest of a's old frames and 2 of b's: b's newest (100 days old) is kept.
  CHECK(prune_pass(db, cutoff, 3) == 4);
  CHECK(prune_pass(db, cutoff, 100) == 0);  // the next pass finds nothing more
  CHECK(count(db, "SELECT COUNT(*) FROM uplink_frame") == 2);
  CHECK(count(db, "SELECT COUNT(*) FROM uplink_frame WHERE id = " + std::to_string(today)) == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM uplink_frame WHERE dev_eui = '" + b + "'") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM reading WHERE frame_id IS NULL") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM alarm WHERE open_frame_id IS NULL") == 1);
}

TEST_CASE("frames stored in one pass share their reception time; all but the newest of them are pruned") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  add_device(db, "0011223344556677");
  const std::int64_t now = 1'800'000'000'000;
  for (int i = 0; i < 3; ++i) add_frame(db, "0011223344556677", now - 100 * kDay);
  const auto newest = add_frame(db, "0011223344556677", now - 100 * kDay);
  CHECK(prune_pass(db, now - 90 * kDay, 100) == 3);
  CHECK(count(db, "SELECT id FROM uplink_frame") == newest);
}

TEST_CASE("frames younger than the retention are never pruned") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  add_device(db, "0011223344556677");
  const std::int64_t now = 1'800'000'000'000;
  for (int i = 0; i < 4; ++i) add_frame(db, "0011223344556677", now - 89 * kDay + i);
  const auto step = prune_uplink_frames(db, now - 90 * kDay, 0, 100);
  CHECK(step.deleted == 0);
  CHECK(step.done);  // the first frame looked at is young: the pass ends there
  CHECK(count(db, "SELECT COUNT(*) FROM uplink_frame") == 4);
}
