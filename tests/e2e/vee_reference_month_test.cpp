// Reference scenario 5 (issue 19 items 1-4): one building's November 2026 through the radio path
// (KARAT-926LW CURRENT packets over UDP, each stamped at its true local midnight by a module whose
// clock is right and heard with the gateway's GPS time of that midnight, weeks in the past) and
// the operator path (`uchetctl reading set`). Every expected figure is derived by hand below.
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
// Building areas are there for the ОДН allocation (Decree 354 items 44-48) to be added to this
// scenario: the house meter's month and the premises' billed volumes are asserted below.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
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
// 2026-11-01T00:00:00+05:00 = 2026-10-31T19:00:00Z (2026-11-20T00:00+05:00 is 1795114800, 19 days later).
constexpr std::int64_t kNov1 = 1793473200;
constexpr std::int64_t kDay = 86400;
constexpr int kFirst = -21;  // first radio midnight: 11 October
constexpr int kLast = 30;    // last one: 1 December

std::int64_t midnight(int d) { return kNov1 + d * kDay; }
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
  for (auto eui : {kMeterA, kMeterB, kMeterC, kMeterH}) {
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
  net.start();
  sim::SimulatedGateway gateway(kGateway1, net.bridge());
  REQUIRE(gateway.pull(1s));

  // --- The radio path: A, B and H join, then report every midnight from 11 October to 1 December.
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
  for (int d = kFirst; d <= kLast; ++d) {
    report(0, kMeterA, d, reg(20000, d, use_a) - (d == 19 ? 200 : 0));
    if (d < 4 || d > 9) report(1, kMeterB, d, reg(10000, d, use_b));
    report(3, kMeterH, d, reg(100000, d, use_h), d == 14 || d == 15 ? 0x0010 : 0);
  }
  for (auto eui : {kMeterA, kMeterB, kMeterH}) REQUIRE(net.wait_events("up", eui, sent[eui], 30s).size() == sent[eui]);

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

  {  // billing of November: every premise measured, the glitch billed as the water it was
    auto r = net.ctl_result({"export", "billing", "--period", "2026-11", "--object", "mira-7"});
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    auto rows = csv_rows(r.out);
    REQUIRE(rows.size() == 4);
    // House meter: Σ over November of A + B + C + 30 L = 3 990 + 3 350 + 2 400 + 900 = 10 640 L.
    CHECK(rows[0]["level"] == "ОДПУ");
    CHECK(std::stod(rows[0]["consumption"]) == Approx(10.640));
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
}
