// Keys at rest (schema/key_encryption.h) on real SQLite files: the first start with a KEK wraps
// every stored key in one transaction, the stores hand back plain keys while the columns hold
// wraps, a wrong or missing KEK is refused with the database unchanged, later connections of the
// process share the KEK, and the KEK file's form and mode are checked.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "netserver/lorawan/encoding.h"
#include "schema/applications.h"
#include "schema/devices.h"
#include "schema/key_encryption.h"
#include "schema/sessions.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;
using uchet::lorawan::Key;
using uchet::lorawan::parse_hex;

namespace {

const char* kKekHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const Key kAppKey{0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
const Key kAppSKey{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
constexpr uchet::lorawan::Eui64 kOtaa = 0x70b3d57ed0000001;
constexpr uchet::lorawan::Eui64 kAbp = 0x70b3d57ed0000002;

KeyEncryptionKey kek(const char* hex = kKekHex) { return KeyEncryptionKey{*parse_hex(hex)}; }

// An OTAA device with a joined session and an ABP device, keys plain.
void provision(Database& db) {
  insert_application(db, "water", "");
  Device otaa;
  otaa.dev_eui = kOtaa;
  otaa.application_id = 1;
  otaa.join_eui = 0x70b3d57ed0000000;
  otaa.app_key = kAppKey;
  insert_device(db, otaa, std::nullopt);
  DeviceSession s;
  s.dev_eui = kOtaa;
  s.dev_addr = 0x26011234;
  s.keys.app_s_key = kAppSKey;
  s.keys.nwk_s_enc_key = kAppKey;
  save_session(db, s);
  Device abp;
  abp.dev_eui = kAbp;
  abp.application_id = 1;
  abp.abp = true;
  insert_device(db, abp, AbpSession{0x26015678, kAppKey, kAppSKey});
}

std::string column(Database& db, const std::string& sql) {
  Statement q(db, sql);
  REQUIRE(q.step());
  return q.text(0);
}

std::string raw_app_key(Database& db) {
  return column(db, "SELECT app_key FROM device WHERE dev_eui = '70b3d57ed0000001'");
}

}  // namespace

TEST_CASE("without a KEK keys stay plain and nothing is recorded") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  provision(db);
  auto state = open_key_encryption(db, std::nullopt);
  REQUIRE(state);
  CHECK_FALSE(state->wrapped);
  CHECK(raw_app_key(db) == "2b7e151628aed2a6abf7158809cf4f3c");
  CHECK(*find_device(db, kOtaa)->app_key == kAppKey);
}

TEST_CASE("the first start with a KEK wraps every stored key and the stores still return plain keys") {
  uchet::test::TempDir dir;
  const auto path = uchet::test::test_database_location(dir.path());
  {
    auto db = Database::open(path);
    provision(db);
  }
  auto db = Database::open(path);
  auto state = open_key_encryption(db, kek());
  REQUIRE(state);
  CHECK(state->wrapped);
  CHECK(state->keys_wrapped_now == 1 + 4 + 4);  // the AppKey, two sessions of four keys

  CHECK(raw_app_key(db).size() == 48);
  CHECK(raw_app_key(db).find("2b7e151628aed2a6") == std::string::npos);
  CHECK(column(db, "SELECT app_s_key FROM device_session WHERE dev_eui = '70b3d57ed0000001'").size() == 48);
  CHECK(*find_device(db, kOtaa)->app_key == kAppKey);
  auto session = find_session(db, kOtaa);
  REQUIRE(session);
  CHECK(session->keys.app_s_key == kAppSKey);
  CHECK(find_session(db, kAbp)->keys.f_nwk_s_int_key == kAppKey);

  // New keys are wrapped on write, by this connection and by a later one of the process.
  auto later = Database::open(path);
  REQUIRE(later.key_encryption_key() != nullptr);
  Device added;
  added.dev_eui = 0x70b3d57ed0000003;
  added.application_id = 1;
  added.join_eui = 0x70b3d57ed0000000;
  added.app_key = kAppSKey;
  insert_device(later, added, std::nullopt);
  CHECK(column(db, "SELECT app_key FROM device WHERE dev_eui = '70b3d57ed0000003'").size() == 48);
  CHECK(*find_device(db, added.dev_eui)->app_key == kAppSKey);

  // A second start with the same KEK wraps nothing again.
  auto again = open_key_encryption(db, kek());
  REQUIRE(again);
  CHECK(again->keys_wrapped_now == 0);
  CHECK(*find_device(db, kOtaa)->app_key == kAppKey);
}

TEST_CASE("a wrong KEK or none is refused for a wrapped database, which stays as it was") {
  uchet::test::TempDir dir;
  const auto path = uchet::test::test_database_location(dir.path());
  {
    auto db = Database::open(path);
    provision(db);
    REQUIRE(open_key_encryption(db, kek()));
  }
  const auto before = uchet::test::sqlite_query(path, "SELECT app_key FROM device ORDER BY dev_eui");

  auto db = Database::open_raw(path);  // not the registry's: a fresh process would have none
  auto wrong = open_key_encryption(db, kek("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().find("not the key-encryption key") != std::string::npos);
  auto none = open_key_encryption(db, std::nullopt);
  REQUIRE_FALSE(none);
  CHECK(none.error().find("set storage.kek_file") != std::string::npos);
  CHECK(uchet::test::sqlite_query(path, "SELECT app_key FROM device ORDER BY dev_eui") == before);
  // A connection without the KEK cannot read the wrapped keys: an error, not garbage.
  CHECK_THROWS_AS(find_device(db, kOtaa), StorageError);
}

TEST_CASE("wrapping is all or nothing: a key that cannot be wrapped leaves every key plain") {
  uchet::test::TempDir dir;
  const auto path = uchet::test::test_database_location(dir.path());
  auto db = Database::open(path);
  provision(db);
  db.exec("UPDATE device_session SET app_s_key = 'not a key' WHERE dev_eui = '70b3d57ed0000002'");
  CHECK_THROWS_AS(open_key_encryption(db, kek()), StorageError);
  CHECK(raw_app_key(db) == "2b7e151628aed2a6abf7158809cf4f3c");
  CHECK(uchet::test::sqlite_query(path, "SELECT COUNT(*) FROM key_encryption") == "0\n");
  CHECK(db.key_encryption_key() == nullptr);
}

TEST_CASE("the KEK file holds 64 hex digits and is readable by its owner and group only") {
  uchet::test::TempDir dir;
  const auto path = dir.file("kek");
  uchet::test::write_file(path, std::string(kKekHex) + "\n");
  ::chmod(path.c_str(), 0640);
  auto read = read_kek_file(path);
  REQUIRE(read);
  CHECK(read->bytes == kek().bytes);

  ::chmod(path.c_str(), 0644);
  auto open_to_all = read_kek_file(path);
  REQUIRE_FALSE(open_to_all);
  CHECK(open_to_all.error().find("mode 0644") != std::string::npos);
  ::chmod(path.c_str(), 0660);
  CHECK_FALSE(read_kek_file(path));

  uchet::test::write_file(path, std::string(kKekHex).substr(0, 32) + "\n");
  ::chmod(path.c_str(), 0600);
  auto short_key = read_kek_file(path);
  REQUIRE_FALSE(short_key);
  CHECK(short_key.error().find("64 hex digits") != std::string::npos);
  uchet::test::write_file(path, std::string(kKekHex) + " \n");
  CHECK_FALSE(read_kek_file(path));
  CHECK_FALSE(read_kek_file(dir.file("missing")));
}
