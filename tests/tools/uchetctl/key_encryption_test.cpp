// Keys at rest through the real binaries: uchetctl with a configuration naming storage.kek_file
// wraps keys on add and import and unwraps them only for --show-keys; the database file holds no
// plain key; uchetd refuses to start with another KEK or none, leaving the database unchanged.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::run;
using uchet::test::TempDir;

namespace {

const std::string kAppKey = "000102030405060708090a0b0c0d0e0f";

struct KekSetup {
  TempDir dir;
  std::string db = uchet::test::test_database_location(dir.path());
  std::string kek = dir.file("kek");
  std::string config = dir.file("uchet.toml");
  std::string ctl = uchet::test::executable_from_env("UCHETCTL");

  KekSetup() {
    write_kek(kek, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    uchet::test::write_file(config, "[storage]\n" + uchet::test::storage_config(db) + "kek_file = \"" + kek + "\"\n");
  }
  static void write_kek(const std::string& path, const std::string& hex) {
    uchet::test::write_file(path, hex + "\n");
    ::chmod(path.c_str(), 0600);
  }
  uchet::test::RunResult uchetctl(std::vector<std::string> args, const std::string& with_config) const {
    args.insert(args.begin(), {ctl, "--config", with_config});
    return run(args);
  }
};

}  // namespace

TEST_CASE("uchetctl wraps keys on add and import, and unwraps them only for --show-keys") {
  KekSetup s;
  REQUIRE(s.uchetctl({"application", "add", "water"}, s.config).exit_code == 0);
  auto added = s.uchetctl({"device", "add", "0011223344556677", "--app", "water", "--join-eui", "70b3d57ed0000000",
                           "--app-key", kAppKey, "--codec", "karat-926lw"},
                          s.config);
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  uchet::test::write_file(s.dir.file("devices.csv"),
                          "dev_eui,join_eui,app_key,codec,serial,name,app\n"
                          "0011223344556678,70b3d57ed0000000,ffeeddccbbaa99887766554433221100,mbus,7,b,water\n");
  REQUIRE(s.uchetctl({"device", "import", s.dir.file("devices.csv")}, s.config).exit_code == 0);

  const auto stored = uchet::test::sql_texts(s.db, "SELECT app_key FROM device ORDER BY dev_eui");
  REQUIRE(stored.size() == 2);
  for (const auto& key : stored) {
    REQUIRE(key);
    CHECK(key->find(kAppKey) == std::string::npos);
    CHECK(key->find("ffeeddccbbaa9988") == std::string::npos);
    CHECK(key->size() == 48);  // a wrap: 48 hex digits
  }

  auto shown = s.uchetctl({"--json", "device", "show", "0011223344556677", "--show-keys"}, s.config);
  REQUIRE(shown.exit_code == 0);
  CHECK(nlohmann::json::parse(shown.out)["appKey"] == kAppKey);
  auto hidden = s.uchetctl({"device", "show", "0011223344556678"}, s.config);
  REQUIRE(hidden.exit_code == 0);
  CHECK_THAT(hidden.out, Catch::Contains("hidden"));

  // --db alone cannot read a database whose keys are wrapped: refused, with the reason.
  auto no_kek = run({s.ctl, "--db", s.db, "device", "list"});
  CHECK(no_kek.exit_code == 2);
  CHECK_THAT(no_kek.err, Catch::Contains("storage.kek_file"));
}

TEST_CASE("a database with plain keys is wrapped at the first start with a KEK, and another KEK is refused") {
  KekSetup s;
  // Provisioned before any KEK: plain keys.
  REQUIRE(run({s.ctl, "--db", s.db, "application", "add", "water"}).exit_code == 0);
  REQUIRE(run({s.ctl, "--db", s.db, "device", "add", "0011223344556677", "--app", "water", "--join-eui",
               "70b3d57ed0000000", "--app-key", kAppKey})
              .exit_code == 0);
  CHECK(uchet::test::sql_texts(s.db, "SELECT app_key FROM device") == std::vector<std::optional<std::string>>{kAppKey});

  // The first use with the KEK wraps it.
  REQUIRE(s.uchetctl({"device", "list"}, s.config).exit_code == 0);
  const auto wrapped = uchet::test::sql_texts(s.db, "SELECT app_key FROM device");
  REQUIRE(wrapped.size() == 1);
  REQUIRE(wrapped[0]);
  CHECK(wrapped[0]->size() == 48);

  // uchetd with another KEK, and with none, refuses to start and changes nothing.
  const auto other_kek = s.dir.file("other-kek");
  KekSetup::write_kek(other_kek, "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  const auto other_config = s.dir.file("other.toml");
  uchet::test::write_file(other_config,
                          "[storage]\n" + uchet::test::storage_config(s.db) + "kek_file = \"" + other_kek + "\"\n");
  const auto uchetd = uchet::test::executable_from_env("UCHETD");
  auto refused = run({uchetd, "--config", other_config});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err + refused.out, Catch::Contains("not the key-encryption key"));
  const auto plain_config = s.dir.file("plain.toml");
  uchet::test::write_file(plain_config, "[storage]\n" + uchet::test::storage_config(s.db));
  auto missing = run({uchetd, "--config", plain_config});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err + missing.out, Catch::Contains("set storage.kek_file"));
  CHECK(uchet::test::sql_texts(s.db, "SELECT app_key FROM device") == wrapped);

  // A KEK file others may read stops uchetctl and uchetd at the configuration.
  ::chmod(s.kek.c_str(), 0644);
  auto open_kek = s.uchetctl({"device", "list"}, s.config);
  CHECK(open_kek.exit_code == 2);
  CHECK_THAT(open_kek.err, Catch::Contains("mode 0644"));
}
