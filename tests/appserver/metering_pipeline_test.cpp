// The application server's path from an accepted uplink to meter data, against a real SQLite
// file: raw frame, readings on the corrected time base, clock correction downlinks, alarms,
// idempotent archives, and what `uchetctl readings --grid day --format csv` prints from it.
#include <catch2/catch.hpp>

#include "appserver/application_server.h"
#include "netserver/lorawan/encoding.h"
#include "schema/applications.h"
#include "schema/downlink_queue.h"
#include "schema/objects.h"
#include "schema/statement.h"
#include "tests/support/karat_packets.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet;

namespace {

namespace karat = test::karat;

struct Fixture {
  test::TempDir dir;
  std::string path = uchet::test::test_database_location(dir.path());
  schema::Database db = schema::Database::open(path);
  schema::Device device;
  std::vector<gateway_bridge::Reception> rx = std::vector<gateway_bridge::Reception>(1);
  appserver::ApplicationServer app;
  std::uint32_t f_cnt = 0;

  Fixture() {
    auto app_id = schema::insert_application(db, "water", "");
    device.dev_eui = 0x0011223344556677;
    device.application_id = app_id;
    device.application = "water";
    device.codec = "karat-926lw";
    device.join_eui = 1;
    device.app_key = lorawan::Key{};
    schema::insert_device(db, device, std::nullopt);
    rx[0].gateway_eui = 0xAA555A0000000001;
    rx[0].frequency_hz = 868900000;
    rx[0].data_rate = gateway_bridge::LoraRate{7, 125};
  }

  // An uplink accepted at true (network) time `network_time`.
  void uplink(std::uint8_t f_port, const lorawan::Bytes& payload, std::int64_t network_time) {
    netserver::UplinkEvent e;
    e.deduplication_id = "id-" + std::to_string(f_cnt);
    e.received_at = netserver::SystemTime(std::chrono::seconds(network_time));
    e.network_time = e.received_at;
    e.device = &device;
    e.f_cnt = f_cnt++;
    e.f_port = f_port;
    e.data = payload;
    e.phy_payload_size = payload.size() + 13;
    e.receptions = &rx;
    schema::Transaction tx(db);
    auto work = tx.work();
    app.uplink(work, e);
    tx.commit();
  }

  std::int64_t count(const std::string& sql) {
    schema::Statement q(db, sql);
    q.step();
    return q.int64(0);
  }
};

// 2026-11-20T00:00:00+05:00 (Asia/Yekaterinburg) = 2026-11-19T19:00:00Z.
constexpr std::int64_t kDay0 = 1795114800;

}  // namespace

TEST_CASE("a clock 120 s fast is tracked, corrected and told its correction") {
  Fixture f;
  // CURRENT at device 01:00 (true 00:58:00), sent right away; SF7 airtime ~62 ms is subtracted.
  f.uplink(2, karat::current(kDay0 + 3600, 1000), kDay0 + 3600 - 120);
  auto queue = schema::pending_downlinks(f.db, f.device.dev_eui, kDay0);
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].f_port == 4);
  // 0xFF then int64 LE −120.
  CHECK(lorawan::to_hex(queue[0].data) == "ff88ffffffffffffff");
  CHECK(queue[0].clock_correction);  // goes at the clock-correction tier when airtime is short
  schema::Statement q(f.db, "SELECT measured_at, flags, value FROM reading");
  REQUIRE(q.step());
  CHECK(q.int64(0) == kDay0 + 3600 - 120);
  CHECK(q.text(1) == "measured,clock-corrected");
  CHECK(q.real(2) == Approx(1.0));
  // A second fast packet within the hour queues no second correction.
  f.uplink(2, karat::current(kDay0 + 7200, 1010), kDay0 + 7200 - 120);
  CHECK(schema::pending_downlinks(f.db, f.device.dev_eui, kDay0).size() == 1);
}

TEST_CASE("a time request is answered with network time minus device time") {
  Fixture f;
  f.uplink(4, karat::time_request(static_cast<std::uint32_t>(kDay0 + 500)), kDay0 + 200);
  auto queue = schema::pending_downlinks(f.db, f.device.dev_eui, kDay0);
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].f_port == 4);
  CHECK(lorawan::to_hex(queue[0].data) == "ffd4feffffffffffff");  // −300
}

TEST_CASE("an M-Bus packet carrying a time never gets a KARAT clock correction") {
  // Before the codec registry declared clock behaviour, the metering stage treated every
  // "current" packet with a time as a KARAT one and queued the 0xFF time correction on fPort 4.
  Fixture f;
  f.device.codec = "mbus";
  schema::Statement(f.db, "UPDATE device SET codec = 'mbus'").step();
  // CI 0x78; volume 1000 l; date-time (type F) 2014-03-13T11:11 — years off the network time.
  const lorawan::Bytes telegram{0x78, 0x04, 0x13, 0xE8, 0x03, 0x00, 0x00, 0x04, 0x6D, 0x0B, 0x0B, 0xCD, 0x13};
  f.uplink(2, telegram, kDay0);
  f.uplink(2, telegram, kDay0 + 3 * 24 * 3600);
  CHECK(f.count("SELECT COUNT(*) FROM reading") >= 1);  // decoded and metered, not rejected
  CHECK(schema::pending_downlinks(f.db, f.device.dev_eui, kDay0).empty());
}

TEST_CASE("readings without a device clock go to the nearest reporting boundary") {
  Fixture f;
  f.uplink(2, karat::current(0, 500), kDay0 + 3600 + 95);
  schema::Statement q(f.db, "SELECT measured_at, flags FROM reading");
  REQUIRE(q.step());
  CHECK(q.int64(0) == kDay0 + 3600);
  CHECK(q.text(1) == "measured,clock-unknown");
}

TEST_CASE("archive packets repeating hours add nothing twice, and alarms open and close") {
  Fixture f;
  // Device clock right: hourly CURRENT packets 01:00..03:00, 1000 L + 10 L/h.
  for (int h = 1; h <= 3; ++h) f.uplink(2, karat::current(kDay0 + h * 3600, 1000 + 10 * (h - 1)), kDay0 + h * 3600);
  CHECK(f.count("SELECT COUNT(*) FROM reading") == 3);
  // Archive from 00:00: 990 L then +10 per hour for 4 hours (repeats 01:00–03:00, adds 00:00 and 04:00).
  f.uplink(2, karat::archive(kDay0, 990, {10, 10, 10, 10}), kDay0 + 4 * 3600 + 30);
  CHECK(f.count("SELECT COUNT(*) FROM reading") == 5);
  f.uplink(2, karat::archive(kDay0, 990, {10, 10, 10, 10}), kDay0 + 4 * 3600 + 60);
  CHECK(f.count("SELECT COUNT(*) FROM reading") == 5);
  CHECK(f.count("SELECT COUNT(DISTINCT channel) FROM reading") == 1);

  f.uplink(2, karat::current(kDay0 + 5 * 3600, 1040, 0x0002, 3), kDay0 + 5 * 3600);  // ALARM: leak
  CHECK(f.count("SELECT COUNT(*) FROM alarm WHERE kind = 'leak' AND closed_at IS NULL") == 1);
  f.uplink(2, karat::current(kDay0 + 6 * 3600, 1050, 0x0002), kDay0 + 6 * 3600);  // still leaking
  CHECK(f.count("SELECT COUNT(*) FROM alarm") == 1);
  f.uplink(2, karat::current(kDay0 + 7 * 3600, 1060), kDay0 + 7 * 3600);  // clear
  CHECK(f.count("SELECT COUNT(*) FROM alarm WHERE kind = 'leak' AND closed_at = " + std::to_string(kDay0 + 7 * 3600)) ==
        1);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE topic LIKE '%/event/alarm'") == 2);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE topic LIKE '%/event/up'") == 8);
}

TEST_CASE("a codec error keeps the raw frame and publishes a log event") {
  Fixture f;
  f.uplink(2, {0x01, 0x02}, kDay0);
  CHECK(f.count("SELECT COUNT(*) FROM uplink_frame") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM reading") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM outbox WHERE topic LIKE '%/event/log' AND payload LIKE '%UPLINK_CODEC%'") == 1);
}

TEST_CASE("silence opens an alarm after three reporting periods and the next uplink closes it") {
  Fixture f;
  f.uplink(2, karat::current(kDay0, 1000), kDay0);
  f.app.check_silence(f.db, kDay0 + 3 * 86400 - 1);
  CHECK(f.count("SELECT COUNT(*) FROM alarm WHERE kind = 'silent'") == 0);
  f.app.check_silence(f.db, kDay0 + 3 * 86400);
  CHECK(f.count("SELECT COUNT(*) FROM alarm WHERE kind = 'silent' AND closed_at IS NULL") == 1);
  f.app.check_silence(f.db, kDay0 + 4 * 86400);
  CHECK(f.count("SELECT COUNT(*) FROM alarm WHERE kind = 'silent'") == 1);
  f.uplink(2, karat::current(kDay0 + 4 * 86400, 1100), kDay0 + 4 * 86400);
  CHECK(f.count("SELECT COUNT(*) FROM alarm WHERE kind = 'silent' AND closed_at IS NOT NULL") == 1);
}

TEST_CASE("uchetctl prints day-grid values and daily consumption from the stored readings") {
  Fixture f;
  // Two days of hourly readings at 10 L/h from 1000 L at day 0 00:00, then one at day 2 00:00.
  for (int h = 0; h <= 48; ++h) f.uplink(2, karat::current(kDay0 + h * 3600, 1000 + 10 * h), kDay0 + h * 3600);
  auto r = test::run({test::executable_from_env("UCHETCTL"), "--db", f.path, "readings", "0011223344556677", "--grid",
                      "day", "--format", "csv", "--from", "2026-11-20", "--to", "2026-11-22"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "start,end,quantity,resource,channel,unit,start_value,start_method,end_value,end_method,consumption,note\r\n"
        "2026-11-20T00:00:00+05:00,2026-11-21T00:00:00+05:00,volume,cold_water,1,m3,1,measured,1.24,measured,0.24,\r\n"
        "2026-11-21T00:00:00+05:00,2026-11-22T00:00:00+05:00,volume,cold_water,1,m3,1.24,measured,1.48,measured,0.24,"
        "\r\n");
}

TEST_CASE("uchetctl redecode replaces derived readings idempotently and alarms lists what opened") {
  Fixture f;
  for (int h = 0; h < 3; ++h)
    f.uplink(2, karat::current(kDay0 + h * 3600, 1000 + 10 * h, h == 1 ? 0x0002 : 0), kDay0 + h * 3600);
  const auto ctl = test::executable_from_env("UCHETCTL");
  auto readings_before = f.count("SELECT COUNT(*) FROM reading");
  REQUIRE(readings_before == 3);
  // A reading edited behind uchet's back is restored by re-decoding the stored frame.
  f.db.exec("UPDATE reading SET value = 99 WHERE measured_at = " + std::to_string(kDay0));
  auto r = test::run({ctl, "--db", f.path, "--json", "redecode", "--all"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["frames"] == 3);
  CHECK(j["decoded"] == 3);
  CHECK(j["readings"] == 3);
  CHECK(f.count("SELECT COUNT(*) FROM reading") == 3);
  CHECK(f.count("SELECT COUNT(*) FROM reading WHERE value = 99") == 0);
  auto again = test::run({ctl, "--db", f.path, "redecode", "--device", "0011223344556677"});
  CHECK(again.exit_code == 0);
  CHECK(f.count("SELECT COUNT(*) FROM reading") == 3);
  CHECK(test::run({ctl, "--db", f.path, "redecode"}).exit_code == 2);
  CHECK(test::run({ctl, "--db", f.path, "redecode", "--device", "0011223344556699"}).exit_code == 2);

  auto alarms = test::run({ctl, "--db", f.path, "--json", "alarms", "--device", "0011223344556677"});
  REQUIRE(alarms.exit_code == 0);
  auto list = nlohmann::json::parse(alarms.out);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["kind"] == "leak");
  CHECK(list[0]["openedAt"] == "2026-11-20T01:00:00+05:00");
  CHECK(list[0]["closedAt"] == "2026-11-20T02:00:00+05:00");
  auto open = test::run({ctl, "--db", f.path, "--json", "alarms", "--open"});
  CHECK(nlohmann::json::parse(open.out).empty());
  CHECK(test::run({ctl, "--db", f.path, "alarms", "--since", "yesterday"}).exit_code == 2);
}

TEST_CASE("the day grid follows the application's own time zone") {
  Fixture f;
  f.db.exec("UPDATE application SET time_zone = 'Europe/Moscow' WHERE name = 'water'");
  // Moscow midnight is 02:00 in Yekaterinburg: readings every hour from kDay0 (Yekaterinburg 00:00).
  for (int h = 0; h <= 50; ++h) f.uplink(2, karat::current(kDay0 + h * 3600, 1000 + 10 * h), kDay0 + h * 3600);
  auto r = test::run({test::executable_from_env("UCHETCTL"), "--db", f.path, "readings", "0011223344556677", "--grid",
                      "day", "--format", "csv", "--from", "2026-11-20", "--to", "2026-11-21"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out ==
        "start,end,quantity,resource,channel,unit,start_value,start_method,end_value,end_method,consumption,note\r\n"
        "2026-11-20T00:00:00+03:00,2026-11-21T00:00:00+03:00,volume,cold_water,1,m3,1.02,measured,1.26,measured,0.24,"
        "\r\n");
}

TEST_CASE("each reading carries its packet's device status, and register_rollback when it fell on arrival") {
  Fixture f;
  const auto status_at = [&](std::int64_t t) {
    schema::Statement q(f.db, "SELECT status FROM reading WHERE measured_at = ?");
    q.bind(1, t);
    REQUIRE(q.step());
    return q.text(0);
  };
  // Day 0: 1000 L, clean. Day 1: 1100 L with sensor_fault (bit 4) and low battery (bit 5).
  f.uplink(2, karat::current(kDay0, 1000), kDay0);
  f.uplink(2, karat::current(kDay0 + 86400, 1100, 0x0030), kDay0 + 86400);
  CHECK(status_at(kDay0) == "");
  CHECK(status_at(kDay0 + 86400) == "sensor_fault,low_battery");  // in the alarm kinds' order
  // Day 2: 900 L, below day 1: register_rollback (the misread-or-restart question is the grid's).
  f.uplink(2, karat::current(kDay0 + 2 * 86400, 900), kDay0 + 2 * 86400);
  CHECK(status_at(kDay0 + 2 * 86400) == "register_rollback");
  // Day 3: 1300 L, above day 2: nothing.
  f.uplink(2, karat::current(kDay0 + 3 * 86400, 1300), kDay0 + 3 * 86400);
  CHECK(status_at(kDay0 + 3 * 86400) == "");
  // Day 4: the register passed its maximum (2^32 L): 4294967000 L then 500 L on day 5 is 796 L
  // forward, an overflow, not a rollback.
  f.uplink(2, karat::current(kDay0 + 4 * 86400, 4294967000u), kDay0 + 4 * 86400);
  f.uplink(2, karat::current(kDay0 + 5 * 86400, 500), kDay0 + 5 * 86400);
  CHECK(status_at(kDay0 + 5 * 86400) == "");
  // The meter is installed somewhere on day 6 (its register restarted at 0): day 6's 10 L is
  // below day 5's 500 L, but the installation in between explains it.
  schema::MeteringObject object;
  object.name = "o";
  schema::add_object(f.db, object);
  schema::MeteringPoint point;
  point.object_id = object.id;
  point.name = "p";
  point.resource = "cold_water";
  point.level = "building";
  schema::add_point(f.db, point);
  schema::MeterInstallation inst;
  inst.point_id = point.id;
  inst.dev_eui = f.device.dev_eui;
  inst.installed_at = kDay0 + 6 * 86400 - 3600;
  inst.installed_reading = 0.0;
  schema::add_installation(f.db, inst);
  f.uplink(2, karat::current(kDay0 + 6 * 86400, 10), kDay0 + 6 * 86400);
  CHECK(status_at(kDay0 + 6 * 86400) == "");

  // uchetctl readings shows the status beside the quality flags.
  auto r = test::run({test::executable_from_env("UCHETCTL"), "--db", f.path, "readings",
                      lorawan::eui64_to_string(f.device.dev_eui), "--format", "csv", "--from",
                      "2026-11-21T00:00:00+05:00", "--to", "2026-11-22T00:00:00+05:00"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("measured_at,quantity,resource,channel,storage,tariff,value,unit,flags,status,"
                                      "received_at\r\n"));
  CHECK_THAT(r.out, Catch::Contains(",1.1,m3,\"measured,clock-corrected\",\"sensor_fault,low_battery\","));
  CHECK_THAT(r.out, Catch::Contains(",0.9,m3,\"measured,clock-corrected\",register_rollback,"));
}
