#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

namespace {

const std::string kFias = "0c5b2444-70a0-4932-980c-b4dc0d3f02b5";

// Provisions devices 00112233445566{01..count} in application "water" with one import.
void add_devices(const Uchetctl& ctl, int count) {
  REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  std::string csv = "dev_eui,join_eui,app_key,codec,serial,name,app\n";
  for (int i = 1; i <= count; ++i) {
    csv += fmt::format(
        "00112233445566{:02x},70b3d57ed0000000,000102030405060708090a0b0c0d0e0f,karat-926lw,9260{:05},m{},water\n", i,
        i, i);
  }
  uchet::test::write_file(ctl.file("devices.csv"), csv);
  REQUIRE(ctl({"device", "import", ctl.file("devices.csv")}).exit_code == 0);
}

std::string eui(int i) { return fmt::format("00112233445566{:02x}", i); }

// lenina-5 in Yekaterinburg with flats 1 and 2, a building cold-water point and flat 1's point.
void add_building(const Uchetctl& ctl) {
  REQUIRE(
      ctl({"object", "add", "lenina-5", "--address", "ул. Ленина, 5", "--time-zone", "Asia/Yekaterinburg"}).exit_code ==
      0);
  REQUIRE(ctl({"premise", "add", "lenina-5", "1", "--kind", "residential", "--area", "54.2", "--account", "LS-1"})
              .exit_code == 0);
  REQUIRE(ctl({"premise", "add", "lenina-5", "2", "--kind", "residential"}).exit_code == 0);
  REQUIRE(ctl({"point", "add", "lenina-5", "odpu-cw", "--resource", "cold_water", "--level", "building"}).exit_code ==
          0);
  REQUIRE(ctl({"point", "add", "lenina-5", "1-cw", "--resource", "cold_water", "--level", "premise", "--premise", "1"})
              .exit_code == 0);
}

}  // namespace

TEST_CASE("objects are added, listed, shown with their counts and removed") {
  Uchetctl ctl;
  auto o = ctl.json({"object", "add", "lenina-5", "--address", "ул. Ленина, 5", "--fias",
                     "0C5B2444-70A0-4932-980C-B4DC0D3F02B5", "--time-zone", "Asia/Yekaterinburg", "--lat", "56.8389",
                     "--lon", "60.6057"});
  CHECK(o["name"] == "lenina-5");
  CHECK(o["fias"] == kFias);  // stored lower-case
  CHECK(o["timeZone"] == "Asia/Yekaterinburg");
  CHECK(o["latitude"] == 56.8389);
  REQUIRE(ctl({"object", "add", "mira-10"}).exit_code == 0);

  auto list = ctl.json({"object", "list"});
  REQUIRE(list.size() == 2);
  CHECK(list[0]["name"] == "lenina-5");
  CHECK(list[1]["name"] == "mira-10");
  CHECK(list[1]["latitude"].is_null());

  REQUIRE(ctl({"premise", "add", "lenina-5", "1", "--kind", "residential"}).exit_code == 0);
  REQUIRE(ctl({"point", "add", "lenina-5", "odpu-cw", "--resource", "cold_water", "--level", "building"}).exit_code ==
          0);
  auto show = ctl.json({"object", "show", "lenina-5"});
  CHECK(show["premises"] == 1);
  CHECK(show["points"] == 1);
  CHECK(show["meters"] == 0);
  auto text = ctl({"object", "show", "lenina-5"});
  CHECK_THAT(text.out, Catch::Contains("ул. Ленина, 5") && Catch::Contains("metering points:  1"));

  CHECK(ctl({"object", "remove", "lenina-5"}).exit_code == 0);
  CHECK(ctl.json({"object", "list"}).size() == 1);
}

TEST_CASE("premises and points are listed in a natural order with the meter installed at each") {
  Uchetctl ctl;
  add_devices(ctl, 1);
  add_building(ctl);
  for (const auto* number : {"10", "9", "Н-1"}) {
    REQUIRE(ctl({"premise", "add", "lenina-5", number, "--kind", "non_residential"}).exit_code == 0);
  }
  auto premises = ctl.json({"premise", "list", "lenina-5"});
  REQUIRE(premises.size() == 5);
  CHECK(premises[0]["number"] == "1");
  CHECK(premises[0]["area"] == 54.2);
  CHECK(premises[0]["account"] == "LS-1");
  CHECK(premises[2]["number"] == "9");
  CHECK(premises[3]["number"] == "10");
  CHECK(premises[4]["kind"] == "non_residential");

  REQUIRE(ctl({"point", "add", "lenina-5", "odpu-hw", "--resource", "hot_water", "--level", "building"}).exit_code ==
          0);
  REQUIRE(ctl({"meter", "install", eui(1), "--point", "lenina-5/1-cw", "--at", "2026-11-01T10:00", "--reading", "12.5",
               "--seal", "S-77"})
              .exit_code == 0);
  auto points = ctl.json({"point", "list", "lenina-5", "--resource", "cold_water"});
  REQUIRE(points.size() == 2);
  CHECK(points[0]["name"] == "odpu-cw");  // building points first
  CHECK(points[0]["meter"].is_null());
  CHECK(points[1]["name"] == "1-cw");
  CHECK(points[1]["premise"] == "1");
  CHECK(points[1]["meter"]["devEui"] == eui(1));
  CHECK(points[1]["meter"]["installedAt"] == "2026-11-01T10:00:00+05:00");
  CHECK(points[1]["meter"]["seal"] == "S-77");
  CHECK(ctl.json({"point", "list", "lenina-5"}).size() == 3);
  CHECK(ctl.json({"object", "show", "lenina-5"})["meters"] == 1);
  CHECK_THAT(ctl({"point", "list", "lenina-5"}).out, Catch::Contains(eui(1)));

  // With a meter installed, removing the object takes --force, and its history goes with it.
  CHECK(ctl({"object", "remove", "lenina-5", "--force"}).exit_code == 0);
  CHECK(ctl.json({"object", "list"}).empty());
  CHECK(ctl.json({"meter", "history", eui(1)}).empty());
}

TEST_CASE("a meter replacement at a point is kept as installation history") {
  Uchetctl ctl;
  add_devices(ctl, 2);
  add_building(ctl);
  REQUIRE(ctl({"meter", "install", eui(1), "--object", "lenina-5", "--point", "1-cw", "--at", "2026-01-15", "--reading",
               "0"})
              .exit_code == 0);
  auto removed = ctl.json({"meter", "remove", eui(1), "--at", "2026-11-20T09:30", "--reading", "48.25"});
  CHECK(removed["removedAt"] == "2026-11-20T09:30:00+05:00");
  CHECK(removed["removedReading"] == 48.25);
  // The new meter goes in at the very moment the old one came out.
  REQUIRE(
      ctl({"meter", "install", eui(2), "--point", "lenina-5/1-cw", "--at", "2026-11-20T09:30", "--reading", "0.001"})
          .exit_code == 0);

  auto history = ctl.json({"meter", "history", "--point", "lenina-5/1-cw"});
  REQUIRE(history.size() == 2);
  CHECK(history[0]["devEui"] == eui(1));
  CHECK(history[0]["installedAt"] == "2026-01-15T00:00:00+05:00");
  CHECK(history[0]["removedReading"] == 48.25);
  CHECK(history[1]["devEui"] == eui(2));
  CHECK(history[1]["removedAt"].is_null());
  CHECK(history[1]["installedReading"] == 0.001);

  auto of_device = ctl.json({"meter", "history", eui(1)});
  REQUIRE(of_device.size() == 1);
  CHECK(of_device[0]["object"] == "lenina-5");
  CHECK(of_device[0]["point"] == "1-cw");

  // The removed device may serve another point afterwards.
  REQUIRE(ctl({"meter", "install", eui(1), "--point", "lenina-5/odpu-cw", "--at", "2026-11-21", "--reading", "48.25"})
              .exit_code == 0);
  CHECK(ctl.json({"meter", "history", eui(1)}).size() == 2);
  CHECK_THAT(ctl({"meter", "history", eui(1)}).out,
             Catch::Contains("lenina-5/odpu-cw") && Catch::Contains("installed"));
}

TEST_CASE("billing norms are set from a date and listed") {
  Uchetctl ctl;
  add_building(ctl);
  auto always = ctl.json({"norm", "set", "lenina-5", "--resource", "cold_water", "--per-month", "6.9"});
  CHECK(always["validFrom"].is_null());
  REQUIRE(ctl({"norm", "set", "lenina-5", "--resource", "cold_water", "--per-month", "7.2", "--from", "2027-01-01"})
              .exit_code == 0);
  REQUIRE(ctl({"norm", "set", "lenina-5", "--resource", "hot_water", "--per-month", "4"}).exit_code == 0);
  // Setting the same resource and date again replaces the value.
  REQUIRE(ctl({"norm", "set", "lenina-5", "--resource", "cold_water", "--per-month", "7.25", "--from", "2027-01-01"})
              .exit_code == 0);
  auto norms = ctl.json({"norm", "list", "lenina-5"});
  REQUIRE(norms.size() == 3);
  CHECK(norms[0]["resource"] == "cold_water");
  CHECK(norms[0]["perMonth"] == 6.9);
  CHECK(norms[1]["validFrom"] == "2027-01-01T00:00:00+05:00");
  CHECK(norms[1]["perMonth"] == 7.25);
  CHECK(norms[2]["resource"] == "hot_water");

  // Dates are local to the object's zone.
  REQUIRE(ctl({"object", "add", "tverskaya-1", "--time-zone", "Europe/Moscow"}).exit_code == 0);
  auto moscow =
      ctl.json({"norm", "set", "tverskaya-1", "--resource", "heat", "--per-month", "150", "--from", "2027-01-01"});
  CHECK(moscow["validFrom"] == "2027-01-01T00:00:00+03:00");
}

TEST_CASE("bad metering commands exit 2 with a reason and change nothing") {
  Uchetctl ctl;
  add_devices(ctl, 3);
  add_building(ctl);
  REQUIRE(ctl({"meter", "install", eui(1), "--point", "lenina-5/1-cw", "--at", "2026-11-01", "--reading", "10"})
              .exit_code == 0);
  REQUIRE(ctl({"meter", "install", eui(3), "--point", "lenina-5/odpu-cw", "--at", "2026-10-01", "--reading", "100"})
              .exit_code == 0);
  REQUIRE(ctl({"meter", "remove", eui(3), "--at", "2026-10-20", "--reading", "150"}).exit_code == 0);
  auto before = ctl.dump();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"object", "add", "lenina-5"}, "object lenina-5 already exists"},
      {{"object", "add", "lenina 7"}, "must not contain spaces"},
      {{"object", "add", "a/b"}, "must not contain spaces, '/'"},
      {{"object", "add", "x", "--fias", "0c5b2444-70a0-4932-980c-b4dc0d3f02b"}, "--fias must be a UUID"},
      {{"object", "add", "x", "--fias", "0c5b2444x70a0-4932-980c-b4dc0d3f02b5"}, "--fias must be a UUID"},
      {{"object", "add", "x", "--fias", "gc5b2444-70a0-4932-980c-b4dc0d3f02b5"}, "--fias must be a UUID"},
      {{"object", "add", "x", "--time-zone", "Mars/Olympus"}, "--time-zone"},
      {{"object", "add", "x", "--time-zone", "../etc/passwd"}, "--time-zone"},
      {{"object", "add", "x", "--lat", "91", "--lon", "60"}, "latitude must be between -90 and 90"},
      {{"object", "add", "x", "--lat", "56", "--lon", "-181"}, "longitude must be between -180 and 180"},
      {{"object", "add", "x", "--lat", "56"}, "give both latitude and longitude"},
      {{"object", "add", "x", "--lat", "nan", "--lon", "1"}, "--lat must be a number"},
      {{"object", "show", "nowhere"}, "no object nowhere"},
      {{"object", "remove", "nowhere"}, "no object nowhere"},
      {{"object", "remove", "lenina-5"}, "1 meter(s) installed"},
      {{"premise", "add", "nowhere", "1", "--kind", "residential"}, "no object nowhere"},
      {{"premise", "add", "lenina-5", "1", "--kind", "residential"}, "already has premise 1"},
      {{"premise", "add", "lenina-5", "3", "--kind", "office"}, "--kind must be residential or non_residential"},
      {{"premise", "add", "lenina-5", "3", "--kind", "residential", "--area", "0"}, "--area must be a positive number"},
      {{"premise", "add", "lenina-5", "3", "--kind", "residential", "--area", "abc"}, "--area must be a number"},
      {{"premise", "add", "lenina-5", " 3", "--kind", "residential"}, "surrounding spaces"},
      {{"premise", "list", "nowhere"}, "no object nowhere"},
      {{"point", "add", "lenina-5", "odpu-cw", "--resource", "cold_water", "--level", "building"},
       "already has point odpu-cw"},
      {{"point", "add", "lenina-5", "p", "--resource", "gas", "--level", "building"}, "--resource must be cold_water"},
      {{"point", "add", "lenina-5", "p", "--resource", "heat", "--level", "flat"},
       "--level must be building or premise"},
      {{"point", "add", "lenina-5", "p", "--resource", "heat", "--level", "premise"}, "--premise is required"},
      {{"point", "add", "lenina-5", "p", "--resource", "heat", "--level", "building", "--premise", "1"},
       "--premise applies only"},
      {{"point", "add", "lenina-5", "p", "--resource", "heat", "--level", "premise", "--premise", "77"},
       "has no premise 77"},
      {{"point", "add", "lenina-5", "p/q", "--resource", "heat", "--level", "building"}, "point name"},
      {{"point", "list", "lenina-5", "--resource", "steam"}, "--resource must be"},
      {{"meter", "install", "00112233445566ff", "--point", "lenina-5/odpu-cw", "--at", "2026-11-01", "--reading", "0"},
       "no device 00112233445566ff"},
      {{"meter", "install", "0011", "--point", "lenina-5/odpu-cw", "--at", "2026-11-01", "--reading", "0"}, "DevEUI"},
      {{"meter", "install", eui(2), "--point", "odpu-cw", "--at", "2026-11-01", "--reading", "0"},
       "--point must be OBJECT/POINT"},
      {{"meter", "install", eui(2), "--point", "nowhere/odpu-cw", "--at", "2026-11-01", "--reading", "0"},
       "no object nowhere"},
      {{"meter", "install", eui(2), "--point", "lenina-5/none", "--at", "2026-11-01", "--reading", "0"},
       "has no point none"},
      {{"meter", "install", eui(2), "--object", "lenina-5", "--point", "lenina-5/odpu-cw", "--at", "2026-11-01",
        "--reading", "0"},
       "not both"},
      {{"meter", "install", eui(1), "--point", "lenina-5/odpu-cw", "--at", "2026-11-02", "--reading", "0"},
       "is installed at lenina-5/1-cw"},
      {{"meter", "install", eui(2), "--point", "lenina-5/1-cw", "--at", "2026-11-02", "--reading", "0"},
       "already has meter"},
      {{"meter", "install", eui(2), "--point", "lenina-5/odpu-cw", "--at", "2026-10-19", "--reading", "0"},
       "must not overlap"},
      {{"meter", "install", eui(3), "--point", "lenina-5/odpu-cw", "--at", "2026-10-10", "--reading", "0"},
       "--at must not be earlier"},
      {{"meter", "install", eui(2), "--point", "lenina-5/odpu-cw", "--at", "2026-11-02", "--reading", "-1"},
       "--reading must be a finite register value >= 0"},
      {{"meter", "install", eui(2), "--point", "lenina-5/odpu-cw", "--at", "2026-11-02", "--reading", "inf"},
       "--reading must be a number"},
      {{"meter", "install", eui(2), "--point", "lenina-5/odpu-cw", "--at", "yesterday", "--reading", "1"}, "--at"},
      {{"meter", "remove", eui(2), "--at", "2026-11-02", "--reading", "1"}, "is not installed anywhere"},
      {{"meter", "remove", eui(1), "--at", "2026-11-01", "--reading", "11"}, "--at must be after the installation"},
      {{"meter", "remove", eui(1), "--at", "2026-10-01", "--reading", "11"}, "--at must be after the installation"},
      {{"meter", "remove", eui(1), "--at", "2026-11-02", "--reading", "9.5"}, "below the installation reading 10"},
      {{"meter", "remove", eui(1), "--at", "2026-11-02", "--reading", "nan"}, "--reading must be a number"},
      {{"meter", "history"}, "give either DEV_EUI or --point"},
      {{"meter", "history", eui(1), "--point", "lenina-5/1-cw"}, "give either DEV_EUI or --point"},
      {{"norm", "set", "nowhere", "--resource", "heat", "--per-month", "1"}, "no object nowhere"},
      {{"norm", "set", "lenina-5", "--resource", "gas", "--per-month", "1"}, "--resource must be"},
      {{"norm", "set", "lenina-5", "--resource", "heat", "--per-month", "-1"}, "--per-month must be >= 0"},
      {{"norm", "set", "lenina-5", "--resource", "heat", "--per-month", "1", "--from", "2027-13-01"}, "--from"},
      {{"norm", "list", "nowhere"}, "no object nowhere"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    INFO(fmt::format("{}", fmt::join(c.args, " ")));
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
  CHECK(ctl.dump() == before);
}

TEST_CASE("a 10-apartment building is imported from CSV in one go") {
  Uchetctl ctl;
  add_devices(ctl, 11);
  std::string csv =
      "object,address,fias,time_zone,lat,lon,premise,kind,area,account,point,resource,level,dev_eui,installed_at,"
      "reading,seal\r\n";
  csv += fmt::format(
      "lenina-5,\"ул. Ленина, 5\",{},Europe/Samara,56.8389,60.6057,,,,,odpu-cw,cold_water,building,{},"
      "2026-10-01,1000.5,S-0\r\n",
      kFias, eui(11));
  for (int flat = 1; flat <= 10; ++flat) {
    // Object-level columns may be repeated on every line, or left empty.
    csv += fmt::format("lenina-5,{},,,,,{},residential,{}.5,LS-{},{}-cw,cold_water,,{},2026-10-01T12:00,{},S-{}\r\n",
                       flat % 2 ? "\"ул. Ленина, 5\"" : "", flat, 40 + flat, flat, flat, eui(flat), flat * 1.5, flat);
  }
  uchet::test::write_file(ctl.file("building.csv"), csv);
  auto r = ctl.json({"object", "import", ctl.file("building.csv")});
  CHECK(r["objects"] == 1);
  CHECK(r["premises"] == 10);
  CHECK(r["points"] == 11);
  CHECK(r["meters"] == 11);

  auto o = ctl.json({"object", "show", "lenina-5"});
  CHECK(o["address"] == "ул. Ленина, 5");
  CHECK(o["fias"] == kFias);
  CHECK(o["longitude"] == 60.6057);
  CHECK(o["meters"] == 11);
  auto premises = ctl.json({"premise", "list", "lenina-5"});
  REQUIRE(premises.size() == 10);
  CHECK(premises[9]["number"] == "10");
  CHECK(premises[9]["area"] == 50.5);
  CHECK(premises[9]["account"] == "LS-10");
  auto points = ctl.json({"point", "list", "lenina-5"});
  REQUIRE(points.size() == 11);
  CHECK(points[0]["level"] == "building");
  // Times in the file are read in the object's own zone (Samara, UTC+4), not the configuration's.
  CHECK(points[0]["meter"]["installedAt"] == "2026-10-01T00:00:00+04:00");
  CHECK(points[0]["meter"]["installedReading"] == 1000.5);
  CHECK(points[3]["name"] == "3-cw");
  CHECK(points[3]["premise"] == "3");
  CHECK(points[3]["meter"]["devEui"] == eui(3));
  CHECK(points[3]["meter"]["installedReading"] == 4.5);
  CHECK(points[3]["meter"]["seal"] == "S-3");
}

TEST_CASE("a building CSV with three bad lines imports nothing and names each line") {
  Uchetctl ctl;
  add_devices(ctl, 4);
  auto before = ctl.dump();
  uchet::test::write_file(ctl.file("building.csv"),
                          "object,time_zone,premise,kind,point,resource,dev_eui,installed_at,reading\n"
                          "mira-10,Asia/Yekaterinburg,,,odpu-hw,hot_water,0011223344556601,2026-10-01,5\n"
                          "mira-10,,1,residential,1-hw,hot_water,0011223344556602,2026-10-01,-2\n"
                          "mira-10,,2,flat,2-hw,hot_water,0011223344556603,2026-10-01,1\n"
                          "mira-10,,3,residential,3-hw,hot_water,0011223344556601,2026-10-01,1\n"
                          "mira-10,,4,residential,4-hw,hot_water,0011223344556604,2026-10-01,1\n");
  auto r = ctl({"object", "import", ctl.file("building.csv")});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("3 bad line(s), nothing imported"));
  CHECK_THAT(r.err, Catch::Contains("line 3: reading must be a finite register value >= 0"));
  CHECK_THAT(r.err, Catch::Contains("line 4: kind must be residential or non_residential"));
  CHECK_THAT(r.err, Catch::Contains("line 5: device 0011223344556601 is already installed on line 2"));
  CHECK(ctl.dump() == before);

  // Problems of the file as a whole, and of object-level columns.
  struct Case {
    std::string csv, message;
  };
  const std::vector<Case> cases = {
      {"", "the CSV file is empty"},
      {"object,adress\nx,1\n", "line 1: unknown column 'adress'"},
      {"premise,point\n1,p\n", "the header has no 'object' column"},
      {"object\n", "has a header but no lines"},
      {"object,premise\nx\n", "line 2: 1 fields, the header has 2"},
      {"object,fias\nx,not-a-guid\n", "line 2: fias must be a UUID"},
      {"object,time_zone\nx,Asia/Yekaterinburg\nx,Europe/Moscow\n", "line 3: time_zone 'Europe/Moscow' differs"},
      {"object,lat\nx,56\n", "line 2: give both latitude and longitude"},
      {"object,premise,kind\nx,1,residential\nx,1,non_residential\n", "line 3: kind 'non_residential' differs"},
      {"object,premise\nx,1\n", "line 2: kind is required for premise 1"},
      {"object,kind\nx,residential\n", "line 2: kind is given but premise is empty"},
      {"object,point,resource\nx,p,cold_water\nx,p,hot_water\n",
       "line 3: point p of object x is already defined on line 2"},
      {"object,point,resource,level\nx,p,cold_water,premise\n",
       "line 2: point p is premise-level but premise is empty"},
      {"object,premise,kind,point,resource,level\nx,1,residential,p,cold_water,building\n",
       "line 2: point p is building-level"},
      {"object,point\nx,p\n", "line 2: resource is required for point p"},
      {"object,dev_eui\nx,0011223344556601\n",
       "line 2: a meter (dev_eui, installed_at, reading, seal) needs the point"},
      {"object,point,resource,dev_eui,reading\nx,p,heat,0011223344556601,1\n", "line 2: installed_at is required"},
      {"object,point,resource,dev_eui,installed_at,reading\nx,p,heat,00112233445566ff,2026-10-01,1\n",
       "no device 00112233445566ff"},
      {"object,point,resource,dev_eui,installed_at,reading\nx,p,heat,0011223344556601,someday,1\n",
       "line 2: installed_at"},
      {"object\nbad name\n", "line 2: object 'bad name' must not contain spaces"},
  };
  for (const auto& c : cases) {
    uchet::test::write_file(ctl.file("case.csv"), c.csv);
    auto bad = ctl({"object", "import", ctl.file("case.csv")});
    INFO(c.csv);
    INFO(bad.err);
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains(c.message));
  }
  CHECK(ctl({"object", "import", ctl.file("absent.csv")}).exit_code == 2);
  CHECK(ctl.dump() == before);
}

TEST_CASE("importing an object that exists, or a device installed elsewhere, is refused") {
  Uchetctl ctl;
  add_devices(ctl, 1);
  add_building(ctl);
  REQUIRE(
      ctl({"meter", "install", eui(1), "--point", "lenina-5/1-cw", "--at", "2026-11-01", "--reading", "1"}).exit_code ==
      0);
  auto before = ctl.dump();
  uchet::test::write_file(ctl.file("b.csv"),
                          "object,point,resource,dev_eui,installed_at,reading\n"
                          "lenina-5,,,,,\n"
                          "mira-10,odpu,cold_water,0011223344556601,2026-11-02,1\n");
  auto r = ctl({"object", "import", ctl.file("b.csv")});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("line 2: object lenina-5 already exists"));
  CHECK_THAT(r.err, Catch::Contains("line 3: device 0011223344556601 is installed at lenina-5/1-cw"));
  CHECK(ctl.dump() == before);
}

TEST_CASE("premises and points are edited, and removed only while nothing depends on them") {
  Uchetctl ctl;
  add_devices(ctl, 1);
  add_building(ctl);
  auto edited = ctl.json({"premise", "edit", "lenina-5", "2", "--number", "2А", "--kind", "non_residential", "--area",
                          "30.5", "--account", "LS-2"});
  CHECK(edited["number"] == "2А");
  CHECK(edited["kind"] == "non_residential");
  CHECK(edited["area"] == 30.5);
  CHECK(edited["account"] == "LS-2");
  CHECK(ctl.json({"premise", "edit", "lenina-5", "2А", "--area", "none"})["area"].is_null());
  auto taken = ctl({"premise", "edit", "lenina-5", "2А", "--number", "1"});
  CHECK(taken.exit_code == 2);
  CHECK_THAT(taken.err, Catch::Contains("already has premise 1"));
  CHECK(ctl({"premise", "edit", "lenina-5", "2А"}).exit_code == 2);
  CHECK(ctl({"premise", "edit", "lenina-5", "9", "--area", "1"}).exit_code == 2);
  CHECK(ctl({"premise", "edit", "lenina-5", "2А", "--kind", "flat"}).exit_code == 2);

  REQUIRE(
      ctl({"meter", "install", eui(1), "--point", "lenina-5/1-cw", "--at", "2026-11-01", "--reading", "1"}).exit_code ==
      0);
  auto resource = ctl({"point", "edit", "lenina-5/1-cw", "--resource", "hot_water"});
  CHECK(resource.exit_code == 2);
  CHECK_THAT(resource.err,
             Catch::Contains("has meter history (0011223344556601 from 2026-10-31T19:00:00Z (installed))") &&
                 Catch::Contains("cannot change"));
  auto renamed = ctl.json({"point", "edit", "1-cw", "--object", "lenina-5", "--name", "1-cold"});
  CHECK(renamed["name"] == "1-cold");
  CHECK(ctl({"point", "edit", "lenina-5/1-cold", "--name", "odpu-cw"}).exit_code == 2);
  CHECK(ctl({"point", "edit", "lenina-5/odpu-cw", "--premise", "1"}).exit_code == 2);

  auto premise = ctl({"premise", "remove", "lenina-5", "1"});
  CHECK(premise.exit_code == 2);
  CHECK_THAT(premise.err, Catch::Contains("has metering point(s) 1-cold (cold_water, 1 meter installation(s))") &&
                              Catch::Contains("remove the points first"));
  auto point = ctl({"point", "remove", "lenina-5/1-cold"});
  CHECK(point.exit_code == 2);
  CHECK_THAT(point.err, Catch::Contains("has meter history (0011223344556601") &&
                            Catch::Contains("readings, balances and billing rows depend on it"));

  // A point that never had a meter may change its resource, move and go; then its premise.
  REQUIRE(ctl({"point", "add", "lenina-5", "2-cw", "--resource", "cold_water", "--level", "premise", "--premise", "1"})
              .exit_code == 0);
  auto moved = ctl.json({"point", "edit", "lenina-5/2-cw", "--resource", "hot_water", "--premise", "2А"});
  CHECK(moved["resource"] == "hot_water");
  CHECK(moved["premise"] == "2А");
  CHECK(ctl({"premise", "remove", "lenina-5", "2А"}).exit_code == 2);
  CHECK(ctl.json({"point", "remove", "lenina-5/2-cw"})["removed"] == "2-cw");
  CHECK(ctl.json({"premise", "remove", "lenina-5", "2А"})["removed"] == "2А");
  auto premises = ctl.json({"premise", "list", "lenina-5"});
  REQUIRE(premises.size() == 1);
  CHECK(premises[0]["number"] == "1");
  CHECK(ctl({"point", "remove", "lenina-5/2-cw"}).exit_code == 2);
}

TEST_CASE("object set stores the common-property area, the owners' decision and the heating season") {
  Uchetctl ctl;
  add_building(ctl);
  auto set = ctl.json({"object", "set", "lenina-5", "--common-area", "412.5", "--owners-above-norm", "yes",
                       "--heating-season", "10-04"});
  CHECK(set["commonArea"] == 412.5);
  CHECK(set["ownersAboveNorm"] == true);
  CHECK(set["heatingSeason"] == "10-04");
  auto shown = ctl({"object", "show", "lenina-5"});
  CHECK_THAT(shown.out, Catch::Contains("412.5 m²") && Catch::Contains("10-04"));
  auto cleared = ctl.json({"object", "set", "lenina-5", "--common-area", "none", "--heating-season", "none"});
  CHECK(cleared["commonArea"].is_null());
  CHECK(cleared["heatingSeason"] == "");
  CHECK(cleared["ownersAboveNorm"] == true);
  for (const std::vector<std::string> bad : {std::vector<std::string>{"--common-area", "-1"},
                                             {"--owners-above-norm", "maybe"},
                                             {"--heating-season", "13-04"},
                                             {"--heating-season", "10"},
                                             {}}) {
    std::vector<std::string> args = {"object", "set", "lenina-5"};
    args.insert(args.end(), bad.begin(), bad.end());
    CHECK(ctl(args).exit_code == 2);
  }
}

TEST_CASE("object import reports every error of a line, and imports the billing columns") {
  Uchetctl ctl;
  add_devices(ctl, 1);
  uchet::test::write_file(ctl.file("bad.csv"),
                          "object,common_area,premise,kind,area,point,resource,dev_eui,installed_at,reading\n"
                          "mira-10,-3,1,flat,-5,p 1,gas,nonsense,someday,-1\n");
  auto r = ctl({"object", "import", ctl.file("bad.csv")});
  CHECK(r.exit_code == 2);
  INFO(r.err);
  CHECK_THAT(r.err, Catch::Contains("1 bad line(s), nothing imported"));
  for (const std::string message :
       {"line 2: common_area must be a positive number", "line 2: area must be a positive number",
        "line 2: kind must be residential or non_residential", "line 2: point 'p 1' must not contain spaces",
        "line 2: resource must be cold_water"}) {
    CHECK_THAT(r.err, Catch::Contains(message));
  }
  // The meter's cells are each reported too.
  uchet::test::write_file(ctl.file("meter.csv"),
                          "object,point,resource,dev_eui,installed_at,reading\n"
                          "mira-10,p,cold_water,nonsense,someday,-1\n");
  auto m = ctl({"object", "import", ctl.file("meter.csv")});
  CHECK(m.exit_code == 2);
  CHECK_THAT(m.err, Catch::Contains("line 2: dev_eui") && Catch::Contains("line 2: installed_at") &&
                        Catch::Contains("line 2: reading must be a finite register value"));

  uchet::test::write_file(ctl.file("good.csv"),
                          "object,common_area,owners_above_norm,heating_season,premise,kind,area\n"
                          "mira-10,250,no,10-04,1,residential,40\n"
                          "mira-10,,,,2,non_residential,60\n");
  auto ok = ctl({"object", "import", ctl.file("good.csv")});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  auto shown = ctl.json({"object", "show", "mira-10"});
  CHECK(shown["commonArea"] == 250);
  CHECK(shown["ownersAboveNorm"] == false);
  CHECK(shown["heatingSeason"] == "10-04");
}
