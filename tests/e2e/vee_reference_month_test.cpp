// Reference scenario 5 (issue 19 items 1-6): one building's November 2026 through the radio path
// (KARAT-926LW CURRENT packets over UDP, each stamped at its true local midnight by a module whose
// clock is right and heard with the gateway's GPS time of that midnight, weeks in the past) and
// the operator path (`uchetctl reading set`), a second building's April..November for the billing
// rules after the limit (item 60, 59(1)) and the ОДН, and the operator's edits and removals
// (premise|point edit|remove, object import). Every expected figure is derived by hand below.
//
// Object mira-7 (Asia/Yekaterinburg, UTC+5), cold water. d = day index, d = 0 is Sunday
// 1 November 2026 (2026-01-01 is a Thursday; Nov 1 is 304 days later, 304 % 7 = 3: Sunday);
// weekend days are d % 7 in {0, 6}. Meters installed 2026-10-10T00:00 (d = -22) unless said.
//   premise 1, residential, 50 m2, LS-1: meter A, 133 L every day from 20.000 m3. Its reading at
//     midnight d = 19 (20 Nov 00:00, the end of day 18) is 0.2 m3 too low; the next one
//     continues the old series.
//   premise 2, residential, 60 m2, LS-2: meter B, 100 L on weekdays, 200 L at weekends, from
//     10.000 m3; away d = 3..9 using 50 L a day, and silent then: no packet for midnights
//     d = 4..9 (the readings around the gap are at midnights 3 and 10).
//   premise 3, non-residential (office), 40 m2, LS-3: meter C, installed 1 Nov at 5.000 m3, never
//     heard over the air; the operator types its register every midnight d = 1..30: 80 L a day.
//   building: house meter H = A + B + C + 30 L a day of common use, from 100.000 m3; its packets
//     for midnights d = 14 and 15 carry sensor_fault (status bit 4), the next clears it.
// The common property of mira-7 (issue 19 item 5): 100 m2 at a common-property norm of 0.006 m3
// per m2 a month (0.600 m3). H's register moved 10.640 m3 in November, 0.900 more than the
// premises' 9.740, but H has no billed value for November (its fault days, below), so the ОДН is
// the norm volume.
//
// Object mira-9 (same zone, cold water; issue 19 items 5 and 60/59(1)): three meters installed
// 1 April 2026 00:00 that report once a month over the radio, at local midnight of the 1st, then
// fall silent. Month starts as day indices: 1 Apr -214, 1 May -184, 1 Jun -153, 1 Jul -123,
// 1 Aug -92, 1 Sep -61, 1 Oct -31, 1 Nov 0, 1 Dec 30.
//   premise 1, residential, 70 m2, LS-91: meter D from 50.000 m3, uses 3.1, 2.9, 3.0, 3.2 m3 in
//     April..July, last monthly packet 1 Aug; silent until it reports again every midnight
//     d = 20..30 (21 Nov .. 1 Dec) from 72.000 m3, 100 L a day. Norm 7 m3 a month.
//   premise 2, non-residential (shop), 30 m2, LS-92: meter E from 1.000 m3, uses 1.3, 1.2, 0.8,
//     1.0, 1.0 m3 in April..August, last packet 1 Sep, silent since. Item 43's calculated volume
//     4 m3 a month.
//   house meter H2 from 500.000 m3: 10.4, 11.0, 9.2, 10.0, 12.0, 8.0 m3 in April..September, last
//     packet 1 Oct, silent since. Common property 80 m2 at 0.02 m3/m2: cap 1.600 m3.
//   heat meter T at the building point teplo, installed 1 October 2025 at 0 kWh, read only by the
//     operator on the 1st of each month up to 1 November 2026, then not: 150, 250, 350, 400, 380,
//     300, 180 kWh from October to April, nothing from May to September, 160 in October 2026.
//     Heating season October..April.
// A billing rule from 1 November 2026 raises the residential norm's coefficient to 1.5 (item 60).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/csv_rows.h"
#include "tests/support/karat_packets.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kMeterA = 0x70b3d57ed0005a01;
constexpr lorawan::Eui64 kMeterB = 0x70b3d57ed0005a02;
constexpr lorawan::Eui64 kMeterC = 0x70b3d57ed0005a03;
constexpr lorawan::Eui64 kMeterH = 0x70b3d57ed0005a10;
constexpr lorawan::Eui64 kMeterD = 0x70b3d57ed0005b01;   // mira-9, premise 1
constexpr lorawan::Eui64 kMeterE = 0x70b3d57ed0005b02;   // mira-9, premise 2 (shop)
constexpr lorawan::Eui64 kMeterH2 = 0x70b3d57ed0005b10;  // mira-9, house meter
constexpr lorawan::Eui64 kMeterT = 0x70b3d57ed0005b20;   // mira-9, house heat meter (operator only)
// 2026-11-01T00:00:00+05:00 = 2026-10-31T19:00:00Z (2026-11-20T00:00+05:00 is 1795114800, 19 days later).
constexpr std::int64_t kNov1 = 1793473200;
constexpr std::int64_t kDay = 86400;
constexpr int kFirst = -21;  // first radio midnight: 11 October
constexpr int kLast = 30;    // last one: 1 December

std::int64_t midnight(int d) { return kNov1 + d * kDay; }
// mira-9: the day index of local midnight of the 1st of April .. December 2026, and the litres
// each meter used in the months before its last monthly packet (April first).
constexpr int kMonthStart[] = {-214, -184, -153, -123, -92, -61, -31, 0, 30};
constexpr std::uint32_t kUseD[] = {3100, 2900, 3000, 3200};
constexpr std::uint32_t kUseE[] = {1300, 1200, 800, 1000, 1000};
constexpr std::uint32_t kUseH2[] = {10400, 11000, 9200, 10000, 12000, 8000};
// T's kWh in October 2025 .. October 2026.
constexpr int kUseT[] = {150, 250, 350, 400, 380, 300, 180, 0, 0, 0, 0, 0, 160};
bool weekend(int d) { return ((d % 7) + 7) % 7 == 0 || ((d % 7) + 7) % 7 == 6; }

// Litres used on day d (from midnight d to midnight d + 1).
std::uint32_t use_a(int) { return 133; }
std::uint32_t use_b(int d) { return d >= 3 && d <= 9 ? 50 : (weekend(d) ? 200 : 100); }
std::uint32_t use_c(int d) { return d >= 0 ? 80 : 0; }
std::uint32_t use_h(int d) { return use_a(d) + use_b(d) + use_c(d) + 30; }

// The register at midnight d, in litres, of a meter with `start` litres at d = -22.
template <class Use>
std::uint32_t reg(std::uint32_t start, int d, Use use) {
  std::uint32_t v = start;
  for (int k = -22; k < d; ++k) v += use(k);
  return v;
}

sim::Reception at(std::int64_t true_unix) {
  auto r = heard();
  r.time = gateway_bridge::UtcTime(std::chrono::seconds(true_unix));
  return r;
}

}  // namespace

TEST_CASE("reference scenario 5: a glitch, a fault, a silent week and a manual meter through radio and operator") {
  // The hand-derived registers the packets carry (checked against the model above).
  REQUIRE(reg(20000, 0, use_a) == 22926);   // 20 000 + 22 x 133
  REQUIRE(reg(20000, 30, use_a) == 26916);  // + 30 x 133 = 3 990 L in November
  // B in November: 21 weekdays and 9 weekend days (d = 0, 6, 7, 13, 14, 20, 21, 27, 28), of which
  // the away days d = 3..9 are 5 weekdays and 2 weekend days: 16 x 100 + 7 x 200 + 7 x 50 = 3 350 L.
  REQUIRE(reg(10000, 30, use_b) - reg(10000, 0, use_b) == 3350);

  std::vector<std::unique_ptr<sim::SimulatedDevice>> radios;
  NetworkUnderTest net;
  for (auto eui : {kMeterA, kMeterB, kMeterC, kMeterH, kMeterD, kMeterE, kMeterH2, kMeterT}) {
    radios.push_back(std::make_unique<sim::SimulatedDevice>(otaa_device(eui)));
    net.add_device(radios.back()->identity());
    net.ctl({"device", "set", lorawan::eui64_to_string(eui), "--codec", "karat-926lw"});
  }
  net.ctl({"object", "add", "mira-7", "--address", "ул. Мира, 7", "--fias", "5c8ad1f4-7f8a-4f4a-9a34-1e0ad0a8b2a1",
           "--time-zone", "Asia/Yekaterinburg"});
  net.ctl({"premise", "add", "mira-7", "1", "--kind", "residential", "--area", "50", "--account", "LS-1"});
  net.ctl({"premise", "add", "mira-7", "2", "--kind", "residential", "--area", "60", "--account", "LS-2"});
  net.ctl({"premise", "add", "mira-7", "3", "--kind", "non_residential", "--area", "40", "--account", "LS-3"});
  net.ctl({"point", "add", "mira-7", "odpu-cw", "--resource", "cold_water", "--level", "building"});
  for (const char* n : {"1", "2", "3"})
    net.ctl({"point", "add", "mira-7", std::string("kv") + n + "-cw", "--resource", "cold_water", "--level", "premise",
             "--premise", n});
  const auto install = [&](lorawan::Eui64 eui, const std::string& point, const std::string& at, const std::string& r) {
    net.ctl(
        {"meter", "install", lorawan::eui64_to_string(eui), "--point", "mira-7/" + point, "--at", at, "--reading", r});
  };
  install(kMeterH, "odpu-cw", "2026-10-10T00:00", "100");
  install(kMeterA, "kv1-cw", "2026-10-10T00:00", "20");
  install(kMeterB, "kv2-cw", "2026-10-10T00:00", "10");
  install(kMeterC, "kv3-cw", "2026-11-01T00:00", "5");

  net.ctl({"object", "add", "mira-9", "--address", "ул. Мира, 9", "--fias", "0f3e7c55-2a3b-4c1d-8e9f-1a2b3c4d5e6f",
           "--time-zone", "Asia/Yekaterinburg"});
  net.ctl({"premise", "add", "mira-9", "1", "--kind", "residential", "--area", "70", "--account", "LS-91"});
  net.ctl({"premise", "add", "mira-9", "2", "--kind", "non_residential", "--area", "30", "--account", "LS-92"});
  net.ctl({"point", "add", "mira-9", "odpu-cw", "--resource", "cold_water", "--level", "building"});
  for (const char* n : {"1", "2"})
    net.ctl({"point", "add", "mira-9", std::string("kv") + n + "-cw", "--resource", "cold_water", "--level", "premise",
             "--premise", n});
  const auto install9 = [&](lorawan::Eui64 eui, const std::string& point, const std::string& r) {
    net.ctl({"meter", "install", lorawan::eui64_to_string(eui), "--point", "mira-9/" + point, "--at",
             "2026-04-01T00:00", "--reading", r});
  };
  install9(kMeterH2, "odpu-cw", "500");
  install9(kMeterD, "kv1-cw", "50");
  install9(kMeterE, "kv2-cw", "1");
  net.ctl({"object", "set", "mira-9", "--heating-season", "10-04"});
  net.ctl({"point", "add", "mira-9", "teplo", "--resource", "heat", "--level", "building"});
  net.ctl({"meter", "install", lorawan::eui64_to_string(kMeterT), "--point", "mira-9/teplo", "--at", "2025-10-01T00:00",
           "--reading", "0"});
  net.start();
  sim::SimulatedGateway gateway(kGateway1, net.bridge());
  REQUIRE(gateway.pull(1s));

  // --- The radio path: A, B, H and mira-9's D, E, H2 join; A, B and H report every midnight from
  // 11 October to 1 December.
  std::map<lorawan::Eui64, std::size_t> sent;
  const auto report = [&](std::size_t radio, lorawan::Eui64 eui, int d, std::uint32_t litres,
                          std::uint16_t status = 0) {
    const auto t = midnight(d);
    auto frame =
        radios[radio]->uplink({.fport = 2, .payload = karat::current(static_cast<std::uint32_t>(t), litres, status)});
    REQUIRE(frame);
    REQUIRE(gateway.push(*frame, at(t)).acked);
    ++sent[eui];
  };
  join(*radios[0], gateway);
  join(*radios[1], gateway);
  join(*radios[3], gateway);
  join(*radios[4], gateway);  // mira-9's D, E and H2
  join(*radios[5], gateway);
  join(*radios[6], gateway);
  for (int d = kFirst; d <= kLast; ++d) {
    report(0, kMeterA, d, reg(20000, d, use_a) - (d == 19 ? 200 : 0));
    if (d < 4 || d > 9) report(1, kMeterB, d, reg(10000, d, use_b));
    report(3, kMeterH, d, reg(100000, d, use_h), d == 14 || d == 15 ? 0x0010 : 0);
  }
  // mira-9 in time order: the monthly packets while each meter still reports, then D's return.
  std::uint32_t reg_d = 50000, reg_e = 1000, reg_h2 = 500000;
  for (std::size_t m = 1; m <= 6; ++m) {
    if (m <= std::size(kUseD)) report(4, kMeterD, kMonthStart[m], reg_d += kUseD[m - 1]);
    if (m <= std::size(kUseE)) report(5, kMeterE, kMonthStart[m], reg_e += kUseE[m - 1]);
    report(6, kMeterH2, kMonthStart[m], reg_h2 += kUseH2[m - 1]);
  }
  REQUIRE(reg_d == 62200);    // 50 + 3.1 + 2.9 + 3.0 + 3.2 m3 on 1 August
  REQUIRE(reg_e == 6300);     // 1 + 1.3 + 1.2 + 0.8 + 1.0 + 1.0 m3 on 1 September
  REQUIRE(reg_h2 == 560600);  // 500 + 60.6 m3 on 1 October
  for (int d = 20; d <= 30; ++d) report(4, kMeterD, d, 72000 + 100 * (d - 20));
  for (auto eui : {kMeterA, kMeterB, kMeterH, kMeterD, kMeterE, kMeterH2})
    REQUIRE(net.wait_events("up", eui, sent[eui], 30s).size() == sent[eui]);

  // --- The operator path: C's register typed in every midnight d = 1..30: 5.000 + 0.080 d m3.
  const auto day_text = [](int d) {  // local date of midnight d
    char buf[32];
    std::snprintf(buf, sizeof buf, d < 30 ? "2026-11-%02dT00:00" : "2026-12-01T00:00", d + 1);
    return std::string(buf);
  };
  for (int d = 1; d <= 30; ++d) {
    char value[32];
    std::snprintf(value, sizeof value, "%.3f", 5.0 + 0.08 * d);
    net.ctl({"reading", "set", lorawan::eui64_to_string(kMeterC), "--quantity", "volume", "--at", day_text(d),
             "--value", value, "--reason", "обход", "--by", "ivanova"});
  }

  {  // T's register typed in on the 1st of November 2025 .. November 2026.
    int kwh = 0;
    for (int m = 0; m < 13; ++m) {
      kwh += kUseT[m];
      char at[32];
      std::snprintf(at, sizeof at, "%04d-%02d-01T00:00", m < 2 ? 2025 : 2026, (m + 10) % 12 + 1);
      net.ctl({"reading", "set", lorawan::eui64_to_string(kMeterT), "--quantity", "energy", "--at", at, "--value",
               std::to_string(kwh), "--reason", "обход", "--by", "ivanova"});
    }
    REQUIRE(kwh == 2170);
  }

  const auto json_of = [&](const std::vector<std::string>& args) {
    auto r = net.ctl_result(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  };
  const auto eui = [](lorawan::Eui64 e) { return lorawan::eui64_to_string(e); };

  {  // item 2: the status travels with the readings of its packet
    // A's reading at 20 Nov 00:00 is 0.2 m3 below the one before: stored with register_rollback;
    // the next continues the old series and has no status.
    auto a = json_of({"readings", eui(kMeterA), "--from", day_text(19), "--to", day_text(20), "--format", "json"});
    REQUIRE(a.size() == 2);
    CHECK(a[0]["value"].get<double>() == Approx(reg(20000, 19, use_a) / 1000.0 - 0.2));
    CHECK(a[0]["status"] == "register_rollback");
    CHECK(a[1]["status"] == "");
    CHECK(a[0]["flags"] == "measured,clock-corrected");
    // H's packets for midnights 14 and 15 carried sensor_fault.
    auto h = json_of({"readings", eui(kMeterH), "--from", day_text(13), "--to", day_text(16), "--format", "json"});
    REQUIRE(h.size() == 4);
    CHECK(h[0]["status"] == "");
    CHECK(h[1]["status"] == "sensor_fault");
    CHECK(h[2]["status"] == "sensor_fault");
    CHECK(h[3]["status"] == "");
  }

  {  // item 3: a meter read only by the operator has a device grid, marked manual
    // Midnights 1 and 2 Nov: 5.080 and 5.160 (the installation's 5.000 at 1 Nov is not a reading).
    auto c = json_of(
        {"readings", eui(kMeterC), "--grid", "day", "--from", day_text(1), "--to", day_text(3), "--format", "json"});
    REQUIRE(c.size() == 2);
    CHECK(c[0]["quantity"] == "volume");
    CHECK(c[0]["resource"] == "cold_water");
    CHECK(c[0]["startValue"].get<double>() == Approx(5.08));
    CHECK(c[0]["endValue"].get<double>() == Approx(5.16));
    CHECK(c[0]["consumption"].get<double>() == Approx(0.08));
    CHECK(c[0]["manual"] == true);
    // The point's series: 80 L a day, measured, flagged manual.
    auto s =
        json_of({"point", "series", "mira-7/kv3-cw", "--from", day_text(0), "--to", day_text(2), "--format", "json"});
    REQUIRE(s.size() == 2);
    CHECK(s[0]["consumption"].get<double>() == Approx(0.08));
    CHECK(s[0]["source"] == "measured");
    CHECK(s[0]["flags"] == nlohmann::json::array({"manual"}));
  }

  {  // items 1 and 4: the point series around the glitch, the fault and the silent week
    // A: the misread midnight 19 (20 Nov 00:00) is left out, so the two days it bounds, 18 and
    // 19, are bridged by the straight line between midnights 18 and 20: 0.133 each, as measured;
    // day 17 is measured.
    auto a =
        json_of({"point", "series", "mira-7/kv1-cw", "--from", day_text(17), "--to", day_text(20), "--format", "json"});
    REQUIRE(a.size() == 3);
    CHECK(a[0]["consumption"].get<double>() == Approx(0.133));
    CHECK(a[0]["source"] == "measured");
    CHECK(a[0]["flags"] == nlohmann::json::array());
    for (int i : {1, 2}) {
      CHECK(a[i]["consumption"].get<double>() == Approx(0.133));
      CHECK(a[i]["source"] == "linear");
      CHECK(a[i]["flags"] == nlohmann::json::array({"gap", "register_glitch", "scaled"}));
      CHECK(a[i]["registerRollback"] == false);
    }
    // B: days 3..9 have no reading inside; the readings around them are 7 days apart (> 72 h):
    // like-day, the same weekday 1..3 weeks earlier = 0.1 (weekday) or 0.2 (d = 6, 7: weekend),
    // Σ = 5 x 0.1 + 2 x 0.2 = 0.9, scaled to the register's 0.35: x 0.35 / 0.9.
    auto b =
        json_of({"point", "series", "mira-7/kv2-cw", "--from", day_text(3), "--to", day_text(10), "--format", "json"});
    REQUIRE(b.size() == 7);
    double sum = 0;
    for (int i = 0; i < 7; ++i) {
      const int d = 3 + i;
      INFO("day " << d);
      CHECK(b[i]["source"] == "like_day");
      CHECK(b[i]["flags"] == nlohmann::json::array({"gap", "scaled"}));
      CHECK(b[i]["consumption"].get<double>() == Approx((weekend(d) ? 0.2 : 0.1) * 0.35 / 0.9));
      sum += b[i]["consumption"].get<double>();
    }
    CHECK(sum == Approx(0.35));
    CHECK(b[0]["consumption"].get<double>() == Approx(0.038889).margin(1e-6));
    CHECK(b[3]["consumption"].get<double>() == Approx(0.077778).margin(1e-6));
    // H: the faulty readings (midnights 14, 15) mark the days they bound (13, 14, 15), the open
    // alarm 14..16 the days 14 and 15; the values are still the register's.
    auto h = json_of(
        {"point", "series", "mira-7/odpu-cw", "--from", day_text(12), "--to", day_text(17), "--format", "json"});
    REQUIRE(h.size() == 5);
    CHECK(h[0]["flags"] == nlohmann::json::array());
    for (int i : {1, 2, 3}) CHECK(h[i]["flags"] == nlohmann::json::array({"sensor_fault"}));
    CHECK(h[4]["flags"] == nlohmann::json::array());
    CHECK(h[2]["consumption"].get<double>() == Approx(use_h(14) / 1000.0));
  }

  {  // the balance neither gains nor loses water on the glitch or across the silent week
    auto bal = json_of({"balance", "mira-7", "--resource", "cold_water", "--from", day_text(0), "--to", day_text(30),
                        "--format", "json"});
    const auto& rows = bal["rows"];
    REQUIRE(rows.size() == 30);
    // Day 19 (Friday 20 Nov): H 133 + 100 + 80 + 30 = 343 L; premises A 0.133 (linear) + B 0.1
    // + C 0.08 = 0.313: the imbalance is the 30 L of common use.
    CHECK(rows[19]["building"].get<double>() == Approx(0.343));
    CHECK(rows[19]["premises"].get<double>() == Approx(0.313));
    CHECK(rows[19]["imbalance"].get<double>() == Approx(0.030));
    // Day 5 (Friday 6 Nov, B away): H 133 + 50 + 80 + 30 = 293 L; premises 0.133 + 0.038889 +
    // 0.08 = 0.251889; imbalance 0.041111 (B's estimate has the week's shape, not each day's use).
    CHECK(rows[5]["building"].get<double>() == Approx(0.293));
    CHECK(rows[5]["premises"].get<double>() == Approx(0.251889).margin(1e-6));
    CHECK(rows[5]["imbalance"].get<double>() == Approx(0.041111).margin(1e-6));
    // Over the week 3..9 the scaled estimates add up to B's register: Σ imbalance = 7 x 0.030.
    double week = 0;
    for (int d = 3; d <= 9; ++d) week += rows[d]["imbalance"].get<double>();
    CHECK(week == Approx(0.210));
  }

  const auto export_rows = [&](const std::string& object, const std::string& period) {
    auto r = net.ctl_result({"export", "billing", "--period", period, "--object", object});
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    return csv_rows(r.out);
  };
  const auto refused = [&](const std::vector<std::string>& args) {  // exit 2 and the message
    auto r = net.ctl_result(args);
    INFO(r.out);
    CHECK(r.exit_code == 2);
    return r.err;
  };
  using Catch::Matchers::Contains;

  {  // billing of November: every premise measured, the glitch billed as the water it was
    auto rows = export_rows("mira-7", "2026-11");
    REQUIRE(rows.size() == 4);
    // House meter: its register moved Σ over November of A + B + C + 30 L = 3 990 + 3 350 +
    // 2 400 + 900 = 10 640 L, but its sensor_fault days 14 and 15 are days of a failed meter
    // (item 81(12), as for a premise meter), so the month is not fully valid. Item 59(1) would
    // bill them by the meter's own average, which needs 3 fully valid months; installed 10
    // October, it has none: no value and no method (item 60(1): the ОДН then comes from the
    // common-property norm, below).
    CHECK(rows[0]["level"] == "ОДПУ");
    CHECK(rows[0]["consumption"] == "");
    CHECK(rows[0]["method"] == "");
    CHECK(std::stod(rows[0]["reading_start"]) == Approx(reg(100000, 0, use_h) / 1000.0));
    CHECK(std::stod(rows[0]["reading_end"]) - std::stod(rows[0]["reading_start"]) == Approx(10.640));
    // Premise 1: 30 x 133 L = 3.990 m3 measured (issue 19: not 4.200 average).
    CHECK(rows[1]["premise"] == "1");
    CHECK(std::stod(rows[1]["reading_start"]) == Approx(22.926));
    CHECK(std::stod(rows[1]["reading_end"]) == Approx(26.916));
    CHECK(std::stod(rows[1]["consumption"]) == Approx(3.990));
    CHECK(rows[1]["method"] == "measured");
    // Premise 2: the silent week is bridged by the register: 3.350 measured.
    CHECK(rows[2]["premise"] == "2");
    CHECK(std::stod(rows[2]["consumption"]) == Approx(3.350));
    CHECK(rows[2]["method"] == "measured");
    // Premise 3 (non-residential), read by the operator only: 5.000 -> 7.400, 2.400 measured.
    CHECK(rows[3]["premise"] == "3");
    CHECK(std::stod(rows[3]["reading_start"]) == Approx(5.0));
    CHECK(std::stod(rows[3]["reading_end"]) == Approx(7.4));
    CHECK(std::stod(rows[3]["consumption"]) == Approx(2.400));
    CHECK(rows[3]["method"] == "measured");
  }

  {  // item 2: the fleet report counts faults and rollbacks as not operating
    // Daily intervals of November, all four in service (no lifecycle log):
    //   A 29 of 30 (day 19 holds only the rollback reading), 1 failure restored in 1 day;
    //   B 24 (nothing for days 4..9), 1 failure restored in 6 days;
    //   C 0 (typed-in values are not the module reporting), 1 failure still running;
    //   H 28 (days 14, 15 sensor_fault), 1 failure restored in 2 days.
    // Fleet: 81 / 120 = 67.50 %, 4 failures, all four below 98 %, MTTR (1 + 6 + 2) / 3 = 3 days.
    auto f = json_of(
        {"fleet", "report", "--from", day_text(0), "--to", day_text(30), "--object", "mira-7", "--format", "json"});
    const auto& devices = f["devices"];
    REQUIRE(devices.size() == 4);
    const int operating[] = {29, 24, 0, 28};
    for (std::size_t i = 0; i < 4; ++i) {
      INFO(devices[i]["devEui"]);
      CHECK(devices[i]["intervalsInService"] == 30);
      CHECK(devices[i]["intervalsOperating"] == operating[i]);
      CHECK(devices[i]["failures"] == 1);
    }
    CHECK(devices[2]["outageOngoing"] == true);
    CHECK(f["fleet"]["intervalsOperating"] == 81);
    CHECK(f["fleet"]["coefficient"].get<double>() == Approx(0.675));
    CHECK(f["fleet"]["failures"] == 4);
    CHECK(f["fleet"]["belowTarget"].size() == 4);
    CHECK(f["fleet"]["meanTimeToRestoreS"].get<double>() == Approx(3.0 * kDay));
  }

  // ---------------------------------------------------------------------------------------------
  // Item 5: the common-property share (ОДН) of November, mira-7.
  net.ctl({"object", "set", "mira-7", "--common-area", "100"});
  net.ctl({"norm", "set", "mira-7", "--resource", "cold_water", "--common-per-m2", "0.006"});
  const auto odn_of = [&](const std::string& object, const std::string& month) {
    auto j = json_of({"--json", "billing", "odn", object, "--month", month});
    REQUIRE(j.size() == 1);  // cold water only: no house meter or common-property norm for the others
    CHECK(j[0]["resource"] == "cold_water");
    return j[0];
  };
  const auto check_odn_rows = [&](const std::vector<std::map<std::string, std::string>>& rows, std::size_t first,
                                  const std::vector<std::string>& premises, const std::vector<double>& shares,
                                  const std::string& basis) {
    REQUIRE(rows.size() == first + premises.size());
    for (std::size_t i = 0; i < premises.size(); ++i) {
      auto row = rows[first + i];
      INFO("ОДН row of premise " << premises[i]);
      CHECK(row["level"] == "ОДН");
      CHECK(row["premise"] == premises[i]);
      CHECK(row["resource"] == "cold_water");
      CHECK(row["meter_serial"] == "");
      CHECK(row["reading_start"] == "");
      CHECK(row["reading_end"] == "");
      CHECK(std::stod(row["consumption"]) == Approx(shares[i]).margin(1e-6));
      CHECK(row["method"] == basis);
    }
  };
  {  // No house value (H's fault days, item 59(1) without history): the norm volume 100 m2 x 0.006
    // = 0.600 m3 is distributed by area over 50 + 60 + 40 = 150 m2: 0.200, 0.240, 0.160
    // (`odn_norm`), whatever the owners decided (their decision concerns a house meter's
    // volume above the norm).
    auto odn = odn_of("mira-7", "2026-11");
    CHECK(odn["basis"] == "odn_norm");
    CHECK(odn["houseVolume"].is_null());
    CHECK(odn["difference"].is_null());
    CHECK(odn["premisesVolume"].get<double>() == Approx(9.740));
    CHECK(odn["cap"].get<double>() == Approx(0.600));
    CHECK(odn["distributed"].get<double>() == Approx(0.600));
    CHECK(odn["totalArea"].get<double>() == Approx(150));
    const double volumes[] = {3.990, 3.350, 2.400}, shares[] = {0.200, 0.240, 0.160};
    REQUIRE(odn["premises"].size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(odn["premises"][i]["premise"] == std::to_string(i + 1));
      CHECK(odn["premises"][i]["volume"].get<double>() == Approx(volumes[i]));
      CHECK(odn["premises"][i]["share"].get<double>() == Approx(shares[i]));
    }
    CHECK(odn["premises"][2]["kind"] == "non_residential");
    check_odn_rows(export_rows("mira-7", "2026-11"), 4, {"1", "2", "3"}, {0.200, 0.240, 0.160}, "odn_norm");
    net.ctl({"object", "set", "mira-7", "--owners-above-norm", "yes"});
    CHECK(odn_of("mira-7", "2026-11")["distributed"].get<double>() == Approx(0.600));
  }

  // ---------------------------------------------------------------------------------------------
  // Items 5 (60, 59(1)) and the negative difference: mira-9, October and November.
  net.ctl({"billing", "rule", "add", "--from", "2026-11-01", "--average-months", "6", "--min-history", "3",
           "--max-residential", "3", "--max-non-residential", "2", "--norm-coefficient", "1.5", "--source",
           "reference scenario 5: access refused twice (item 60)"});
  net.ctl({"norm", "set", "mira-9", "--resource", "cold_water", "--per-month", "7"});
  net.ctl({"norm", "set", "mira-9", "--resource", "cold_water", "--per-month", "4", "--premise", "2"});
  net.ctl({"object", "set", "mira-9", "--common-area", "80"});
  net.ctl({"norm", "set", "mira-9", "--resource", "cold_water", "--common-per-m2", "0.02"});
  {  // October: every meter within its limit, billed by its own average.
    //   H2 (item 59(1)): silent since 1 Oct, period 1 of 3: (10.4 + 11 + 9.2 + 10 + 12 + 8) / 6 = 10.100;
    //   D: silent since 1 Aug, period 3 of 3: (3.1 + 2.9 + 3.0 + 3.2) / 4 = 3.050 (fewer than 6
    //      months, at least 3);
    //   E (non-residential): silent since 1 Sep, period 2 of 2: (1.3 + 1.2 + 0.8 + 1 + 1) / 5 = 1.060.
    // ОДН: V = 10.100 − 4.110 = 5.990 above the cap 80 x 0.02 = 1.600: 1.600 x 70/100 = 1.120 and
    // 1.600 x 30/100 = 0.480 (`odn_capped`).
    // T measured October 2026: 2 010 -> 2 170 kWh = 160 (`measured`).
    // Rows: building points by name (odpu-cw, teplo), then kv1-cw, kv2-cw, then the ОДН.
    auto rows = export_rows("mira-9", "2026-10");
    REQUIRE(rows.size() >= 4);
    CHECK(rows[0]["level"] == "ОДПУ");
    CHECK(std::stod(rows[0]["reading_start"]) == Approx(560.6));
    CHECK(rows[0]["reading_end"] == "");
    CHECK(std::stod(rows[0]["consumption"]) == Approx(10.100));
    CHECK(rows[0]["method"] == "average");
    CHECK(rows[1]["resource"] == "heat");
    CHECK(std::stod(rows[1]["reading_start"]) == Approx(2010));
    CHECK(std::stod(rows[1]["reading_end"]) == Approx(2170));
    CHECK(std::stod(rows[1]["consumption"]) == Approx(160));
    CHECK(rows[1]["method"] == "measured");
    CHECK(rows[2]["premise"] == "1");
    CHECK(std::stod(rows[2]["consumption"]) == Approx(3.050));
    CHECK(rows[2]["method"] == "average");
    CHECK(rows[3]["premise"] == "2");
    CHECK(std::stod(rows[3]["consumption"]) == Approx(1.060));
    CHECK(rows[3]["method"] == "average");
    check_odn_rows(rows, 4, {"1", "2"}, {1.120, 0.480}, "odn_capped");
    auto odn = odn_of("mira-9", "2026-10");
    CHECK(odn["basis"] == "odn_capped");
    CHECK(odn["houseVolume"].get<double>() == Approx(10.100));
    CHECK(odn["premisesVolume"].get<double>() == Approx(4.110));
    CHECK(odn["difference"].get<double>() == Approx(5.990));
    CHECK(odn["cap"].get<double>() == Approx(1.600));
    CHECK(odn["ownersAboveNorm"] == false);
    CHECK(odn["distributed"].get<double>() == Approx(1.600));
    CHECK(odn["totalArea"].get<double>() == Approx(100));
    // The owners' decision lifts the cap: the whole 5.990 goes out, 4.193 and 1.797 (`odn`).
    net.ctl({"object", "set", "mira-9", "--owners-above-norm", "yes"});
    check_odn_rows(export_rows("mira-9", "2026-10"), 4, {"1", "2"}, {4.193, 1.797}, "odn");
    CHECK(odn_of("mira-9", "2026-10")["distributed"].get<double>() == Approx(5.990));
  }
  {  // November: the limits are used up.
    //   H2: period 2 of 3, still its own average 10.100 (item 59(1));
    //   D (residential), period 4: after the limit, item 60: the measured part (readings every
    //      midnight 20..30: 10 days x 100 L = 1.000) + norm 7 x coefficient 1.5 (the rule from
    //      1 November) x 20 invalid days / 30 = 1.000 + 7.000 = 8.000 (`norm`);
    //   E (non-residential), period 3: item 43's calculated 4 m3 x 30/30 = 4.000 (`calculated`).
    // ОДН: V = 10.100 − (8.000 + 4.000) = −1.900: nothing is distributed (`odn_negative`), the
    // premises' own bills stay as they are.
    //   T (heat, item 59(1)): nothing read after 1 November, in season, period 1: the average of
    //      the last 6 fully valid heating-season months, October 2026 and April .. December 2025
    //      backwards: (160 + 180 + 300 + 380 + 400 + 350) / 6 = 1 770 / 6 = 295 kWh (`average`;
    //      the plain average of the last 6 months would be 160 / 6 = 26.667 over the summer zeros).
    auto rows = export_rows("mira-9", "2026-11");
    REQUIRE(rows.size() >= 4);
    CHECK(std::stod(rows[0]["consumption"]) == Approx(10.100));
    CHECK(rows[0]["method"] == "average");
    CHECK(std::stod(rows[1]["reading_start"]) == Approx(2170));
    CHECK(rows[1]["reading_end"] == "");
    CHECK(std::stod(rows[1]["consumption"]) == Approx(295));
    CHECK(rows[1]["method"] == "average");
    CHECK(rows[2]["reading_start"] == "");
    CHECK(std::stod(rows[2]["reading_end"]) == Approx(73.0));
    CHECK(std::stod(rows[2]["consumption"]) == Approx(8.000));
    CHECK(rows[2]["method"] == "norm");
    CHECK(std::stod(rows[3]["consumption"]) == Approx(4.000));
    CHECK(rows[3]["method"] == "calculated");
    check_odn_rows(rows, 4, {"1", "2"}, {0, 0}, "odn_negative");
    auto odn = odn_of("mira-9", "2026-11");
    CHECK(odn["basis"] == "odn_negative");
    CHECK(odn["houseVolume"].get<double>() == Approx(10.100));
    CHECK(odn["premisesVolume"].get<double>() == Approx(12.000));
    CHECK(odn["difference"].get<double>() == Approx(-1.900));
    CHECK(odn["cap"].get<double>() == Approx(1.600));
    CHECK(odn["distributed"].get<double>() == 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Item 6 through the operator path.
  {  // Refusals name what depends on the premise or point, and change nothing.
    auto e = refused({"premise", "remove", "mira-7", "1"});
    CHECK_THAT(e, Contains("kv1-cw (cold_water, 1 meter installation(s))"));
    e = refused({"point", "remove", "mira-7/kv1-cw"});
    CHECK_THAT(e, Contains(eui(kMeterA) + " from") && Contains("(installed)") && Contains("cannot be removed"));
    e = refused({"point", "edit", "mira-7/kv1-cw", "--resource", "hot_water"});
    CHECK_THAT(e, Contains(eui(kMeterA)) && Contains("the resource cannot change"));
    auto points = json_of({"--json", "point", "list", "mira-7"});
    REQUIRE(points.size() == 4);
    CHECK(points[1]["name"] == "kv1-cw");
    CHECK(points[1]["resource"] == "cold_water");
  }
  {  // Allowed: the office renumbered Н-1 and measured anew at 45 m2, its point renamed. The
    // history follows by identity: the point's series and its 2.400 measured are unchanged, and
    // the ОДН (the norm volume 0.600) goes by the new areas, 50 + 60 + 45 = 155 m2:
    // 0.6 x 50/155 = 0.193548, 0.6 x 60/155 = 0.232258, 0.6 x 45/155 = 0.174194.
    net.ctl({"premise", "edit", "mira-7", "3", "--number", "Н-1", "--area", "45"});
    net.ctl({"point", "edit", "mira-7/kv3-cw", "--name", "office-cw"});
    auto s = json_of(
        {"point", "series", "mira-7/office-cw", "--from", day_text(0), "--to", day_text(2), "--format", "json"});
    REQUIRE(s.size() == 2);
    CHECK(s[1]["consumption"].get<double>() == Approx(0.08));
    auto rows = export_rows("mira-7", "2026-11");
    REQUIRE(rows.size() == 7);
    CHECK(rows[3]["premise"] == "Н-1");
    CHECK(rows[3]["account"] == "LS-3");
    CHECK(std::stod(rows[3]["consumption"]) == Approx(2.400));
    CHECK(rows[3]["method"] == "measured");
    check_odn_rows(rows, 4, {"1", "2", "Н-1"}, {0.193548, 0.232258, 0.174194}, "odn_norm");
    // A point that never had a meter may change its resource and be removed; so may a premise
    // without points.
    net.ctl({"point", "add", "mira-7", "kv1-hw", "--resource", "hot_water", "--level", "premise", "--premise", "1"});
    net.ctl({"point", "edit", "mira-7/kv1-hw", "--resource", "electricity"});
    net.ctl({"point", "remove", "mira-7/kv1-hw"});
    net.ctl({"premise", "add", "mira-7", "4", "--kind", "residential", "--area", "30"});
    net.ctl({"premise", "remove", "mira-7", "4"});
    CHECK(json_of({"--json", "point", "list", "mira-7"}).size() == 4);
    CHECK(json_of({"--json", "premise", "list", "mira-7"}).size() == 3);
  }
  {                   // object import: every error of a bad line is reported, and nothing is imported.
    TempDir csv_dir;  // not beside the database: on PostgreSQL that is a URI, not a file
    const auto csv = csv_dir.file("mira-11.csv");
    {
      std::ofstream f(csv);
      f << "object,time_zone,premise,kind,area,account,point,resource\n"
           "mira-11,Asia/Yekaterinburg,1,residential,55,LS-111,kv1-cw,cold_water\n"
           "mira-11,Asia/Yekaterinburg,2,flat,-3,LS-112,kv2-cw,water\n";
    }
    auto e = refused({"object", "import", csv});
    INFO(e);
    CHECK_THAT(e, Contains("1 bad line(s), nothing imported"));
    CHECK_THAT(e, Contains("line 3: kind must be residential or non_residential, got 'flat'"));
    CHECK_THAT(e, Contains("line 3: area"));
    CHECK_THAT(e, Contains("line 3: resource"));
    std::size_t messages = 0;
    for (auto at = e.find("line 3:"); at != std::string::npos; at = e.find("line 3:", at + 1)) ++messages;
    CHECK(messages == 3);
    CHECK_THAT(refused({"object", "show", "mira-11"}), Contains("mira-11"));
  }
}
