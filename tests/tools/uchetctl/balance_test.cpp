// uchetctl balance and reading set/edits against a small building set up with the object
// commands; readings written into the reading table as the application server stores them.
//
// Building b-1 (Asia/Yekaterinburg, UTC+5): house meter H (odpu), flats 1 and 2 (kv1, kv2).
// Readings at local midnights of 1..4 October 2026 (m³):
//   H    100   101    102.5   104
//   kv1  10    10.4   10.9    11.5
//   kv2  20    20.3   20.8    21.2
// Per day: building 1, 1.5, 1.5; premises 0.7, 1.0, 1.0; imbalance 0.3, 0.5, 0.5 = 30 %, 33.333 %, 33.333 %.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

namespace {

constexpr std::int64_t kOct1 = 1790794800;  // 2026-10-01T00:00:00+05:00
constexpr std::int64_t kDay = 86400;
const std::string kHouse = "70b3d50000000a00", kFlat1 = "70b3d50000000a01", kFlat2 = "70b3d50000000a02";

void ok(const Uchetctl& ctl, const std::vector<std::string>& args) {
  auto r = ctl(args);
  INFO(fmt::format("{}", fmt::join(args, " ")) << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
}

void reading(const Uchetctl& ctl, const std::string& eui, std::int64_t at, double m3) {
  ctl.sql(
      fmt::format("INSERT INTO reading (dev_eui, quantity, resource, value, unit, measured_at, "
                  "received_at) VALUES ('{}', 'volume', 'cold_water', {}, 'm3', {}, {})",
                  eui, m3, at, at));
}

void set_up(const Uchetctl& ctl) {
  ok(ctl, {"application", "add", "water"});
  for (const auto& eui : {kHouse, kFlat1, kFlat2})
    ok(ctl, {"device", "add", eui, "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
             "000102030405060708090a0b0c0d0e0f"});
  ok(ctl, {"object", "add", "b-1", "--time-zone", "Asia/Yekaterinburg"});
  ok(ctl, {"premise", "add", "b-1", "1", "--kind", "residential"});
  ok(ctl, {"premise", "add", "b-1", "2", "--kind", "residential"});
  ok(ctl, {"point", "add", "b-1", "odpu", "--resource", "cold_water", "--level", "building"});
  ok(ctl, {"point", "add", "b-1", "kv1", "--resource", "cold_water", "--level", "premise", "--premise", "1"});
  ok(ctl, {"point", "add", "b-1", "kv2", "--resource", "cold_water", "--level", "premise", "--premise", "2"});
  ok(ctl, {"meter", "install", kHouse, "--point", "b-1/odpu", "--at", "2026-09-30", "--reading", "99"});
  ok(ctl, {"meter", "install", kFlat1, "--point", "b-1/kv1", "--at", "2026-09-30", "--reading", "9.6"});
  ok(ctl, {"meter", "install", kFlat2, "--point", "b-1/kv2", "--at", "2026-09-30", "--reading", "19.7"});
  const double house[] = {100, 101, 102.5, 104}, kv1[] = {10, 10.4, 10.9, 11.5}, kv2[] = {20, 20.3, 20.8, 21.2};
  for (int d = 0; d < 4; ++d) {
    reading(ctl, kHouse, kOct1 + d * kDay, house[d]);
    reading(ctl, kFlat1, kOct1 + d * kDay, kv1[d]);
    reading(ctl, kFlat2, kOct1 + d * kDay, kv2[d]);
  }
}

const std::vector<std::string> kBalance = {"balance", "b-1",        "--resource", "cold_water",
                                           "--from",  "2026-10-01", "--to",       "2026-10-04"};

}  // namespace

TEST_CASE("balance per day as JSON and CSV and a table") {
  Uchetctl ctl;
  set_up(ctl);
  auto j = ctl.json(kBalance);
  CHECK(j["object"] == "b-1");
  CHECK(j["timeZone"] == "Asia/Yekaterinburg");
  REQUIRE(j["rows"].size() == 3);
  const double building[] = {1, 1.5, 1.5}, premises[] = {0.7, 1.0, 1.0}, pct[] = {30, 33.333333, 33.333333};
  for (int d = 0; d < 3; ++d) {
    const auto& row = j["rows"][d];
    CHECK(row["start"] == fmt::format("2026-10-0{}T00:00:00+05:00", d + 1));
    CHECK(row["building"].get<double>() == Approx(building[d]).margin(1e-6));
    CHECK(row["premises"].get<double>() == Approx(premises[d]).margin(1e-6));
    CHECK(row["imbalance"].get<double>() == Approx(building[d] - premises[d]).margin(1e-6));
    CHECK(row["imbalancePct"].get<double>() == Approx(pct[d]).margin(1e-5));
    CHECK(row["coverage"] == nlohmann::json({{"measured", 2}, {"points", 2}, {"pct", 100.0}}));
  }

  auto csv = ctl(
      {"balance", "b-1", "--resource", "cold_water", "--from", "2026-10-01", "--to", "2026-10-02", "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out ==
        "start,building,premises,imbalance,imbalance_pct,coverage,estimated,missing\r\n"
        "2026-10-01T00:00:00+05:00,1,0.7,0.3,30.00,2/2,,\r\n");

  auto table = ctl(kBalance);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("33.33"));
}

TEST_CASE("a manual reading corrects the balance and leaves the raw reading in place") {
  Uchetctl ctl;
  set_up(ctl);
  // The operator reads kv1 at 10.6 on 2 October (the stored 10.4 was a misread register).
  auto added = ctl.json({"reading", "set", kFlat1, "--quantity", "volume", "--at", "2026-10-02T05:00:00+05:00",
                         "--value", "10.6", "--reason", "акт обхода №17", "--by", "ivanova"});
  CHECK(added["value"] == 10.6);
  // Different instant from the raw 00:00 value: the grid at 2 October still uses the raw 10.4.
  auto j = ctl.json(kBalance);
  CHECK(j["rows"][0]["premises"].get<double>() == Approx(0.7).margin(1e-6));
  // At the same instant the manual value wins: kv1 day 1 = 10.6 - 10 = 0.6, day 2 = 10.9 - 10.6 = 0.3.
  ok(ctl,
     {"reading", "set", kFlat1, "--quantity", "volume", "--at", "2026-10-02", "--value", "10.6", "--reason", "photo"});
  j = ctl.json(kBalance);
  CHECK(j["rows"][0]["premises"].get<double>() == Approx(0.9).margin(1e-6));
  CHECK(j["rows"][1]["premises"].get<double>() == Approx(0.8).margin(1e-6));

  CHECK(uchet::test::sql_reals(ctl.database(), fmt::format("SELECT value FROM reading WHERE dev_eui = '{}' AND "
                                                           "measured_at = {}",
                                                           kFlat1, kOct1 + kDay)) == std::vector<double>{10.4});

  auto edits = ctl.json({"reading", "edits", kFlat1});
  REQUIRE(edits.size() == 2);
  CHECK(edits[0]["reason"] == "photo");  // ordered by measurement time
  CHECK(edits[1]["reason"] == "акт обхода №17");
  CHECK(edits[1]["enteredBy"] == "ivanova");
  CHECK(edits[1]["measuredAt"] == "2026-10-02T05:00:00+05:00");
}

TEST_CASE("bad balance and reading input exits 2 naming the problem and changes nothing") {
  Uchetctl ctl;
  set_up(ctl);
  const auto before = ctl.dump();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"balance", "nope", "--resource", "cold_water", "--from", "2026-10-01", "--to", "2026-10-02"}, "no object nope"},
      {{"balance", "b-1", "--resource", "gas", "--from", "2026-10-01", "--to", "2026-10-02"}, "--resource must be"},
      {{"balance", "b-1", "--resource", "heat", "--from", "2026-10-01", "--to", "2026-10-02"},
       "no building metering point for heat"},
      {{"balance", "b-1", "--resource", "cold_water", "--from", "2026-10-02", "--to", "2026-10-01"},
       "--to must be after --from"},
      {{"balance", "b-1", "--resource", "cold_water", "--from", "yesterday", "--to", "2026-10-01"}, "--from"},
      {{"balance", "b-1", "--resource", "cold_water", "--from", "", "--to", "2026-10-01"}, "--from must not be empty"},
      {{"point", "series", "b-1/kv1", "--from", "2026-10-01", "--to", ""}, "--to must not be empty"},
      {{"reading", "set", kFlat1, "--quantity", "volume", "--at", "", "--value", "1", "--reason", "x"},
       "--at must not be empty"},
      {{"balance", "b-1", "--resource", "cold_water", "--from", "2026-10-01", "--to", "2026-10-02", "--grid", "week"},
       "--grid must be day or hour"},
      {{"balance", "b-1", "--resource", "cold_water", "--from", "2026-10-01", "--to", "2026-10-02", "--format", "xml"},
       "--format must be"},
      {{"balance", "b-1", "--resource", "cold_water", "--from", "2026-01-01", "--to", "2026-12-01", "--grid", "hour"},
       "at most 93 days"},
      {{"reading", "set", "0000000000000001", "--quantity", "volume", "--at", "2026-10-02", "--value", "1", "--reason",
        "x"},
       "no device"},
      {{"reading", "set", kFlat1, "--quantity", "speed", "--at", "2026-10-02", "--value", "1", "--reason", "x"},
       "--quantity must be"},
      {{"reading", "set", kFlat1, "--quantity", "volume", "--at", "2026-10-02", "--value", "-1", "--reason", "x"},
       "--value must be"},
      {{"reading", "set", kFlat1, "--quantity", "volume", "--at", "2026-10-02", "--value", "nan", "--reason", "x"},
       "--value"},
      {{"reading", "set", kFlat1, "--quantity", "volume", "--at", "2026-10-02", "--value", "1", "--reason", "  "},
       "--reason must not be empty"},
      {{"reading", "set", kFlat1, "--quantity", "volume", "--at", "2026-13-02", "--value", "1", "--reason", "x"},
       "--at"},
      {{"reading", "set", kFlat1, "--quantity", "volume", "--at", "2026-10-02", "--value", "1"}, "--reason"},
      {{"reading", "edits", "zz"}, "DevEUI"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    INFO(fmt::format("{}", fmt::join(c.args, " ")) << " -> " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
  CHECK(ctl.dump() == before);
}

TEST_CASE("point series shows each interval's consumption, how it was obtained and its validation flags") {
  Uchetctl ctl;
  set_up(ctl);
  // kv2 jumps to 25 on 5 October: 3.8 m³ in a day against a mean of 0.375 over its previous
  // measured days (0.3 from installation, 0.3, 0.5, 0.4) -> more than 5 × -> spike. After 5 October
  // nothing: 5 October has no end value -> missing, flagged gap.
  reading(ctl, kFlat2, kOct1 + 4 * kDay, 25);
  auto j = ctl.json({"point", "series", "b-1/kv2", "--from", "2026-10-03", "--to", "2026-10-06"});
  REQUIRE(j.size() == 3);
  CHECK(j[0]["start"] == "2026-10-03T00:00:00+05:00");
  CHECK(j[0]["consumption"].get<double>() == Approx(0.4).margin(1e-9));
  CHECK(j[0]["source"] == "measured");
  CHECK(j[0]["flags"].empty());
  CHECK(j[1]["consumption"].get<double>() == Approx(3.8).margin(1e-9));
  CHECK(j[1]["flags"] == nlohmann::json::array({"spike"}));
  CHECK(j[2]["consumption"].is_null());
  CHECK(j[2]["source"] == "missing");
  CHECK(j[2]["flags"] == nlohmann::json::array({"gap"}));

  auto bad = ctl({"point", "series", "b-1/nope", "--from", "2026-10-03", "--to", "2026-10-06"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("has no point nope"));
}
