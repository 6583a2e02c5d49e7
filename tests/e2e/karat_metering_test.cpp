// The application layer end to end: a KARAT-926LW module whose clock runs 120 s fast joins and
// reports hourly for two days (gateway GPS time gives the true time of each frame), repeats
// eight hours in an archive packet, asks for the time and raises a leak alarm. Asserted: the
// correction downlinks, the corrected measurement times, the day grid and daily consumption
// printed by `uchetctl readings --grid day --format csv`, no duplicates, the alarm events.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/karat_packets.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000c01;
// 2026-11-20T00:00:00+05:00 (Asia/Yekaterinburg, the default time zone).
constexpr std::int64_t kDay0 = 1795114800;

using test::karat::current;

sim::Reception at(std::int64_t true_unix) {
  auto r = heard();
  r.time = gateway_bridge::UtcTime(std::chrono::seconds(true_unix));
  return r;
}

}  // namespace

// Changed for issue 20: runs over a Semtech UDP gateway (the true time in rxpk "time") and over a
// LoRa Basics Station gateway (in upinfo "rxtime").
TEMPLATE_TEST_CASE("a KARAT-926LW with a clock 120 s fast: corrected, gridded, alarmed", "", OverUdp,
                   OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui), [](NetworkUnderTest& net, const sim::DeviceIdentity& id) {
    net.add_device(id, {"--codec", "karat-926lw"});
  });
  auto& [device, net, gateway] = setup;

  std::int64_t clock_offset = 120;  // the module's clock minus true time
  std::uint32_t litres = 1000;
  auto send = [&](std::int64_t true_time, const lorawan::Bytes& payload, std::uint8_t fport) {
    auto frame = device.uplink({.fport = fport, .payload = payload});
    REQUIRE(frame);
    auto sent = gateway.push(*frame, at(true_time));
    REQUIRE(sent.acked);
    return sent;
  };
  // The module applies a time correction it receives (0xFF + int64 LE seconds to add).
  auto apply_answer = [&](const auto& sent) {
    auto answer = wait_answer(gateway, sent);
    REQUIRE(answer);
    auto received = device.receive_downlink(phy_payload_of(*answer));
    REQUIRE(received);
    if (received->fport == 4 && received->payload.size() == 9 && received->payload[0] == 0xFF) {
      std::int64_t correction = 0;
      for (int i = 0; i < 8; ++i) correction |= static_cast<std::int64_t>(received->payload[1 + i]) << (8 * i);
      clock_offset += correction;
      return std::optional<std::int64_t>(correction);
    }
    return std::optional<std::int64_t>();
  };

  // Two hours before the first day: the module snapshots on its own hour, 120 s early in truth.
  auto first = send(kDay0 - 7200 - clock_offset, current(static_cast<std::uint32_t>(kDay0 - 7200), litres), 2);
  CHECK(apply_answer(first) == -120);  // the correction goes out in the same uplink's RX1
  CHECK(clock_offset == 0);
  // Then hourly CURRENT packets, 10 L per hour, through 2026-11-22T00:00 local.
  for (std::int64_t t = kDay0 - 3600; t <= kDay0 + 48 * 3600; t += 3600) {
    litres += 10;
    send(t, current(static_cast<std::uint32_t>(t + clock_offset), litres), 2);
  }
  // An archive packet repeating the last eight hours (start register + 8 increments).
  {
    send(kDay0 + 48 * 3600 + 300,
         test::karat::archive(static_cast<std::uint32_t>(kDay0 + 40 * 3600), litres - 80,
                              std::vector<std::uint16_t>(8, 10)),
         2);
  }
  // A time request: a clock now right gets a zero correction, in the request's own RX1.
  {
    auto sent = send(kDay0 + 48 * 3600 + 600,
                     test::karat::time_request(static_cast<std::uint32_t>(kDay0 + 48 * 3600 + 600)), 4);
    CHECK(apply_answer(sent) == 0);
  }
  // A leak, reported at once, then a CURRENT packet with the flag clear.
  send(kDay0 + 48 * 3600 + 900, current(static_cast<std::uint32_t>(kDay0 + 48 * 3600 + 900), litres, 0x0002, 0x03), 2);
  send(kDay0 + 49 * 3600, current(static_cast<std::uint32_t>(kDay0 + 49 * 3600), litres + 10), 2);

  auto ups = net.wait_events("up", kDevEui, 55, 20s);
  REQUIRE(ups.size() == 55);  // 52 CURRENT/ALARM + archive + time request + final CURRENT
  auto alarms = net.wait_events("alarm", kDevEui, 2, 5s);
  REQUIRE(alarms.size() == 2);
  CHECK(alarms[0]["kind"] == "leak");
  CHECK(alarms[0]["state"] == "open");
  CHECK(alarms[1]["kind"] == "leak");
  CHECK(alarms[1]["state"] == "closed");

  // The first reading was taken 120 s before the module's 22:00; it is stored at the true time.
  const auto db = net.database();
  CHECK(sqlite_query(db, "SELECT measured_at, flags FROM reading ORDER BY measured_at LIMIT 1") ==
        std::to_string(kDay0 - 7200 - 120) + "|measured,clock-corrected\n");
  // 51 hourly readings + the alarm packet's and the last CURRENT's; the archive added nothing.
  CHECK(sqlite_query(db, "SELECT COUNT(*) FROM reading") == "53\n");
  CHECK(sqlite_query(db,
                     "SELECT COUNT(*) FROM (SELECT measured_at FROM reading GROUP BY measured_at HAVING COUNT(*) > 1) "
                     "AS repeated") == "0\n");

  auto csv = run({executable_from_env("UCHETCTL"), "--db", db, "readings", lorawan::eui64_to_string(kDevEui), "--grid",
                  "day", "--format", "csv", "--from", "2026-11-20", "--to", "2026-11-22"});
  INFO(csv.err << net.uchetd_log());
  REQUIRE(csv.exit_code == 0);
  // 1000 L at 22:00 the day before, +10 L each hour: 1020 L at 20 Nov 00:00, 1260 L and 1500 L
  // at the next two midnights.
  CHECK(
      csv.out ==
      "start,end,quantity,resource,channel,unit,start_value,start_method,end_value,end_method,consumption,note\r\n"
      "2026-11-20T00:00:00+05:00,2026-11-21T00:00:00+05:00,volume,cold_water,1,m3,1.02,measured,1.26,measured,0.24,\r\n"
      "2026-11-21T00:00:00+05:00,2026-11-22T00:00:00+05:00,volume,cold_water,1,m3,1.26,measured,1.5,measured,0.24,"
      "\r\n");
}
