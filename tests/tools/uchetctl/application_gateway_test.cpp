#include <catch2/catch.hpp>

#include "schema/gateway_downlink_figures.h"
#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

TEST_CASE("applications are added, listed and removed") {
  Uchetctl ctl;
  auto added = ctl.json({"application", "add", "water", "--description", "Холодная вода"});
  CHECK(added["name"] == "water");
  CHECK(added["description"] == "Холодная вода");
  auto r = ctl({"application", "list"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("water") && Catch::Contains("Холодная вода"));
  auto list = ctl.json({"application", "list"});
  REQUIRE(list.size() == 1);
  CHECK(list[0]["devices"] == 0);
  // A UUID given at creation (ChirpStack's applicationId), the same in list and show.
  const auto id = added["id"].get<std::string>();
  CHECK(id.size() == 36);
  CHECK(id[14] == '4');
  CHECK(list[0]["id"] == id);
  CHECK(ctl.json({"application", "show", "water"})["id"] == id);
  CHECK_THAT(ctl({"application", "show", "water"}).out, Catch::Contains(id));
  CHECK(ctl({"application", "show", "nope"}).exit_code == 2);
  CHECK(ctl({"application", "remove", "water"}).exit_code == 0);
  CHECK(ctl.json({"application", "list"}).empty());
}

TEST_CASE("bad application commands exit 2 with a reason and change nothing") {
  Uchetctl ctl;
  REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  auto before = ctl.dump();
  auto dup = ctl({"application", "add", "water"});
  CHECK(dup.exit_code == 2);
  CHECK_THAT(dup.err, Catch::Contains("already exists"));
  auto slash = ctl({"application", "add", "a/b"});
  CHECK(slash.exit_code == 2);
  CHECK_THAT(slash.err, Catch::Contains("application name"));
  auto missing = ctl({"application", "remove", "gas"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("no application 'gas'"));
  CHECK(ctl({"application", "frobnicate"}).exit_code == 2);
  CHECK(ctl({"--db"}).exit_code == 2);
  CHECK(ctl.dump() == before);
}

TEST_CASE("an application with devices is removed only with --force") {
  Uchetctl ctl;
  REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  REQUIRE(ctl({"device", "add", "0011223344556677", "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
               "000102030405060708090a0b0c0d0e0f"})
              .exit_code == 0);
  auto before = ctl.dump();
  auto refused = ctl({"application", "remove", "water"});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("still has 1 device"));
  CHECK(ctl.dump() == before);
  auto forced = ctl.json({"application", "remove", "water", "--force"});
  CHECK(forced["devicesRemoved"] == 1);
  CHECK(ctl.json({"device", "list"}).empty());
}

TEST_CASE("gateways are registered, shown and removed") {
  Uchetctl ctl;
  auto g = ctl.json({"gateway", "add", "AA555A0000000001", "--name", "roof-1", "--lat", "56.8389", "--lon", "60.6057",
                     "--alt", "280"});
  CHECK(g["gatewayEui"] == "aa555a0000000001");
  CHECK(g["latitude"] == Approx(56.8389));
  auto shown = ctl.json({"gateway", "show", "aa555a0000000001"});
  CHECK(shown["name"] == "roof-1");
  CHECK(shown["lastSeenAt"].is_null());
  auto text = ctl({"gateway", "list"});
  CHECK_THAT(text.out, Catch::Contains("aa555a0000000001") && Catch::Contains("never"));
  CHECK(ctl({"gateway", "remove", "AA555A0000000001"}).exit_code == 0);
  CHECK(ctl.json({"gateway", "list"}).empty());
}

TEST_CASE("gateway show prints the downlink figures uchetd saved") {
  Uchetctl ctl;
  REQUIRE(ctl({"gateway", "add", "AA555A0000000001", "--name", "roof-1"}).exit_code == 0);
  CHECK_THAT(ctl({"gateway", "show", "aa555a0000000001"}).out, Catch::Contains("none saved yet"));
  {
    auto db = uchet::schema::Database::open(ctl.database());
    uchet::schema::save_gateway_downlink_figures(db, 0xAA555A0000000001, 1'796'000'000,
                                                 {{"planned", 12},
                                                  {"sent", 11},
                                                  {"acknowledged", 10},
                                                  {"deferred", 4},
                                                  {"refused.slot_taken", 3},
                                                  {"refused.tx_ack_TOO_LATE", 1},
                                                  {"airtime_us.868.7-869.2", 12'500'000}});
  }
  auto text = ctl({"gateway", "show", "aa555a0000000001"}).out;
  CHECK_THAT(text, Catch::Contains("12 / 11 / 10") && Catch::Contains("slot_taken 3") &&
                       Catch::Contains("tx_ack_TOO_LATE 1") && Catch::Contains("868.7-869.2 MHz 12.5 s"));
  auto shown = ctl.json({"gateway", "show", "aa555a0000000001"});
  CHECK(shown["downlinkFigures"]["deferred"] == 4);
  CHECK(shown["downlinkFigures"]["airtime_us.868.7-869.2"] == 12'500'000);
}

TEST_CASE("bad gateway commands exit 2 with a reason and change nothing") {
  Uchetctl ctl;
  REQUIRE(ctl({"gateway", "add", "aa555a0000000001", "--name", "roof"}).exit_code == 0);
  auto before = ctl.dump();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"gateway", "add", "aa555a00000000", "--name", "x"}, "gateway EUI must be 16 hex digits"},
      {{"gateway", "add", "aa555a000000000g", "--name", "x"}, "not a hex digit"},
      {{"gateway", "add", "aa555a0000000001", "--name", "x"}, "already exists"},
      {{"gateway", "add", "aa555a0000000002", "--name", "x", "--lat", "91"}, "--lat must be between"},
      {{"gateway", "add", "aa555a0000000002", "--name", "x", "--lon", "east"}, "--lon"},
      {{"gateway", "add", "aa555a0000000002"}, "--name"},
      {{"gateway", "show", "aa555a0000000002"}, "no gateway aa555a0000000002"},
      {{"gateway", "remove", "zz"}, "gateway EUI"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    INFO(c.args[1] << " " << c.args[2] << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
  CHECK(ctl.dump() == before);
}

TEST_CASE("an application may have its own time zone, which must exist") {
  Uchetctl ctl;
  auto a = ctl.json({"application", "add", "heat-msk", "--time-zone", "Europe/Moscow"});
  CHECK(a["timeZone"] == "Europe/Moscow");
  auto before = ctl.dump();
  auto bad = ctl({"application", "add", "heat-x", "--time-zone", "Mars/Olympus"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--time-zone"));
  CHECK(ctl.dump() == before);
}
