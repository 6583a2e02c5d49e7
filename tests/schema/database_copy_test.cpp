// schema::copy_database between a real SQLite file and a real PostgreSQL database of the test
// cluster, both ways: the checksum's known answers, the copy and its verification, wrapped keys
// that still unwrap, sequences that never hand out an id again, and every refusal leaving the
// target empty. uchetctl migrate's own test (tests/tools/uchetctl/migrate_test.cpp) runs the
// command on a building fed through the application server.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "schema/applications.h"
#include "schema/database_copy.h"
#include "schema/devices.h"
#include "schema/gateways.h"
#include "schema/key_encryption.h"
#include "schema/lifecycle.h"
#include "schema/migrations.h"
#include "schema/outbox.h"
#include "schema/sessions.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;
using uchet::lorawan::Key;

namespace {

const Key kAppKey{0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
const Key kAppSKey{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
constexpr uchet::lorawan::Eui64 kDevEui = 0x70b3d57ed0000001;

KeyEncryptionKey kek() {
  return KeyEncryptionKey{
      *uchet::lorawan::parse_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")};
}

CopiedValue integer(std::int64_t v) { return {ValueType::integer, v, 0.0, {}}; }
CopiedValue real(double v) { return {ValueType::real, 0, v, {}}; }
CopiedValue text(std::string v) { return {ValueType::text, 0, 0.0, std::move(v)}; }
CopiedValue blob(std::string v) { return {ValueType::blob, 0, 0.0, std::move(v)}; }
CopiedValue null() { return {}; }

std::string checksum(const std::vector<std::vector<CopiedValue>>& rows) {
  TableChecksum c;
  for (const auto& r : rows) c.add_row(r);
  return c.hex();
}

std::int64_t number(Database& db, const std::string& sql) {
  Statement q(db, sql);
  REQUIRE(q.step());
  return q.int64(0);
}

std::int64_t table_count(Database& db) {
  return number(db, db.dialect() == Dialect::sqlite
                        ? "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'"
                        : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()");
}

// A small database with a row in most kinds of table, keys wrapped with the KEK, and outbox rows
// whose highest ids were deleted (published).
void fill(Database& db) {
  REQUIRE(open_key_encryption(db, kek()));
  Transaction tx(db);
  insert_application(db, "water", "cold and hot water");
  Gateway g;
  g.eui = 0xAA555A0000000001;
  g.name = "roof";
  g.latitude = 56.8389;
  g.longitude = 60.6057;
  insert_gateway(db, g);
  Device d;
  d.dev_eui = kDevEui;
  d.application_id = 1;
  d.name = "кв. 12 ХВС";  // UTF-8 text
  d.codec = "karat-926lw";
  d.join_eui = 0x70b3d57ed0000000;
  d.app_key = kAppKey;
  insert_device(db, d, std::nullopt);
  DeviceSession s;
  s.dev_eui = kDevEui;
  s.dev_addr = 0x26011234;
  s.keys.app_s_key = kAppSKey;
  s.keys.nwk_s_enc_key = kAppKey;
  s.f_cnt_up = 17;
  s.last_uplink_at = 1795114800;
  save_session(db, s);
  record_dev_nonce(db, kDevEui, 0x70b3d57ed0000000, 7);
  LifecycleEventRow e;
  e.dev_eui = kDevEui;
  e.kind = "installed";
  e.at = 1795114800;
  e.actor = "Иванов";
  append_lifecycle_event(db, e);
  for (int i = 0; i < 5; ++i) insert_outbox_row(db, "application/water/up", "{\"n\":" + std::to_string(i) + "}");
  tx.commit();
  const std::vector<std::int64_t> published{4, 5};
  delete_outbox_rows(db, published);  // a transaction of its own
}

}  // namespace

TEST_CASE("the table checksum has known answers, ignores row order and sees a one-value change") {
  CHECK(checksum({}) == "2c34ce1df23b838c5abf2a7f6437cca3d3067ed509ff25f11df6b11b582b51eb");
  CHECK(checksum({{integer(1)}}) == "5207f0d539634699f1442e880f357b9a5bb4086778de3c817f80a8c37b70f8a2");
  const std::vector<CopiedValue> a{text("ab"), null(), real(1.5), blob(std::string("\0\xff", 2))};
  const std::vector<CopiedValue> b{integer(-2), null(), real(-0.0), text("")};
  CHECK(checksum({a, b}) == "14c3778c10d56dfc6f2d143567b48ec2c412098d0a669f69901ebe0cf4fb1024");
  CHECK(checksum({b, a}) == checksum({a, b}));
  auto changed = b;
  changed[2] = real(0.0);  // another bit pattern, the same number
  CHECK(checksum({a, changed}) != checksum({a, b}));
  CHECK(checksum({{text("ab")}}) != checksum({{blob("ab")}}));
  CHECK(checksum({{integer(1)}}) != checksum({{real(1.0)}}));
  CHECK(checksum({a}) != checksum({a, a}));
}

TEST_CASE("SQLite to PostgreSQL and back: every row arrives, keys unwrap, ids are never handed out again") {
  uchet::test::TempDir dir;
  const auto sqlite_path = dir.file("uchet.db");
  const auto pg = uchet::test::new_postgresql_database();
  {
    auto source = Database::open(sqlite_path);
    fill(source);
  }
  std::vector<TableCopy> there;
  {
    auto source = Database::open_raw(sqlite_path);
    auto target = Database::open_raw(pg);
    std::vector<std::string> progress;
    CopyOptions options;
    options.progress = [&](const std::string& table, std::int64_t copied, std::int64_t total) {
      progress.push_back(table + " " + std::to_string(copied) + "/" + std::to_string(total));
    };
    auto report = copy_database(source, target, options);
    REQUIRE(report);
    CHECK(report->verified);
    CHECK(report->schema_version == latest_schema_version());
    there = report->tables;
    CHECK(std::find(progress.begin(), progress.end(), "outbox 3/3") != progress.end());
  }
  for (const auto& t : there) {
    INFO(t.table);
    CHECK(t.matches());
    CHECK(t.table != "schema_version");
  }
  auto find = [](const std::vector<TableCopy>& tables, const std::string& name) {
    auto it = std::find_if(tables.begin(), tables.end(), [&](const TableCopy& t) { return t.table == name; });
    REQUIRE(it != tables.end());
    return *it;
  };
  CHECK(find(there, "device").source_rows == 1);
  CHECK(find(there, "lifecycle_event").target_rows == 1);
  CHECK(find(there, "registry_version").target_rows == 1);  // the source's row, not the seed beside it
  {
    auto target = Database::open(pg);
    CHECK(schema_version(target) == latest_schema_version());
    // The same KEK opens the copy, and the session's keys unwrap.
    auto state = open_key_encryption(target, kek());
    REQUIRE(state);
    CHECK(state->wrapped);
    auto session = find_session(target, kDevEui);
    REQUIRE(session);
    CHECK(session->keys.app_s_key == kAppSKey);
    CHECK(session->f_cnt_up == 17);
    CHECK(find_device(target, kDevEui)->name == "кв. 12 ХВС");
    CHECK(dev_nonce_used(target, kDevEui, 0x70b3d57ed0000000, 7));
    // Outbox ids 4 and 5 were handed out and deleted in SQLite: the next one is 6.
    Transaction tx(target);
    insert_outbox_row(target, "t", "{}");
    tx.commit();
    CHECK(number(target, "SELECT MAX(id) FROM outbox") == 6);
    const std::vector<std::int64_t> published{6};
    delete_outbox_rows(target, published);
    // The registry trigger works again after the load.
    const auto before = *registry_version(target);
    Transaction tx2(target);
    insert_application(target, "heat", "");
    tx2.commit();
    CHECK(*registry_version(target) == before + 1);
  }
  // And back into a new SQLite file: the tables copied over hold the same checksums.
  const auto back_path = dir.file("back.db");
  {
    auto source = Database::open_raw(pg);
    auto target = Database::open_raw(back_path);
    auto report = copy_database(source, target);
    REQUIRE(report);
    CHECK(report->verified);
    for (const auto& t : report->tables) {
      INFO(t.table);
      CHECK(t.matches());
      if (t.table != "outbox" && t.table != "application" && t.table != "registry_version" &&
          t.table != "http_outbox") {
        CHECK(t.source_checksum == find(there, t.table).source_checksum);
      }
    }
  }
  auto back = Database::open(back_path);
  REQUIRE(open_key_encryption(back, kek()));
  CHECK(find_session(back, kDevEui)->keys.app_s_key == kAppSKey);
  // PostgreSQL's outbox sequence (6, its row deleted) came back as SQLite's high-water mark.
  CHECK(number(back, "SELECT MAX(id) FROM outbox") == 3);
  CHECK(number(back, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") == 6);
}

TEST_CASE("a mismatch found by the verification commits nothing") {
  uchet::test::TempDir dir;
  const auto sqlite_path = dir.file("uchet.db");
  {
    auto source = Database::open(sqlite_path);
    fill(source);
  }
  auto source = Database::open_raw(sqlite_path);
  auto target = Database::open_raw(uchet::test::new_postgresql_database());
  CopyOptions options;
  options.before_verify = [](Database& db) { Statement(db, "UPDATE device_session SET f_cnt_up = 18").run(); };
  auto report = copy_database(source, target, options);
  REQUIRE(report);
  CHECK_FALSE(report->verified);
  for (const auto& t : report->tables) {
    INFO(t.table);
    CHECK(t.matches() == (t.table != "device_session"));
  }
  CHECK(table_count(target) == 0);
}

TEST_CASE("refusals: a target that is not empty, a source at another version, a value of the wrong type") {
  uchet::test::TempDir dir;
  const auto sqlite_path = dir.file("uchet.db");
  {
    auto source = Database::open(sqlite_path);
    fill(source);
  }
  SECTION("a target with any table is never written") {
    auto source = Database::open_raw(sqlite_path);
    auto target = Database::open_raw(uchet::test::new_postgresql_database());
    target.exec("CREATE TABLE notes (body TEXT)");
    auto refused = copy_database(source, target);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error(), Catch::Contains("not empty") && Catch::Contains("notes"));
    CHECK(table_count(target) == 1);
  }
  SECTION("an older source must be brought up first, a newer one is refused") {
    auto source = Database::open_raw(sqlite_path);
    Statement(source, "DELETE FROM schema_version WHERE version = ?").bind(1, latest_schema_version()).run();
    auto target = Database::open_raw(uchet::test::new_postgresql_database());
    auto older = copy_database(source, target);
    REQUIRE_FALSE(older);
    CHECK_THAT(older.error(), Catch::Contains("bring the source up first"));
    Statement(source, "INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 0)").run();
    auto newer = copy_database(source, target);
    REQUIRE_FALSE(newer);
    CHECK_THAT(newer.error(), Catch::Contains("newer than this uchet"));
    CHECK(table_count(target) == 0);
  }
  SECTION("text in an INTEGER column is named by table, row and column, and nothing arrives") {
    auto source = Database::open_raw(sqlite_path);
    Statement(source, "UPDATE device_session SET f_cnt_up = 'seventeen'").run();
    auto target = Database::open_raw(uchet::test::new_postgresql_database());
    auto refused = copy_database(source, target);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error(), Catch::Contains("table device_session, row dev_eui 70b3d57ed0000001, column "
                                                "f_cnt_up holds a text where its type is integer"));
    CHECK(table_count(target) == 0);
  }
}
