// uchetctl export billing and billing rule: the monthly billing file of a small building, worked
// by hand. The building is set up with the object/premise/point/meter/norm commands; readings are
// written straight into the reading table, as the application server would store them.
//
// Building dom-1 (Asia/Yekaterinburg, UTC+5, no DST), cold water, period November 2026:
//   odpu-cw  house meter ODPU-1, installed 2026-10-01 at 95; 100 on 1 Nov, 130.25 on 1 Dec
//            -> 30.25 measured (ОДПУ)
//   kv-a     premise "3,1" (account ЛС-12,"А"), meter 926001 installed 2026-10-01 at 9;
//            10 on 1 Nov, 11 on 15 Nov, 12.5 on 1 Dec. No readings between: the register has
//            values at both ends of the month, so the whole month is measured: 2.5
//   kv-b     premise 7, meter 926007 installed 2026-10-01 at 0; 1 on 1 Nov, 2 on 11 Nov, then
//            silence. October measured 1 (one month of history, < 3) and November has no day
//            with a value -> the norm 5.5 x 30/30 = 5.5, reading_end empty
//   kv-c     premise 9, meter 926009 installed 2026-07-01 at 0; 1 on 1 Aug, 2 on 1 Sep, 3.5 on
//            1 Oct, 5 on 1 Nov, then daily 5 + 0.04 k for k = 0..15 (5.6 on 16 Nov), then silence.
//            History July..October 1, 1, 1.5, 1.5 -> average 5/4 = 1.25. November: 15 valid
//            days measuring 0.6, 15 invalid -> 0.6 + 1.25 x 15/30 = 1.225, average
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "tests/tools/uchetctl/uchetctl_support.h"
#include "tools/uchetctl/output.h"
#include "tools/uchetctl/text_encoding.h"

using uchet::test::Uchetctl;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kJul1 = 1782846000;  // 2026-07-01T00:00:00+05:00
constexpr std::int64_t kAug1 = kJul1 + 31 * kDay;
constexpr std::int64_t kSep1 = kAug1 + 31 * kDay;
constexpr std::int64_t kOct1 = kSep1 + 30 * kDay;  // 1790794800
constexpr std::int64_t kNov1 = kOct1 + 31 * kDay;
constexpr std::int64_t kDec1 = kNov1 + 30 * kDay;

const std::string kFias = "0c5b2444-70a0-4932-980c-b4dc0d3f02b5";

void ok(const Uchetctl& ctl, const std::vector<std::string>& args) {
  auto r = ctl(args);
  INFO(fmt::format("{}", fmt::join(args, " ")));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

void reading(const Uchetctl& ctl, const std::string& eui, std::int64_t at, double m3) {
  ctl.sql(
      fmt::format("INSERT INTO reading (dev_eui, quantity, resource, value, unit, measured_at, received_at) "
                  "VALUES ('{}', 'volume', 'cold_water', {}, 'm3', {}, {})",
                  eui, m3, at, at));
}

void add_meter(const Uchetctl& ctl, const std::string& eui, const std::string& serial, const std::string& point,
               const std::string& installed, const std::string& reading_m3) {
  ok(ctl, {"device", "add", eui, "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
           "000102030405060708090a0b0c0d0e0f", "--codec", "karat-926lw", "--serial", serial});
  ok(ctl, {"meter", "install", eui, "--point", "dom-1/" + point, "--at", installed, "--reading", reading_m3});
}

void build_dom1(const Uchetctl& ctl) {
  ok(ctl, {"application", "add", "water"});
  ok(ctl, {"object", "add", "dom-1", "--fias", kFias, "--time-zone", "Asia/Yekaterinburg"});
  ok(ctl, {"premise", "add", "dom-1", "3,1", "--kind", "residential", "--account", "ЛС-12,\"А\""});
  ok(ctl, {"premise", "add", "dom-1", "7", "--kind", "residential", "--account", "LS-7"});
  ok(ctl, {"premise", "add", "dom-1", "9", "--kind", "residential", "--account", "LS-9"});
  ok(ctl, {"point", "add", "dom-1", "odpu-cw", "--resource", "cold_water", "--level", "building"});
  ok(ctl, {"point", "add", "dom-1", "kv-a", "--resource", "cold_water", "--level", "premise", "--premise", "3,1"});
  ok(ctl, {"point", "add", "dom-1", "kv-b", "--resource", "cold_water", "--level", "premise", "--premise", "7"});
  ok(ctl, {"point", "add", "dom-1", "kv-c", "--resource", "cold_water", "--level", "premise", "--premise", "9"});
  ok(ctl, {"norm", "set", "dom-1", "--resource", "cold_water", "--per-month", "5.5"});

  add_meter(ctl, "70b3d50000000001", "ODPU-1", "odpu-cw", "2026-10-01", "95");
  reading(ctl, "70b3d50000000001", kNov1, 100);
  reading(ctl, "70b3d50000000001", kDec1, 130.25);

  add_meter(ctl, "70b3d50000000002", "926001", "kv-a", "2026-10-01", "9");
  reading(ctl, "70b3d50000000002", kNov1, 10);
  reading(ctl, "70b3d50000000002", kNov1 + 14 * kDay, 11);
  reading(ctl, "70b3d50000000002", kDec1, 12.5);

  add_meter(ctl, "70b3d50000000003", "926007", "kv-b", "2026-10-01", "0");
  reading(ctl, "70b3d50000000003", kNov1, 1);
  reading(ctl, "70b3d50000000003", kNov1 + 10 * kDay, 2);

  add_meter(ctl, "70b3d50000000004", "926009", "kv-c", "2026-07-01", "0");
  reading(ctl, "70b3d50000000004", kAug1, 1);
  reading(ctl, "70b3d50000000004", kSep1, 2);
  reading(ctl, "70b3d50000000004", kOct1, 3.5);
  for (int k = 0; k <= 15; ++k) reading(ctl, "70b3d50000000004", kNov1 + k * kDay, 5 + 0.04 * k);
}

const std::string kHeader =
    "account,fias_house_guid,premise,resource,meter_serial,level,reading_start,reading_end,consumption,method\r\n";

std::string expected_november(const std::string& kv_c_consumption = "1.225",
                              const std::string& kv_c_method = "average") {
  return kHeader +                                                                                     //
         "," + kFias + ",,cold_water,ODPU-1,ОДПУ,100,130.25,30.25,measured\r\n" +                      //
         "\"ЛС-12,\"\"А\"\"\"," + kFias + ",\"3,1\",cold_water,926001,ИПУ,10,12.5,2.5,measured\r\n" +  //
         "LS-7," + kFias + ",7,cold_water,926007,ИПУ,1,,5.5,norm\r\n" +                                //
         "LS-9," + kFias + ",9,cold_water,926009,ИПУ,5,," + kv_c_consumption + "," + kv_c_method + "\r\n";
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// `text` with its Cyrillic letters replaced by their Windows-1251 bytes, written out by hand.
std::string cp1251_by_hand(std::string text) {
  const std::pair<std::string, std::string> letters[] = {
      {"ОДПУ", "\xCE\xC4\xCF\xD3"}, {"ИПУ", "\xC8\xCF\xD3"}, {"ЛС", "\xCB\xD1"}, {"А", "\xC0"}};
  for (const auto& [utf8, cp] : letters)
    for (auto at = text.find(utf8); at != std::string::npos; at = text.find(utf8, at + cp.size()))
      text.replace(at, utf8.size(), cp);
  return text;
}

}  // namespace

TEST_CASE("export billing of a month: measured, norm and average rows with RFC 4180 quoting") {
  Uchetctl ctl;
  build_dom1(ctl);
  auto r = ctl({"export", "billing", "--period", "2026-11", "--object", "dom-1", "--format", "csv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == expected_november());

  // All objects when --object is absent (here the same single object), CSV being the default.
  auto all = ctl({"export", "billing", "--period", "2026-11"});
  REQUIRE(all.exit_code == 0);
  CHECK(all.out == expected_november());
}

TEST_CASE("export billing in cp1251 writes the Cyrillic letters as single bytes, to a file") {
  Uchetctl ctl;
  build_dom1(ctl);
  const auto path = ctl.file("billing-2026-11.csv");
  auto r = ctl({"export", "billing", "--period", "2026-11", "--encoding", "cp1251", "--output", path});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "exported 4 rows for 2026-11 to " + path + "\n");
  const auto bytes = read_bytes(path);
  CHECK(bytes.find("\xC8\xCF\xD3") != std::string::npos);  // ИПУ
  CHECK(bytes == cp1251_by_hand(expected_november()));
}

TEST_CASE("export billing refuses characters that cp1251 cannot represent, naming them") {
  Uchetctl ctl;
  build_dom1(ctl);
  ok(ctl, {"object", "add", "dom-2"});
  ok(ctl, {"premise", "add", "dom-2", "1", "--kind", "residential", "--account", "Müller-Ω"});
  ok(ctl, {"point", "add", "dom-2", "kv-1", "--resource", "cold_water", "--level", "premise", "--premise", "1"});
  const auto path = ctl.file("out.csv");
  auto r = ctl({"export", "billing", "--period", "2026-11", "--encoding", "cp1251", "--output", path});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("U+00FC 'ü'") && Catch::Contains("U+03A9 'Ω'"));
  CHECK(r.out.empty());
  // UTF-8 holds them, and dom-1 alone is fine in cp1251.
  CHECK(ctl({"export", "billing", "--period", "2026-11"}).exit_code == 0);
  CHECK(ctl({"export", "billing", "--period", "2026-11", "--object", "dom-1", "--encoding", "cp1251"}).exit_code == 0);
}

TEST_CASE("export billing refuses a bad period, encoding, format or object with exit code 2") {
  Uchetctl ctl;
  build_dom1(ctl);
  for (const std::string period : {"2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "ноябрь"}) {
    INFO(period);
    auto r = ctl({"export", "billing", "--period", period});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--period"));
  }
  auto enc = ctl({"export", "billing", "--period", "2026-11", "--encoding", "koi8-r"});
  CHECK(enc.exit_code == 2);
  CHECK_THAT(enc.err, Catch::Contains("--encoding"));
  CHECK(ctl({"export", "billing", "--period", "2026-11", "--format", "xlsx"}).exit_code == 2);
  CHECK(ctl({"export", "billing", "--period", "2026-11", "--object", "nowhere"}).exit_code == 2);
  CHECK(ctl({"export", "billing"}).exit_code == 2);
}

TEST_CASE("billing rule list shows the seeded rule and a dated rule changes the export from its date") {
  Uchetctl ctl;
  build_dom1(ctl);
  auto seeded = ctl.json({"billing", "rule", "list"});
  REQUIRE(seeded.size() == 1);
  CHECK(seeded[0]["averageMonths"] == 6);
  CHECK(seeded[0]["minHistoryMonths"] == 3);
  CHECK(seeded[0]["maxPeriodsResidential"] == 3);
  CHECK(seeded[0]["maxPeriodsNonResidential"] == 2);

  // From November no month may be billed by average: kv-c goes to the norm,
  // 0.6 + 5.5 x 15/30 = 3.35. A rule from December leaves November alone.
  ok(ctl, {"billing", "rule", "add", "--from", "2026-12-01", "--average-months", "6", "--min-history", "3",
           "--max-residential", "0", "--max-non-residential", "0"});
  CHECK(ctl({"export", "billing", "--period", "2026-11"}).out == expected_november());
  auto added = ctl.json({"billing", "rule", "add", "--from", "2026-11-01", "--average-months", "6", "--min-history",
                         "3", "--max-residential", "0", "--max-non-residential", "0", "--source", "test"});
  CHECK(added["validFrom"] == "2026-11-01T00:00:00+05:00");
  CHECK(ctl({"export", "billing", "--period", "2026-11"}).out == expected_november("3.35", "norm"));

  auto rules = ctl.json({"billing", "rule", "list"});
  REQUIRE(rules.size() == 3);
  CHECK(rules[1]["validFrom"] == "2026-11-01T00:00:00+05:00");
  CHECK(rules[1]["source"] == "test");
  CHECK(rules[2]["validFrom"] == "2026-12-01T00:00:00+05:00");

  auto bad = ctl({"billing", "rule", "add", "--from", "2027-01-01", "--average-months", "6", "--min-history", "7",
                  "--max-residential", "3", "--max-non-residential", "2"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--min-history"));
}

TEST_CASE("export billing adds each premise's common-property share (ОДН) once the object has a common area") {
  // dom-1 with areas 50 ("3,1"), 30 (7) and 20 (9) m² = 100 m². November: house 30.25; premises
  // billed 2.5 + 5.5 + 1.225 = 9.225; difference 30.25 − 9.225 = 21.025.
  Uchetctl ctl;
  build_dom1(ctl);
  ok(ctl, {"premise", "edit", "dom-1", "3,1", "--area", "50"});
  ok(ctl, {"premise", "edit", "dom-1", "7", "--area", "30"});
  ok(ctl, {"premise", "edit", "dom-1", "9", "--area", "20"});
  // Without a common-property area nothing changes, and `billing odn` says what is missing.
  CHECK(ctl({"export", "billing", "--period", "2026-11"}).out == expected_november());
  auto unset = ctl({"billing", "odn", "dom-1", "--month", "2026-11"});
  CHECK(unset.exit_code == 2);
  CHECK_THAT(unset.err, Catch::Contains("object set dom-1 --common-area"));

  // Common area 200 m² but no norm: the cap cannot be computed, the export refuses and says why.
  ok(ctl, {"object", "set", "dom-1", "--common-area", "200"});
  auto no_norm = ctl({"export", "billing", "--period", "2026-11"});
  CHECK(no_norm.exit_code == 2);
  CHECK_THAT(no_norm.err, Catch::Contains("object dom-1, cold_water") && Catch::Contains("common-property norm"));

  // Norm 0.05 m³/m²: cap 0.05 × 200 = 10 < 21.025 -> 10 distributed: 5, 3, 2.
  ok(ctl, {"norm", "set", "dom-1", "--resource", "cold_water", "--common-per-m2", "0.05"});
  auto capped = ctl({"export", "billing", "--period", "2026-11"});
  INFO(capped.err);
  CHECK(capped.out == expected_november() +                                                                 //
                          "\"ЛС-12,\"\"А\"\"\"," + kFias + ",\"3,1\",cold_water,,ОДН,,,5,odn_capped\r\n" +  //
                          "LS-7," + kFias + ",7,cold_water,,ОДН,,,3,odn_capped\r\n" +                       //
                          "LS-9," + kFias + ",9,cold_water,,ОДН,,,2,odn_capped\r\n");
  auto odn = ctl.json({"billing", "odn", "dom-1", "--month", "2026-11"});
  REQUIRE(odn.size() == 1);
  CHECK(odn[0]["resource"] == "cold_water");
  CHECK(odn[0]["basis"] == "odn_capped");
  CHECK(odn[0]["houseVolume"].get<double>() == Approx(30.25));
  CHECK(odn[0]["premisesVolume"].get<double>() == Approx(9.225));
  CHECK(odn[0]["difference"].get<double>() == Approx(21.025));
  CHECK(odn[0]["cap"].get<double>() == Approx(10));
  CHECK(odn[0]["distributed"].get<double>() == Approx(10));
  CHECK(odn[0]["premises"][1]["premise"] == "7");
  CHECK(odn[0]["premises"][1]["share"].get<double>() == Approx(3));
  auto text = ctl({"billing", "odn", "dom-1", "--month", "2026-11"});
  CHECK_THAT(text.out, Catch::Contains("odn_capped") && Catch::Contains("21.025") && Catch::Contains("PREMISE"));

  // The owners decided to distribute above the norm: 21.025 × 0.5, 0.3, 0.2.
  ok(ctl, {"object", "set", "dom-1", "--owners-above-norm", "yes"});
  auto above = ctl.json({"billing", "odn", "dom-1", "--month", "2026-11"});
  CHECK(above[0]["basis"] == "odn");
  CHECK(above[0]["premises"][0]["share"].get<double>() == Approx(10.5125));
  CHECK(above[0]["premises"][1]["share"].get<double>() == Approx(6.3075));
  CHECK(above[0]["premises"][2]["share"].get<double>() == Approx(4.205));

  // A premise norm of 30 bills flat 7 for 30: 2.5 + 30 + 1.225 = 33.725 > 30.25, difference
  // −3.475: nobody gets a share, the export says odn_negative with 0.
  ok(ctl, {"norm", "set", "dom-1", "--resource", "cold_water", "--per-month", "30"});
  auto negative = ctl.json({"billing", "odn", "dom-1", "--month", "2026-11"});
  CHECK(negative[0]["basis"] == "odn_negative");
  CHECK(negative[0]["difference"].get<double>() == Approx(-3.475));
  CHECK(negative[0]["premises"][0]["share"].get<double>() == 0.0);
  CHECK_THAT(ctl({"export", "billing", "--period", "2026-11"}).out,
             Catch::Contains("LS-9," + kFias + ",9,cold_water,,ОДН,,,0,odn_negative\r\n"));

  auto heat = ctl({"billing", "odn", "dom-1", "--month", "2026-11", "--resource", "heat"});
  CHECK(heat.exit_code == 2);
  CHECK(ctl({"billing", "odn", "dom-1", "--month", "2026-13"}).exit_code == 2);
  CHECK(ctl({"billing", "odn", "nowhere", "--month", "2026-11"}).exit_code == 2);
}

TEST_CASE("after the limit a non-residential premise is billed by item 43's calculated volume") {
  // Shop Н-1 with a point that never had a meter: no history, so November goes past the limit at
  // once. Current rule: calculated volume, absent until entered, then 12. An older-style rule
  // from November (non-residential by the norm) gives the norm 5.5; a coefficient of 1.5 makes
  // flat 7's norm 5.5 × 1.5 = 8.25 and leaves the shop's at 5.5.
  Uchetctl ctl;
  build_dom1(ctl);
  ok(ctl, {"premise", "add", "dom-1", "Н-1", "--kind", "non_residential", "--account", "LS-N1"});
  ok(ctl, {"point", "add", "dom-1", "shop", "--resource", "cold_water", "--level", "premise", "--premise", "Н-1"});
  const std::string shop = "LS-N1," + kFias + ",Н-1,cold_water,,ИПУ,,,";
  CHECK_THAT(ctl({"export", "billing", "--period", "2026-11"}).out, Catch::Contains(shop + ",calculated\r\n"));

  auto residential = ctl({"norm", "set", "dom-1", "--resource", "cold_water", "--per-month", "12", "--premise", "7"});
  CHECK(residential.exit_code == 2);
  CHECK_THAT(residential.err, Catch::Contains("residential"));
  ok(ctl, {"norm", "set", "dom-1", "--resource", "cold_water", "--per-month", "12", "--premise", "Н-1"});
  CHECK_THAT(ctl({"export", "billing", "--period", "2026-11"}).out, Catch::Contains(shop + "12,calculated\r\n"));
  auto norms = ctl.json({"norm", "list", "dom-1"});
  REQUIRE(norms.size() == 2);
  CHECK(norms[1]["kind"] == "calculated");
  CHECK(norms[1]["premise"] == "Н-1");

  ok(ctl, {"billing", "rule", "add", "--from", "2026-11-01", "--average-months", "6", "--min-history", "3",
           "--max-residential", "3", "--max-non-residential", "2", "--non-residential", "norm", "--norm-coefficient",
           "1.5"});
  const auto out = ctl({"export", "billing", "--period", "2026-11"}).out;
  CHECK_THAT(out, Catch::Contains(shop + "5.5,norm\r\n"));
  CHECK_THAT(out, Catch::Contains("LS-7," + kFias + ",7,cold_water,926007,ИПУ,1,,8.25,norm\r\n"));
  auto rules = ctl.json({"billing", "rule", "list"});
  REQUIRE(rules.size() == 2);
  CHECK(rules[0]["nonResidentialAfterLimit"] == "calculated");
  CHECK(rules[0]["heatingSeasonAverage"] == true);
  CHECK(rules[0]["maxPeriodsHouse"] == 3);
  CHECK(rules[1]["nonResidentialAfterLimit"] == "norm");
  CHECK(rules[1]["normCoefficientResidential"] == 1.5);

  auto bad = ctl({"billing", "rule", "add", "--from", "2027-01-01", "--average-months", "6", "--min-history", "3",
                  "--max-residential", "3", "--max-non-residential", "2", "--norm-coefficient", "0.5"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--norm-coefficient"));
}

TEST_CASE("a silent heat meter is billed by the average of its heating-season months") {
  // Flat 12 of dom-1, heat meter installed 2025-10-01 at 0 kWh, register at each month start:
  // October 2025 .. October 2026 used 100 200 300 400 300 200 100, then 0 from May to September,
  // then 150; silent after 1 November 2026. November is wholly invalid (period 1, average).
  // Without a heating season the average is the last six valid months: 150 0 0 0 0 0 -> 25.
  // With the season 10-04: October 2026, April, March, February, January, December ->
  // (150 + 100 + 200 + 300 + 400 + 300) / 6 = 241.666667.
  Uchetctl ctl;
  build_dom1(ctl);
  ok(ctl, {"premise", "add", "dom-1", "12", "--kind", "residential", "--account", "LS-12"});
  ok(ctl, {"point", "add", "dom-1", "kv-12-heat", "--resource", "heat", "--level", "premise", "--premise", "12"});
  add_meter(ctl, "70b3d50000000012", "2213012", "kv-12-heat", "2025-10-01", "0");
  const std::int64_t starts[] = {1761937200, 1764529200, 1767207600, 1769886000, 1772305200, 1774983600, 1777575600,
                                 1780254000, 1782846000, 1785524400, 1788202800, 1790794800, 1793473200};
  const double registers[] = {100, 300, 600, 1000, 1300, 1500, 1600, 1600, 1600, 1600, 1600, 1600, 1750};
  for (std::size_t i = 0; i < std::size(starts); ++i)
    ctl.sql(
        fmt::format("INSERT INTO reading (dev_eui, quantity, resource, value, unit, measured_at, received_at) "
                    "VALUES ('70b3d50000000012', 'energy', 'heat', {}, 'kWh', {}, {})",
                    registers[i], starts[i], starts[i]));
  const std::string row = "LS-12," + kFias + ",12,heat,2213012,ИПУ,1750,,";
  CHECK_THAT(ctl({"export", "billing", "--period", "2026-11"}).out, Catch::Contains(row + "25,average\r\n"));
  ok(ctl, {"object", "set", "dom-1", "--heating-season", "10-04"});
  CHECK_THAT(ctl({"export", "billing", "--period", "2026-11"}).out, Catch::Contains(row + "241.666667,average\r\n"));
  // October itself is in season and fully measured.
  CHECK_THAT(ctl({"export", "billing", "--period", "2026-10"}).out,
             Catch::Contains(",12,heat,2213012,ИПУ,1600,1750,150,measured"));
}

namespace {

// A building `name` in `zone` (UTC+`offset_h`, no DST): flat 1 (10 m², no meter of its own: the
// norm 5), a house meter installed at local midnight of 1 April 2026 at 0, +20 m³ a month to 140
// on 1 November, then silent; common property 100 m² at 0.01 m³/m² (cap 1), the owners decided to
// distribute above the norm.
void build_silent_house(const Uchetctl& ctl, const std::string& name, const std::string& zone, int offset_h,
                        const std::string& eui, const std::string& serial, const std::string& account) {
  ok(ctl, {"object", "add", name, "--time-zone", zone});
  ok(ctl, {"premise", "add", name, "1", "--kind", "residential", "--area", "10", "--account", account});
  ok(ctl, {"point", "add", name, "odpu", "--resource", "cold_water", "--level", "building"});
  ok(ctl, {"device", "add", eui, "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
           "000102030405060708090a0b0c0d0e0f", "--codec", "karat-926lw", "--serial", serial});
  ok(ctl, {"meter", "install", eui, "--point", name + "/odpu", "--at",
           fmt::format("2026-04-01T00:00:00+{:02}:00", offset_h), "--reading", "0"});
  // Local midnights of 1 May .. 1 November at UTC+5, moved to the zone's.
  const std::int64_t starts[] = {1777575600, 1780254000, 1782846000, 1785524400, 1788202800, 1790794800, 1793473200};
  for (std::size_t i = 0; i < std::size(starts); ++i)
    reading(ctl, eui, starts[i] - (offset_h - 5) * 3600, 20.0 * (i + 1));
  ok(ctl, {"norm", "set", name, "--resource", "cold_water", "--per-month", "5"});
  ok(ctl, {"norm", "set", name, "--resource", "cold_water", "--common-per-m2", "0.01"});
  ok(ctl, {"object", "set", name, "--common-area", "100", "--owners-above-norm", "yes"});
}

}  // namespace

TEST_CASE("a silent house meter takes its own average for three months (item 59(1)), then the ОДН norm") {
  // dom-3: house meter from 2026-04-01 at 0, +20 m³ a month to 140 on 1 November, then silent.
  // Flat 1 (10 m², no meter of its own: billed by the norm 5). Common property 100 m² at
  // 0.01 m³/m² (cap 1), the owners decided to distribute above the norm.
  // November .. January: house 20 by average (periods 1-3); ОДН 20 − 5 = 15, all to flat 1.
  // February: the limit of 3 is used up, no house value: the norm volume 0.01 × 100 = 1.
  Uchetctl ctl;
  ok(ctl, {"application", "add", "water"});
  build_silent_house(ctl, "dom-3", "Asia/Yekaterinburg", 5, "70b3d50000000031", "ODPU-3", "LS-31");

  for (const std::string month : {"2026-11", "2026-12", "2027-01"}) {
    INFO(month);
    auto out = ctl({"export", "billing", "--period", month}).out;
    CHECK_THAT(out, Catch::Contains(",,,cold_water,ODPU-3,ОДПУ,") && Catch::Contains(",20,average\r\n"));
    CHECK_THAT(out, Catch::Contains("LS-31,,1,cold_water,,ОДН,,,15,odn\r\n"));
  }
  auto february = ctl({"export", "billing", "--period", "2027-02"}).out;
  CHECK_THAT(february, Catch::Contains(",,,cold_water,ODPU-3,ОДПУ,,,,\r\n"));
  CHECK_THAT(february, Catch::Contains("LS-31,,1,cold_water,,ОДН,,,1,odn_norm\r\n"));
  auto odn = ctl.json({"billing", "odn", "dom-3", "--month", "2027-02"});
  CHECK(odn[0]["houseVolume"].is_null());
  CHECK(odn[0]["cap"] == 1.0);
}

TEST_CASE("a dated rule applies from its date in each object's own zone, not in uchetctl's") {
  // dom-4 lies in Asia/Vladivostok (UTC+10, no DST); uchetctl's zone is the default
  // Asia/Yekaterinburg (UTC+5). Its November begins at 2026-10-31T14:00Z, five hours before a
  // rule "from 2026-11-01" read in uchetctl's zone (19:00Z). The rule leaves a house meter no
  // average (--max-house 0): the meter, +20 m³ a month from April to 140 on 1 November, then
  // silent, has no value in November and the ОДН is the norm volume 0.01 × 100 = 1 (`odn_norm`).
  // Compared as instants, the rule began after dom-4's November and the month took the average 20.
  Uchetctl ctl;
  ok(ctl, {"application", "add", "water"});
  build_silent_house(ctl, "dom-4", "Asia/Vladivostok", 10, "70b3d50000000041", "ODPU-4", "LS-41");
  ok(ctl, {"billing", "rule", "add", "--from", "2026-11-01", "--average-months", "6", "--min-history", "3",
           "--max-residential", "3", "--max-non-residential", "2", "--max-house", "0"});

  auto november = ctl({"export", "billing", "--period", "2026-11"}).out;
  CHECK_THAT(november, Catch::Contains(",,,cold_water,ODPU-4,ОДПУ,140,,,\r\n"));
  CHECK_THAT(november, Catch::Contains("LS-41,,1,cold_water,,ОДН,,,1,odn_norm\r\n"));
  // October is before the rule: measured 120 -> 140, ОДН 20 − 5 = 15.
  auto october = ctl({"export", "billing", "--period", "2026-10"}).out;
  CHECK_THAT(october, Catch::Contains(",,,cold_water,ODPU-4,ОДПУ,120,140,20,measured\r\n"));
  CHECK_THAT(october, Catch::Contains("LS-41,,1,cold_water,,ОДН,,,15,odn\r\n"));
}

TEST_CASE("encode_text converts to cp1251 with iconv and lists what it cannot convert") {
  using namespace uchet::cli;
  CHECK(encode_text("ИПУ,№ 5", "cp1251") == "\xC8\xCF\xD3,\xB9 5");
  CHECK(encode_text("ИПУ", "utf-8") == "ИПУ");
  CHECK(encoding_arg("CP1251") == "cp1251");
  CHECK(encoding_arg("UTF8") == "utf-8");
  CHECK_THROWS_AS(encoding_arg("latin1"), uchet::cli::UsageError);
  CHECK_THROWS_WITH(encode_text("a✓bü✓", "cp1251"), Catch::Contains("U+2713 '✓', U+00FC 'ü'"));
}
