#include <catch2/catch.hpp>

#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

namespace {

const std::string kAppKey = "000102030405060708090A0B0C0D0E0F";

void add_applications(const Uchetctl& ctl) {
  REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  REQUIRE(ctl({"application", "add", "heat"}).exit_code == 0);
}

}  // namespace

TEST_CASE("an OTAA device is provisioned and its keys are shown only on request") {
  Uchetctl ctl;
  add_applications(ctl);
  auto d =
      ctl.json({"device", "add", "0011223344556677", "--app", "water", "--join-eui", "70B3D57ED0000000", "--app-key",
                kAppKey, "--codec", "karat-926lw", "--name", "кв. 12 ХВС", "--serial", "926001234", "--class", "A"});
  CHECK(d["devEui"] == "0011223344556677");
  CHECK(d["joinEui"] == "70b3d57ed0000000");
  CHECK(d["macVersion"] == "1.0.3");
  CHECK(d["activation"] == "otaa");
  CHECK(d["devAddr"].is_null());
  CHECK_FALSE(d.contains("appKey"));

  auto shown = ctl({"device", "show", "0011223344556677"});
  REQUIRE(shown.exit_code == 0);
  CHECK_THAT(shown.out, Catch::Contains("hidden") && !Catch::Contains("000102030405060708090a0b0c0d0e0f"));
  auto with_keys = ctl.json({"device", "show", "0011223344556677", "--show-keys"});
  CHECK(with_keys["appKey"] == "000102030405060708090a0b0c0d0e0f");

  REQUIRE(ctl({"device", "add", "0011223344556678", "--app", "heat", "--join-eui", "70b3d57ed0000000", "--app-key",
               kAppKey, "--nwk-key", "ffeeddccbbaa99887766554433221100", "--mac-version", "1.1", "--class", "C"})
              .exit_code == 0);
  CHECK(ctl.json({"device", "list"}).size() == 2);
  auto heat = ctl.json({"device", "list", "--app", "heat"});
  REQUIRE(heat.size() == 1);
  CHECK(heat[0]["class"] == "C");
  CHECK(heat[0]["macVersion"] == "1.1");

  CHECK(ctl({"device", "remove", "0011223344556677"}).exit_code == 0);
  CHECK(ctl.json({"device", "list"}).size() == 1);
}

TEST_CASE("an ABP device gets its session at provisioning") {
  Uchetctl ctl;
  add_applications(ctl);
  auto d =
      ctl.json({"device", "add", "0011223344556677", "--app", "water", "--abp", "--dev-addr", "26011BDA", "--nwk-s-key",
                kAppKey, "--app-s-key", "ffeeddccbbaa99887766554433221100", "--fcnt-policy", "reset-allowed"});
  CHECK(d["activation"] == "abp");
  CHECK(d["devAddr"] == "26011bda");
  CHECK(d["fCntPolicy"] == "reset-allowed");
  auto list = ctl({"device", "list"});
  CHECK_THAT(list.out, Catch::Contains("26011bda"));
}

TEST_CASE("the codec of a device can be changed and must be known") {
  Uchetctl ctl;
  add_applications(ctl);
  REQUIRE(ctl({"device", "add", "0011223344556677", "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
               kAppKey})
              .exit_code == 0);
  auto set = ctl.json({"device", "set", "0011223344556677", "--codec", "karat-307-mbus"});
  CHECK(set["codec"] == "karat-307-mbus");
  auto before = ctl.dump();
  auto bad = ctl({"device", "set", "0011223344556677", "--codec", "vega-si11"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("unknown codec 'vega-si11'"));
  CHECK(ctl.dump() == before);
}

TEST_CASE("bad device commands exit 2 with a reason naming the field and change nothing") {
  Uchetctl ctl;
  add_applications(ctl);
  REQUIRE(ctl({"device", "add", "0011223344556677", "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
               kAppKey})
              .exit_code == 0);
  auto before = ctl.dump();
  const std::vector<std::string> otaa = {"--join-eui", "70b3d57ed0000000", "--app-key", kAppKey};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {with({"device", "add", "0011223344556677", "--app", "water"}, otaa), "already exists"},
      {with({"device", "add", "00112233445566", "--app", "water"}, otaa), "DevEUI must be 16 hex digits"},
      {with({"device", "add", "0011223344556688", "--app", "gas"}, otaa), "no application 'gas'"},
      {{"device", "add", "0011223344556688", "--app", "water", "--join-eui", "70b3d57ed0000000"},
       "--app-key is required"},
      {{"device", "add", "0011223344556688", "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key", "0011"},
       "AppKey must be 32 hex digits"},
      {{"device", "add", "0011223344556688", "--app", "water", "--join-eui", "70b3d57ed00000zz", "--app-key", kAppKey},
       "JoinEUI"},
      {with({"device", "add", "0011223344556688", "--app", "water", "--mac-version", "1.2"}, otaa),
       "--mac-version must be"},
      {with({"device", "add", "0011223344556688", "--app", "water", "--mac-version", "1.1"}, otaa),
       "--nwk-key is required"},
      {with({"device", "add", "0011223344556688", "--app", "water", "--nwk-key", kAppKey}, otaa),
       "--nwk-key applies to LoRaWAN 1.1"},
      {with({"device", "add", "0011223344556688", "--app", "water", "--class", "B"}, otaa), "--class must be A or C"},
      {with({"device", "add", "0011223344556688", "--app", "water", "--codec", "nope"}, otaa), "unknown codec 'nope'"},
      {{"device", "add", "0011223344556688", "--app", "water", "--abp", "--dev-addr", "26011bda", "--nwk-s-key",
        kAppKey},
       "--app-s-key is required"},
      {{"device", "add", "0011223344556688", "--app", "water", "--abp", "--dev-addr", "26011b", "--nwk-s-key", kAppKey,
        "--app-s-key", kAppKey},
       "--dev-addr must be 8 hex digits"},
      {{"device", "add", "0011223344556688", "--app", "water", "--abp", "--dev-addr", "26011bda", "--nwk-s-key",
        kAppKey, "--app-s-key", kAppKey, "--fcnt-policy", "loose"},
       "--fcnt-policy must be"},
      {with({"device", "add", "0011223344556688", "--app", "water", "--abp"}, otaa), "--join-eui is for OTAA devices"},
      {with({"device", "add", "0011223344556688", "--app", "water", "--dev-addr", "26011bda"}, otaa),
       "--dev-addr needs --abp"},
      {{"device", "show", "0011223344556699"}, "no device 0011223344556699"},
      {{"device", "remove", "0011223344556699"}, "no device 0011223344556699"},
      {{"device", "list", "--app", "gas"}, "no application 'gas'"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
  CHECK(ctl.dump() == before);
}

TEST_CASE("a manufacturer's CSV list is imported whole") {
  Uchetctl ctl;
  add_applications(ctl);
  uchet::test::write_file(
      ctl.file("devices.csv"),
      "dev_eui,join_eui,app_key,codec,serial,name,app,batch\r\n"
      "0011223344556601,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,karat-926lw,926000001,\"кв. 1, "
      "ХВС\",water,B7\r\n"
      "0011223344556602,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,karat-926lw,926000002,кв. 1 ГВС,water,B7\r\n"
      "0011223344556603,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,,307000003,ИТП,heat,B8\r\n");
  auto r = ctl.json({"device", "import", ctl.file("devices.csv")});
  CHECK(r["imported"] == 3);
  auto d = ctl.json({"device", "show", "0011223344556601"});
  CHECK(d["name"] == "кв. 1, ХВС");
  CHECK(d["serial"] == "926000001");
  CHECK(d["codec"] == "karat-926lw");
  CHECK(ctl.json({"device", "list", "--app", "heat"}).size() == 1);
}

TEST_CASE("a CSV list with bad rows imports nothing and names every bad line") {
  Uchetctl ctl;
  add_applications(ctl);
  REQUIRE(ctl({"device", "add", "0011223344556699", "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
               kAppKey})
              .exit_code == 0);
  auto before = ctl.dump();
  uchet::test::write_file(ctl.file("devices.csv"),
                          "dev_eui,join_eui,app_key,codec,serial,name,app\n"
                          "0011223344556601,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,karat-926lw,1,a,water\n"
                          "00112233445566,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,karat-926lw,2,b,water\n"
                          "0011223344556603,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,karat-926lw,3,c,gas\n"
                          "0011223344556601,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,karat-926lw,4,d,water\n"
                          "0011223344556699,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,karat-926lw,5,e,water\n"
                          "0011223344556605,70b3d57ed0000000,0001,karat-926lw,6,f,water\n"
                          "0011223344556606,70b3d57ed0000000\n");
  auto r = ctl({"device", "import", ctl.file("devices.csv")});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("6 bad row(s), nothing imported"));
  CHECK_THAT(r.err, Catch::Contains("line 3: DevEUI must be 16 hex digits"));
  CHECK_THAT(r.err, Catch::Contains("line 4: no application 'gas'"));
  CHECK_THAT(r.err, Catch::Contains("line 5: device 0011223344556601 appears twice"));
  CHECK_THAT(r.err, Catch::Contains("line 6: device 0011223344556699 already exists"));
  CHECK_THAT(r.err, Catch::Contains("line 7: AppKey must be 32 hex digits"));
  CHECK_THAT(r.err, Catch::Contains("line 8: 2 fields"));
  CHECK(ctl.dump() == before);

  uchet::test::write_file(ctl.file("noheader.csv"), "dev_eui,app\n0011223344556601,water\n");
  auto header = ctl({"device", "import", ctl.file("noheader.csv")});
  CHECK(header.exit_code == 2);
  CHECK_THAT(header.err, Catch::Contains("the header has no 'join_eui' column"));
  auto missing = ctl({"device", "import", ctl.file("absent.csv")});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("cannot read"));
  CHECK(ctl.dump() == before);
}

TEST_CASE("an ABP fleet is imported from a CSV list with its sessions, OTAA rows beside it") {
  Uchetctl ctl;
  add_applications(ctl);
  uchet::test::write_file(
      ctl.file("devices.csv"),
      "dev_eui,dev_addr,nwk_s_key,app_s_key,fcnt_policy,join_eui,app_key,codec,serial,name,app\n"
      "0011223344556601,26011bda,000102030405060708090a0b0c0d0e0f,ffeeddccbbaa99887766554433221100,reset-allowed,,,"
      "karat-926lw,1,a,water\n"
      "0011223344556602,26011bdb,000102030405060708090a0b0c0d0e0f,ffeeddccbbaa99887766554433221100,,,,,2,b,heat\n"
      "0011223344556603,,,,,70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,,3,c,heat\n");
  auto r = ctl.json({"device", "import", ctl.file("devices.csv")});
  CHECK(r["imported"] == 3);
  auto a = ctl.json({"device", "show", "0011223344556601"});
  CHECK(a["activation"] == "abp");
  CHECK(a["devAddr"] == "26011bda");
  CHECK(a["fCntPolicy"] == "reset-allowed");
  auto b = ctl.json({"device", "show", "0011223344556602"});
  CHECK(b["activation"] == "abp");
  CHECK(b["fCntPolicy"] == "strict");
  CHECK(b["devAddr"] == "26011bdb");
  CHECK(b["application"] == "heat");
  CHECK(ctl.json({"device", "show", "0011223344556603"})["activation"] == "otaa");
}

TEST_CASE("an ABP CSV list is checked like device add --abp, all rows or none") {
  Uchetctl ctl;
  add_applications(ctl);
  auto before = ctl.dump();
  uchet::test::write_file(
      ctl.file("devices.csv"),
      "dev_eui,dev_addr,nwk_s_key,app_s_key,fcnt_policy,join_eui,app_key,codec,serial,name,app\n"
      "0011223344556601,26011bda,000102030405060708090a0b0c0d0e0f,ffeeddccbbaa99887766554433221100,,,,,1,a,water\n"
      "0011223344556602,26011bdb,000102030405060708090a0b0c0d0e0f,,,,,,2,b,water\n"
      "0011223344556603,26011bdc,000102030405060708090a0b0c0d0e0f,ffeeddccbbaa99887766554433221100,sometimes,,,,3,c,"
      "water\n"
      "0011223344556604,26011bdd,000102030405060708090a0b0c0d0e0f,ffeeddccbbaa99887766554433221100,,70b3d57ed0000000,"
      ",,4,d,water\n"
      "0011223344556605,,000102030405060708090a0b0c0d0e0f,ffeeddccbbaa99887766554433221100,,,,,5,e,water\n");
  auto r = ctl({"device", "import", ctl.file("devices.csv")});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("4 bad row(s), nothing imported"));
  CHECK_THAT(r.err, Catch::Contains("line 3: --app-s-key is required for an ABP device"));
  CHECK_THAT(r.err, Catch::Contains("line 4: --fcnt-policy must be strict or reset-allowed"));
  CHECK_THAT(r.err, Catch::Contains("line 5: --join-eui is for OTAA devices"));
  CHECK_THAT(r.err, Catch::Contains("line 6: --nwk-s-key needs --abp"));
  CHECK(ctl.dump() == before);

  uchet::test::write_file(ctl.file("nokeys.csv"), "dev_eui,dev_addr,nwk_s_key,codec,serial,name,app\n");
  auto header = ctl({"device", "import", ctl.file("nokeys.csv")});
  CHECK(header.exit_code == 2);
  CHECK_THAT(header.err, Catch::Contains("the header has no 'app_s_key' column"));
  CHECK(ctl.dump() == before);
}

TEST_CASE("downlinks are queued with uchetctl device enqueue") {
  Uchetctl ctl;
  add_applications(ctl);
  REQUIRE(ctl({"device", "add", "0011223344556677", "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
               kAppKey})
              .exit_code == 0);
  auto q = ctl.json(
      {"device", "enqueue", "0011223344556677", "--fport", "5", "--hex", "3001", "--confirmed", "--expires-in", "2h"});
  CHECK(q["fPort"] == 5);
  CHECK(q["data"] == "MAE=");
  CHECK(q["confirmed"] == true);
  CHECK(q.contains("expiresAt"));
  auto b = ctl.json({"device", "enqueue", "0011223344556677", "--fport", "3", "--base64", "IQ=="});
  CHECK(b["data"] == "IQ==");
  auto dump = ctl.dump();
  CHECK(uchet::test::sql_int64s(ctl.database(), "SELECT COUNT(*) FROM downlink_queue") == std::vector<std::int64_t>{2});

  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"device", "enqueue", "0011223344556677", "--fport", "0", "--hex", "01"}, "fPort must be between 1 and 223"},
      {{"device", "enqueue", "0011223344556677", "--fport", "224", "--hex", "01"}, "fPort must be between 1 and 223"},
      {{"device", "enqueue", "0011223344556677", "--fport", "2"}, "exactly one of --hex or --base64"},
      {{"device", "enqueue", "0011223344556677", "--fport", "2", "--hex", "0g"}, "--hex: not a hex digit"},
      {{"device", "enqueue", "0011223344556677", "--fport", "2", "--base64", "!!!!"}, "--base64: invalid Base64"},
      {{"device", "enqueue", "0011223344556677", "--fport", "2", "--hex", std::string(486, 'a')}, "at most 242"},
      {{"device", "enqueue", "0011223344556677", "--fport", "2", "--hex", "01", "--expires-in", "soon"},
       "--expires-in must be a duration"},
      {{"device", "enqueue", "0011223344556699", "--fport", "2", "--hex", "01"}, "no device"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
  CHECK(ctl.dump() == dump);
}

TEST_CASE("global options may come before or after the subcommand") {
  Uchetctl ctl;
  REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--json", "application", "list"}, {"application", "list", "--json"}, {"application", "--json", "list"}}) {
    auto r = ctl(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(nlohmann::json::parse(r.out).at(0).at("name") == "water");
  }
  // --db after the subcommand names the database as well as before it.
  auto r = uchet::test::run(
      {uchet::test::executable_from_env("UCHETCTL"), "application", "list", "--json", "--db", ctl.database()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out).size() == 1);
  // The help of a manual reading names the canonical units (energy is kWh, not GJ).
  auto help = ctl({"reading", "set", "--help"});
  CHECK(help.out.find("kWh") != std::string::npos);
  CHECK(help.out.find("GJ") == std::string::npos);
}
