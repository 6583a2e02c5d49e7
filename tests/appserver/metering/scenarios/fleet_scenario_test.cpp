// Reference scenario 4: a fleet of 20 apartment water meters over a 30-day month with known
// outages; `uchetctl fleet report` must give the per-device and fleet figures worked out by hand.
// The meters' daily CURRENT packets go through the real application server into a real SQLite
// file; the lifecycle events and the report are real uchetctl runs.
#include <fmt/format.h>

#include <set>

#include "netserver/lorawan/encoding.h"
#include "tests/appserver/metering/scenarios/domain_fixture.h"

using namespace uchet;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kT0 = 1'767'225'600;  // 2026-01-01T00:00:00Z; day k = 2026-01-(k+1), k = 0..29

struct Meter {
  int number;                 // DevEUI 70b3d5000000NNNN, name "кв. N"
  std::string commissioned;   // commissioning time (installed the same day at 08:00Z)
  std::set<int> silent_days;  // days without any reading
  // Expected, worked out by hand in the table below.
  int in_service, operating, failures;
  std::vector<std::int64_t> restore_s;
  bool ongoing;
  double coefficient;
};

// Period 2026-01-01 .. 2026-01-31 (exclusive): 30 daily intervals (no device_clock row -> 24 h).
// A reading every day at 03:00Z + N minutes except on the silent days.
//
//  N   commissioned          silent days  in service  operating  coefficient     failures  restore
//  1-14 2025-12-01           -            30          30         30/30 = 1       0         -
//  15  2025-12-01           5            30          29         29/30 = 0.966667 1        1 d
//  16  2025-12-01           0, 1         30          28         28/30 = 0.933333 1        2 d  (outage already at the
//  start) 17  2025-12-01           12..14       30          27         27/30 = 0.9      1        3 d 18 2025-12-01
//  20..24       30          25         25/30 = 0.833333 1        5 d 19  2025-12-01           23..29       30 23 23/30
//  = 0.766667 1        running at the end: none 20  2026-01-11 09:00Z    -            19          19         19/19 = 1
//  0         -
//      (commissioned inside day 10, so day 10 is not in service; days 11..29 are = 19 intervals;
//       its readings on days 0..10 are not owed and do not count)
//
// Fleet:
//   in service  = 19 × 30 + 19 = 589 intervals
//   operating   = 14 × 30 + 29 + 28 + 27 + 25 + 23 + 19 = 420 + 151 = 571
//   coefficient = 571 / 589 = 0.969440 (96.94 %) < 0.98 -> below target
//   below target: 15 (0.9667), 16 (0.9333), 17 (0.9), 18 (0.8333), 19 (0.7667)
//   failures    = 5; in-service time 589 days = 589/365 years -> 5 × 365 / 589 = 3.098472 per year
//   MTTR        = restored outages only: (1 + 2 + 3 + 5) / 4 = 2.75 d = 237600 s
const std::vector<Meter> kFleet = [] {
  std::vector<Meter> fleet;
  for (int n = 1; n <= 14; ++n) fleet.push_back({n, "2025-12-01T10:00:00Z", {}, 30, 30, 0, {}, false, 1.0});
  fleet.push_back({15, "2025-12-01T10:00:00Z", {5}, 30, 29, 1, {86400}, false, 0.966667});
  fleet.push_back({16, "2025-12-01T10:00:00Z", {0, 1}, 30, 28, 1, {172800}, false, 0.933333});
  fleet.push_back({17, "2025-12-01T10:00:00Z", {12, 13, 14}, 30, 27, 1, {259200}, false, 0.9});
  fleet.push_back({18, "2025-12-01T10:00:00Z", {20, 21, 22, 23, 24}, 30, 25, 1, {432000}, false, 0.833333});
  fleet.push_back({19, "2025-12-01T10:00:00Z", {23, 24, 25, 26, 27, 28, 29}, 30, 23, 1, {}, true, 0.766667});
  fleet.push_back({20, "2026-01-11T09:00:00Z", {}, 19, 19, 0, {}, false, 1.0});
  return fleet;
}();

std::string eui(int n) { return fmt::format("70b3d5000000{:04}", n); }

struct Fleet {
  test::Building b;

  // uchetctl on the fixture's database; the exit code must be 0.
  void ctl(std::vector<std::string> args) const {
    args.insert(args.begin(), {test::executable_from_env("UCHETCTL"), "--db", b.path});
    auto r = test::run(args);
    INFO(fmt::format("{}", fmt::join(args, " ")) << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
  }
  nlohmann::json json(std::vector<std::string> args) const {
    args.insert(args.begin(), "--json");
    return b.uchetctl_json(args);
  }
  test::RunResult text(std::vector<std::string> args) const {
    args.insert(args.begin(), {test::executable_from_env("UCHETCTL"), "--db", b.path});
    return test::run(args);
  }
};

std::vector<std::string> event(const Meter& m, const std::string& kind, const std::string& at) {
  return {"lifecycle", "add",    eui(m.number), "--event",        kind, "--at", at,
          "--actor",   "УК Уют", "--role",      "service-company"};
}

void set_up(Fleet& f) {
  for (const auto& m : kFleet) {
    const auto dev_eui = f.b.add_device(*lorawan::parse_eui64(eui(m.number)));
    // Installed at 08:00Z of the commissioning day, before every commissioning time in the table.
    f.ctl(event(m, "installed", m.commissioned.substr(0, 10) + "T08:00:00Z"));
    f.ctl(event(m, "commissioned", m.commissioned));
    for (int k = 0; k < 30; ++k) {
      if (m.silent_days.count(k)) continue;
      const std::int64_t t = kT0 + k * kDay + 3 * 3600 + m.number * 60;
      f.b.report(dev_eui, t, static_cast<std::uint32_t>(10000 + 250 * k));
    }
  }
}

const std::vector<std::string> kReport = {
    "fleet", "report", "--app", "water", "--from", "2026-01-01T00:00:00Z", "--to", "2026-01-31T00:00:00Z"};

}  // namespace

TEST_CASE("reference scenario 4: 20 meters over 30 days, per-device and fleet coefficients as worked out by hand") {
  Fleet ctl;
  set_up(ctl);
  auto j = ctl.json(kReport);
  REQUIRE(j["devices"].size() == 20);
  for (std::size_t i = 0; i < kFleet.size(); ++i) {
    const auto& m = kFleet[i];
    const auto& d = j["devices"][i];
    INFO("meter " << m.number);
    CHECK(d["devEui"] == eui(m.number));
    CHECK(d["intervalsInService"] == m.in_service);
    CHECK(d["intervalsOperating"] == m.operating);
    CHECK(d["coefficient"].get<double>() == Approx(m.coefficient).epsilon(1e-6));
    CHECK(d["failures"] == m.failures);
    CHECK(d["restoreTimesS"].get<std::vector<std::int64_t>>() == m.restore_s);
    CHECK(d["outageOngoing"] == m.ongoing);
    CHECK(d["lifecycleRecorded"] == true);
  }

  const auto& f = j["fleet"];
  CHECK(f["devices"] == 20);
  CHECK(f["intervalsInService"] == 589);
  CHECK(f["intervalsOperating"] == 571);
  CHECK(f["coefficient"].get<double>() == Approx(0.969440).epsilon(1e-6));
  CHECK(f["meetsTarget"] == false);
  CHECK(f["belowTarget"] == nlohmann::json::array({eui(15), eui(16), eui(17), eui(18), eui(19)}));
  CHECK(f["failures"] == 5);
  CHECK(f["failuresPerYear"].get<double>() == Approx(3.098472).epsilon(1e-6));
  CHECK(f["meanTimeToRestoreS"].get<double>() == 237600.0);
  CHECK(f["silentNow"].empty());
  CHECK(f["devicesWithoutLifecycle"].empty());

  // The same figures for people, rounded: 96.94 %, 3.1 failures per year, 2.75 days to restore.
  auto table = ctl.text(kReport);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("96.94 % (target 98.00 %): below target"));
  CHECK_THAT(table.out, Catch::Contains("failures per year") && Catch::Contains(" 3.1\n"));
  CHECK_THAT(table.out, Catch::Contains("2.75 d"));
  CHECK_THAT(table.out, Catch::Contains("76.67 %"));

  // At a target of 0.9 the fleet (0.9694) passes; 18 and 19 stay below, 17 (exactly 0.9) does not.
  auto lenient = ctl.json({"fleet", "report", "--app", "water", "--from", "2026-01-01T00:00:00Z", "--to",
                           "2026-01-31T00:00:00Z", "--target", "0.9"});
  CHECK(lenient["fleet"]["meetsTarget"] == true);
  CHECK(lenient["fleet"]["belowTarget"] == nlohmann::json::array({eui(18), eui(19)}));
}
