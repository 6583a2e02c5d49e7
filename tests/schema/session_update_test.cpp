// update_session_state on the test run's storage: the uplink path's in-place UPDATE keeps the
// row (on SQLite the same rowid, so no page is rewritten but the row's own), changes only the
// per-uplink columns, and refuses to write a session that is gone or was replaced by a rejoin.
#include <catch2/catch.hpp>

#include "schema/applications.h"
#include "schema/devices.h"
#include "schema/sessions.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

namespace {

// SQLite's rowid (PostgreSQL writes a new row version on every UPDATE, in place or not).
std::int64_t rowid(Database& db) {
  if (db.dialect() != Dialect::sqlite) return 0;
  Statement q(db, "SELECT rowid FROM device_session WHERE dev_eui = '70b3d57ed0000001'");
  REQUIRE(q.step());
  return q.int64(0);
}

DeviceSession add_session(Database& db, uchet::lorawan::Eui64 dev_eui, uchet::lorawan::DevAddr dev_addr) {
  Device d;
  d.dev_eui = dev_eui;
  d.application_id = 1;
  d.join_eui = 0x70b3d57ed0000000;
  d.app_key = uchet::lorawan::Key{};
  insert_device(db, d, std::nullopt);
  DeviceSession s;
  s.dev_eui = dev_eui;
  s.dev_addr = dev_addr;
  s.mac_version = "1.0.3";
  save_session(db, s);
  return s;
}

DeviceSession joined(Database& db) {
  insert_application(db, "water", "");
  return add_session(db, 0x70b3d57ed0000001, 0x26011234);
}

}  // namespace

TEST_CASE("an uplink's session update happens in place and changes only the per-uplink state") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  auto s = joined(db);
  // A second session after it: a delete-and-insert would give the first one a new rowid.
  add_session(db, 0x70b3d57ed0000002, 0x26019999);
  const auto before = rowid(db);

  s.f_cnt_up = 42;
  s.n_f_cnt_down = 7;
  s.dr = 5;
  s.rx2_frequency = 869'100'000u;
  s.mac_state = R"({"snr":[7.5]})";
  s.last_uplink_at = 1'790'000'000;
  s.keys.app_s_key[0] = 0xAA;  // a join's business: not written by an uplink
  update_session_state(db, s);

  if (db.dialect() == Dialect::sqlite) CHECK(rowid(db) == before);
  auto stored = find_session(db, s.dev_eui);
  REQUIRE(stored);
  CHECK(stored->f_cnt_up == 42);
  CHECK(stored->n_f_cnt_down == 7);
  CHECK(stored->dr == 5);
  CHECK(stored->rx2_frequency == 869'100'000u);
  CHECK(stored->mac_state == R"({"snr":[7.5]})");
  CHECK(stored->last_uplink_at == 1'790'000'000);
  CHECK(stored->keys.app_s_key[0] == 0x00);
  CHECK(stored->dev_addr == 0x26011234u);
}

TEST_CASE("an uplink's session update refuses a session that was replaced or deleted") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  auto s = joined(db);
  auto rejoined = s;
  rejoined.dev_addr = 0x26015678;
  save_session(db, rejoined);
  s.f_cnt_up = 9;
  CHECK_THROWS_AS(update_session_state(db, s), StorageError);
  CHECK(find_session(db, s.dev_eui)->f_cnt_up == 0);

  delete_device(db, s.dev_eui);
  CHECK_THROWS_AS(update_session_state(db, rejoined), StorageError);
}
