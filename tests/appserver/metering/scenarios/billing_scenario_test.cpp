// Reference scenario 3: a flat meter whose verification expires mid-month. From that day it
// counts as failed (Decree 354 item 81(12)), so the flat is billed by its average monthly use
// (item 59) for at most three billing periods, the partial month being the first, then by the
// norm (item 60). Readings come through the application server; `uchetctl export billing` is
// run as a process.
//
// The meter: 100 L a day, every day, verified on 15 October 2020 with a 6-year interval, so
// verification is due 15 October 2026 and the meter is invalid from that day on.
// By hand:
//   April..September 2026 measured: 3.0 3.1 3.0 3.1 3.1 3.0 m³ -> average 18.3 / 6 = 3.05 m³
//   October: 14 valid days (1..14) measured 1.4 m³ + 3.05 × 17/31 = 1.4 + 1.672581 = 3.072581 m³, average
//   November: 3.05 average, December: 3.05 average (the third period)
//   January 2027: the norm, 7.0 m³ (set for the object), norm
#include "schema/billing_rules.h"
#include "schema/lifecycle.h"
#include "tests/appserver/metering/scenarios/domain_fixture.h"
#include "tests/support/csv_rows.h"

using namespace uchet;

namespace {

constexpr std::int64_t kApr1 = 1774983600;  // 2026-04-01T00:00:00+05:00
constexpr std::int64_t kFeb1 = 1801422000;  // 2027-02-01T00:00:00+05:00

}  // namespace

TEST_CASE(
    "scenario 3: verification expiring mid-month bills the average from that day, then the norm after three periods") {
  REQUIRE(kFeb1 - kApr1 == 306 * 86400);  // April 1 to February 1: 30+31+30+31+31+30+31+30+31+31 days
  test::Building b;
  const auto premise = b.add_premise("1");
  const auto point = b.add_point("kv1-cw", "premise", premise);
  const lorawan::Eui64 meter = 0x70B3D50000000201;
  b.add_device(meter);
  b.install(meter, point, kApr1 - 86400, 10.0);

  schema::Passport passport;
  passport.dev_eui = meter;
  passport.model = "KARAT-926LW";
  passport.verification_interval_years = 6;
  passport.last_verified_on = 1602702000;  // 2020-10-15T00:00:00+05:00
  schema::save_passport(b.db, passport);
  schema::set_norm(b.db, {b.object.id, "cold_water", 0, 7.0});

  std::uint32_t litres = 10000;
  for (std::int64_t t = kApr1 - 86400; t <= kFeb1; t += 86400) {
    b.report(meter, t, litres);
    litres += 100;
  }

  struct Month {
    const char* period;
    double consumption;
    const char* method;
  };
  const Month months[] = {{"2026-09", 3.0, "measured"},
                          {"2026-10", 3.072581, "average"},
                          {"2026-11", 3.05, "average"},
                          {"2026-12", 3.05, "average"},
                          {"2027-01", 7.0, "norm"}};
  for (const auto& m : months) {
    INFO(m.period);
    auto r = test::run({test::executable_from_env("UCHETCTL"), "--db", b.path, "export", "billing", "--period",
                        m.period, "--object", "lenina-5", "--format", "csv"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto rows = test::csv_rows(r.out);
    INFO(r.out);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]["premise"] == "1");
    CHECK(rows[0]["account"] == "LS-1");
    CHECK(rows[0]["fias_house_guid"] == "0c5b2444-70a0-4932-980c-b4dc0d3f02b5");
    CHECK(std::stod(rows[0]["consumption"]) == Approx(m.consumption).margin(0.0005));
    CHECK(rows[0]["method"] == m.method);
  }
}
