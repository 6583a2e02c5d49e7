// uchetctl fleet report: in-service spans from the lifecycle log, valid readings from the reading
// table, reporting periods from device_clock, silent and verification lists, and refused input.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kT0 = 1'767'225'600;  // 2026-01-01T00:00:00Z

std::int64_t day(int k) { return kT0 + k * kDay; }

const std::string kA = "70b3d500000000a1", kB = "70b3d500000000b2", kC = "70b3d500000000c3";

void add_device(const Uchetctl& ctl, const std::string& eui, const std::string& name,
                const std::string& app = "water") {
  if (ctl({"application", "list"}).out.find(app) == std::string::npos)
    REQUIRE(ctl({"application", "add", app}).exit_code == 0);
  REQUIRE(ctl({"device", "add", eui, "--app", app, "--join-eui", "70b3d57ed0000000", "--app-key",
               "000102030405060708090a0b0c0d0e0f", "--name", name})
              .exit_code == 0);
}

void event(const Uchetctl& ctl, const std::string& eui, const std::string& kind, const std::string& at,
           std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"lifecycle", "add",    eui,      "--event",        kind, "--at", at,
                                   "--actor",   "УК Уют", "--role", "service-company"};
  args.insert(args.end(), more.begin(), more.end());
  auto r = ctl(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

std::string reading(const std::string& eui, std::int64_t t, const std::string& quantity = "volume", int storage = 0,
                    const std::string& flags = "measured") {
  return fmt::format(
      "INSERT INTO reading(dev_eui, quantity, resource, storage, value, unit, measured_at, received_at, flags) "
      "VALUES ('{}', '{}', 'cold_water', {}, 1.0, 'm3', {}, {}, '{}');\n",
      eui, quantity, storage, t, t, flags);
}

// Three devices over 2026-01-01 .. 2026-01-11 (10 daily intervals, day k = 2026-01-(k+1)):
//   A: no lifecycle events -> in service all 10 days; a reading every day       -> 10/10
//   B: commissioned 2025-12-21; silent on days 3 and 4                           ->  8/10, 1 failure, restored in 2 d
//   C: commissioned 2026-01-03 12:00, so in service from day 3 (2026-01-04) on  ->  7 intervals;
//      readings days 0..8: those before day 3 are not owed; day 9 has only a sensor_fault volume,
//      a flow temperature and an archive (storage 1) volume, none valid         ->  6/7, outage running
// Fleet: 24 / 27 = 0.888889; failures 2 over 10 + 10 + 7 = 27 days in service
//   -> 2 / (27 / 365) = 27.037037 per year; MTTR = the one restored outage = 2 d = 172800 s.
void three_devices(const Uchetctl& ctl) {
  add_device(ctl, kA, "кв. 1 ХВС");
  add_device(ctl, kB, "кв. 2 ХВС");
  add_device(ctl, kC, "кв. 3 ХВС");
  event(ctl, kB, "installed", "2025-12-20T10:00:00Z");
  event(ctl, kB, "commissioned", "2025-12-21T10:00:00Z");
  event(ctl, kC, "installed", "2026-01-03T10:00:00Z");
  event(ctl, kC, "commissioned", "2026-01-03T12:00:00Z");
  std::string text;
  for (int k = 0; k < 10; ++k) {
    text += reading(kA, day(k) + 3 * kHour);
    if (k != 3 && k != 4) text += reading(kB, day(k) + 4 * kHour);
    if (k != 9) text += reading(kC, day(k) + 5 * kHour);
  }
  text += reading(kC, day(9) + 5 * kHour, "volume", 0, "measured,sensor_fault");
  text += reading(kC, day(9) + 6 * kHour, "flow_temperature");
  text += reading(kC, day(9) + 7 * kHour, "volume", 1);
  text += reading(kA, day(10), "volume");  // exactly at --to: outside the period
  // A was silent once and recovered; C is silent now.
  text += fmt::format("INSERT INTO alarm(dev_eui, kind, opened_at, closed_at) VALUES ('{}', 'silent', {}, {});\n", kA,
                      day(1), day(2));
  text += fmt::format("INSERT INTO alarm(dev_eui, kind, opened_at) VALUES ('{}', 'silent', {});\n", kC, day(9));
  ctl.sql(text);
}

const std::vector<std::string> kPeriod = {"--from", "2026-01-01T00:00:00Z", "--to", "2026-01-11T00:00:00Z"};

std::vector<std::string> report(std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"fleet", "report"};
  args.insert(args.end(), kPeriod.begin(), kPeriod.end());
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("fleet report per device and pooled: lifecycle spans, valid readings only, silent and verifications due") {
  Uchetctl ctl;
  three_devices(ctl);
  // Verification: A last 2020-02-10 + 6 y = 2026-02-10 (after the period: its January readings
  // count), overdue on 2026-11-23 by 18 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 23 = 286 days;
  // B 2020-11-30 + 6 y = 2026-11-30, due in 7 days; C 2025-06-01 + 6 y = 2031, not listed.
  REQUIRE(ctl({"passport", "set", kA, "--verification-interval-years", "6", "--last-verification-date", "2020-02-10"})
              .exit_code == 0);
  REQUIRE(ctl({"passport", "set", kB, "--verification-interval-years", "6", "--last-verification-date", "2020-11-30"})
              .exit_code == 0);
  REQUIRE(ctl({"passport", "set", kC, "--verification-interval-years", "6", "--last-verification-date", "2025-06-01"})
              .exit_code == 0);

  auto j = ctl.json(report({"--now", "2026-11-23", "--app", "water"}));
  REQUIRE(j["devices"].size() == 3);
  const auto& a = j["devices"][0];
  const auto& b = j["devices"][1];
  const auto& c = j["devices"][2];
  CHECK(a["devEui"] == kA);
  CHECK(a["name"] == "кв. 1 ХВС");
  CHECK(a["lifecycleRecorded"] == false);
  CHECK(a["intervalsInService"] == 10);
  CHECK(a["intervalsOperating"] == 10);
  CHECK(a["coefficient"].get<double>() == 1.0);
  CHECK(a["failures"] == 0);
  CHECK(a["silentNow"] == false);

  CHECK(b["lifecycleRecorded"] == true);
  CHECK(b["intervalsInService"] == 10);
  CHECK(b["intervalsOperating"] == 8);
  CHECK(b["coefficient"].get<double>() == Approx(0.8));
  CHECK(b["failures"] == 1);
  CHECK(b["restoreTimesS"] == nlohmann::json::array({172800}));
  CHECK(b["meanTimeToRestoreS"].get<double>() == 172800.0);
  CHECK(b["outageOngoing"] == false);
  CHECK(b["belowTarget"] == true);

  CHECK(c["intervalsInService"] == 7);
  CHECK(c["intervalsOperating"] == 6);
  CHECK(c["coefficient"].get<double>() == Approx(6.0 / 7.0));
  CHECK(c["failures"] == 1);
  CHECK(c["restoreTimesS"].empty());
  CHECK(c["meanTimeToRestoreS"].is_null());
  CHECK(c["outageOngoing"] == true);
  CHECK(c["silentNow"] == true);
  REQUIRE(c["inServiceSpans"].size() == 1);
  CHECK(c["inServiceSpans"][0]["from"] == "2026-01-03T17:00:00+05:00");  // 12:00Z in the default zone
  CHECK(c["inServiceSpans"][0]["to"] == "2026-01-11T05:00:00+05:00");

  const auto& f = j["fleet"];
  CHECK(f["devices"] == 3);
  CHECK(f["intervalsInService"] == 27);
  CHECK(f["intervalsOperating"] == 24);
  CHECK(f["coefficient"].get<double>() == Approx(0.888889).epsilon(1e-6));
  CHECK(f["target"].get<double>() == 0.98);
  CHECK(f["meetsTarget"] == false);
  CHECK(f["belowTarget"] == nlohmann::json::array({kB, kC}));
  CHECK(f["failures"] == 2);
  CHECK(f["failuresPerYear"].get<double>() == Approx(27.037037).epsilon(1e-6));
  CHECK(f["meanTimeToRestoreS"].get<double>() == 172800.0);
  CHECK(f["silentNow"] == nlohmann::json::array({kC}));
  CHECK(f["devicesWithoutLifecycle"] == nlohmann::json::array({kA}));
  REQUIRE(f["verificationsDue"].size() == 2);
  CHECK(f["verificationsDue"][0]["devEui"] == kA);
  CHECK(f["verificationsDue"][0]["due"] == "2026-02-10");
  CHECK(f["verificationsDue"][0]["daysLeft"] == -286);
  CHECK(f["verificationsDue"][0]["overdue"] == true);
  CHECK(f["verificationsDue"][1]["devEui"] == kB);
  CHECK(f["verificationsDue"][1]["due"] == "2026-11-30");
  CHECK(f["verificationsDue"][1]["daysLeft"] == 7);

  // --format json gives the same document without the global flag; a lower target clears C (0.857) but not B (0.8).
  auto r = ctl(report({"--format", "json", "--target", "0.85"}));
  REQUIRE(r.exit_code == 0);
  auto lenient = nlohmann::json::parse(r.out);
  CHECK(lenient["fleet"]["target"].get<double>() == 0.85);
  CHECK(lenient["fleet"]["belowTarget"] == nlohmann::json::array({kB}));
}

TEST_CASE("fleet report as a table names the figures and the devices counted without lifecycle events") {
  Uchetctl ctl;
  three_devices(ctl);
  auto r = ctl(report());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("DEV EUI") && Catch::Contains("COEFFICIENT") && Catch::Contains("MTTR"));
  CHECK_THAT(r.out, Catch::Contains("100.00 %") && Catch::Contains("80.00 %") && Catch::Contains("85.71 %"));
  CHECK_THAT(r.out, Catch::Contains("88.89 % (target 98.00 %): below target"));
  CHECK_THAT(r.out, Catch::Contains("failures per year") && Catch::Contains("27.04"));
  CHECK_THAT(r.out, Catch::Contains("mean time to restore") && Catch::Contains("2 d"));
  CHECK_THAT(r.out, Catch::Contains("no lifecycle events: in service all period"));
  CHECK_THAT(r.out, Catch::Contains("counted in service for the whole period"));
  CHECK_THAT(r.out, Catch::Contains("outage ongoing") && Catch::Contains("silent now"));
}

TEST_CASE("a removal for repair takes the device out of service without ending its outage") {
  // In service from 2025-12; removed for repair 2026-01-04 00:00Z (day 3), repaired 2026-01-06 (day 5).
  // In service days 0,1,2,5..9 = 8 intervals. Silent on day 2 and day 5 (both owed), reading on
  // day 3 while in the workshop (not owed) -> operating 0,1,6,7,8,9 = 6/8 = 0.75; one failure,
  // restored after 2 in-service days = 172800 s.
  Uchetctl ctl;
  add_device(ctl, kA, "кв. 1 ХВС");
  event(ctl, kA, "installed", "2025-12-01T10:00:00Z");
  event(ctl, kA, "commissioned", "2025-12-01T11:00:00Z");
  event(ctl, kA, "inspected", "2026-01-02T11:00:00Z");  // stays in service: does not cut the span
  event(ctl, kA, "removed", "2026-01-04T00:00:00Z", {"--details", R"({"reason":"repair"})"});
  event(ctl, kA, "repaired", "2026-01-06T00:00:00Z");
  std::string text;
  for (int k : {0, 1, 3, 6, 7, 8, 9}) text += reading(kA, day(k) + 2 * kHour);
  ctl.sql(text);
  auto d = ctl.json(report())["devices"][0];
  CHECK(d["intervalsInService"] == 8);
  CHECK(d["intervalsOperating"] == 6);
  CHECK(d["coefficient"].get<double>() == Approx(0.75));
  CHECK(d["failures"] == 1);
  CHECK(d["restoreTimesS"] == nlohmann::json::array({172800}));
  REQUIRE(d["inServiceSpans"].size() == 2);
  CHECK(d["inServiceSpans"][0]["to"] == "2026-01-04T05:00:00+05:00");
  CHECK(d["inServiceSpans"][1]["from"] == "2026-01-06T05:00:00+05:00");
}

TEST_CASE("the reporting period comes from device_clock, 24 h when it is NULL") {
  // Hourly device over one day: readings at hh:10 except hours 5, 6, 7; hour 8 has only an energy
  // reading (it counts) -> 21/24, one failure restored in 3 h = 10800 s.
  // Second device: a device_clock row with a NULL period -> one daily interval, operating -> 1/1.
  Uchetctl ctl;
  add_device(ctl, kA, "ОДПУ тепло", "heat");
  add_device(ctl, kB, "ОДПУ ХВС", "heat");
  std::string text = fmt::format(
      "INSERT INTO device_clock(dev_eui, observations, updated_at, reporting_period_s) VALUES ('{}', 0, 0, 3600), "
      "('{}', 0, 0, NULL);\n",
      kA, kB);
  for (int h = 0; h < 24; ++h) {
    if (h == 5 || h == 6 || h == 7) continue;
    text += reading(kA, kT0 + h * kHour + 600, h == 8 ? "energy" : "volume");
  }
  text += reading(kB, kT0 + 12 * kHour);
  ctl.sql(text);
  auto j =
      ctl.json({"fleet", "report", "--app", "heat", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-02T00:00:00Z"});
  auto a = j["devices"][0];
  CHECK(a["reportingPeriodS"] == 3600);
  CHECK(a["intervalsInService"] == 24);
  CHECK(a["intervalsOperating"] == 21);
  CHECK(a["restoreTimesS"] == nlohmann::json::array({10800}));
  auto b = j["devices"][1];
  CHECK(b["reportingPeriodS"] == 86400);
  CHECK(b["intervalsInService"] == 1);
  CHECK(b["intervalsOperating"] == 1);
  CHECK(j["fleet"]["coefficient"].get<double>() == Approx(22.0 / 25.0));
}

TEST_CASE("with --object the fleet is the devices installed at the object during the period") {
  // B installed at point 1 since 2025-12-20 (open); A installed 2026-01-05 at point 2 (overlaps);
  // C was at point 2 until 2025-12-31 (before the period) -> fleet = A, B.
  Uchetctl ctl;
  three_devices(ctl);
  ctl.sql(
      fmt::format("INSERT INTO metering_object(id, name, created_at) VALUES (1, 'dom1', 0), (2, 'dom2', 0);\n"
                  "INSERT INTO metering_point(id, object_id, name, resource, level) VALUES (1, 1, 'odpu-cw', "
                  "'cold_water', 'building'),"
                  " (2, 1, 'odpu-hw', 'hot_water', 'building');\n"
                  "INSERT INTO meter_installation(point_id, dev_eui, installed_at, installed_reading, removed_at, "
                  "removed_reading) VALUES"
                  " (1, '{}', {}, 0, NULL, NULL), (2, '{}', {}, 0, {}, 5), (2, '{}', {}, 0, NULL, NULL);\n",
                  kB, day(-12), kC, day(-40), day(-1), kA, day(4)));
  auto j = ctl.json(report({"--object", "dom1"}));
  REQUIRE(j["devices"].size() == 2);
  CHECK(j["devices"][0]["devEui"] == kA);
  CHECK(j["devices"][1]["devEui"] == kB);
  CHECK(j["object"] == "dom1");
  CHECK(j["fleet"]["coefficient"].get<double>() == Approx(18.0 / 20.0));  // 10/10 + 8/10

  auto empty = ctl.json(report({"--object", "dom2"}));
  CHECK(empty["devices"].empty());
  CHECK(empty["fleet"]["coefficient"].is_null());
  CHECK(empty["fleet"]["failuresPerYear"].is_null());
}

TEST_CASE("fleet report refuses bad times, an empty period, unknown names and bad options with exit 2") {
  Uchetctl ctl;
  three_devices(ctl);
  const std::vector<std::vector<std::string>> bad = {
      {"fleet", "report", "--from", "2026-13-01", "--to", "2026-01-11"},
      {"fleet", "report", "--from", "2026-01-11", "--to", "2026-01-01"},
      {"fleet", "report", "--from", "2026-01-11", "--to", "2026-01-11"},
      {"fleet", "report", "--to", "2026-01-11"},
      report({"--app", "nosuch"}),
      report({"--object", "nosuch"}),
      report({"--format", "xml"}),
      report({"--target", "1.5"}),
      report({"--target", "0"}),
      report({"--tz", "Mars/Olympus"}),
  };
  for (const auto& args : bad) {
    auto r = ctl(args);
    INFO(fmt::format("{}", fmt::join(args, " ")));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
  }
}

TEST_CASE("a meter stops operating on its verification due day (issue 19 item 2)") {
  Uchetctl ctl;
  three_devices(ctl);
  // A reads every day at 03:00 UTC; verified 2020-01-06 with 6 years: due 2026-01-06, the local
  // midnight of the configuration's zone (Asia/Yekaterinburg) = 2026-01-05T19:00Z. Days 0..4
  // (readings up to 2026-01-05T03:00Z) count, days 5..9 do not: 5/10, one outage still running.
  REQUIRE(ctl({"passport", "set", kA, "--verification-interval-years", "6", "--last-verification-date", "2020-01-06"})
              .exit_code == 0);
  auto j = ctl.json(report({"--now", "2026-01-11", "--app", "water"}));
  const auto& a = j["devices"][0];
  CHECK(a["devEui"] == kA);
  CHECK(a["intervalsInService"] == 10);
  CHECK(a["intervalsOperating"] == 5);
  CHECK(a["failures"] == 1);
  CHECK(a["outageOngoing"] == true);
}
