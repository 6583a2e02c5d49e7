#pragma once
// A building of KARAT-926LW cold-water meters fed through the real application server (frames
// as the network server hands them over) into a real SQLite file, for the metering-domain
// reference scenarios. The "world" is simulated here: each meter's register is the sum of the
// litres its flat used, reported at every local midnight; uchetctl is then run as a process.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>

#include "appserver/application_server.h"
#include "schema/applications.h"
#include "schema/devices.h"
#include "schema/objects.h"
#include "tests/support/karat_packets.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

namespace uchet::test {

// 2026-10-01T00:00:00+05:00 (Asia/Yekaterinburg, no DST) = 2026-09-30T19:00:00Z.
constexpr std::int64_t kOct1 = 1790794800;
constexpr std::int64_t kDaySeconds = 86400;
inline std::int64_t day_start(int d) { return kOct1 + d * kDaySeconds; }  // d = 0 is 1 October
inline int weekday_index(int d) { return ((d % 7) + 7) % 7; }

struct Building {
  TempDir dir;
  std::string path = uchet::test::test_database_location(dir.path());
  schema::Database db = schema::Database::open(path);
  appserver::ApplicationServer app;
  std::int64_t application_id = schema::insert_application(db, "water", "");
  schema::MeteringObject object;
  std::map<lorawan::Eui64, schema::Device> devices;
  std::vector<gateway_bridge::Reception> rx = std::vector<gateway_bridge::Reception>(1);
  std::uint32_t f_cnt = 0;

  Building() {
    object.name = "lenina-5";
    object.time_zone = "Asia/Yekaterinburg";
    object.fias_house_guid = "0c5b2444-70a0-4932-980c-b4dc0d3f02b5";
    schema::add_object(db, object);
    rx[0].gateway_eui = 0xAA555A0000000001;
    rx[0].frequency_hz = 868900000;
    rx[0].data_rate = gateway_bridge::LoraRate{7, 125};
  }

  lorawan::Eui64 add_device(lorawan::Eui64 eui) {
    schema::Device d;
    d.dev_eui = eui;
    d.application_id = application_id;
    d.application = "water";
    d.codec = "karat-926lw";
    d.serial = "K" + std::to_string(eui & 0xFFFF);
    d.join_eui = 1;
    d.app_key = lorawan::Key{};
    schema::insert_device(db, d, std::nullopt);
    devices[eui] = d;
    return eui;
  }

  std::int64_t add_point(const std::string& name, const std::string& level, std::optional<std::int64_t> premise) {
    schema::MeteringPoint p;
    p.object_id = object.id;
    p.name = name;
    p.resource = "cold_water";
    p.level = level;
    p.premise_id = premise;
    return schema::add_point(db, p);
  }

  std::int64_t add_premise(const std::string& number) {
    schema::Premise p;
    p.object_id = object.id;
    p.number = number;
    p.kind = "residential";
    p.account = "LS-" + number;
    return schema::add_premise(db, p);
  }

  void install(lorawan::Eui64 eui, std::int64_t point, std::int64_t at, double reading_m3) {
    schema::MeterInstallation i;
    i.point_id = point;
    i.dev_eui = eui;
    i.installed_at = at;
    i.installed_reading = reading_m3;
    schema::add_installation(db, i);
  }

  // A CURRENT packet stamped `device_time` with the register in litres, from a module whose
  // clock is right (the packet's time is when it was sent).
  void report(lorawan::Eui64 eui, std::int64_t device_time, std::uint32_t litres) {
    netserver::UplinkEvent e;
    e.deduplication_id = "f" + std::to_string(f_cnt);
    e.received_at = netserver::SystemTime(std::chrono::seconds(device_time));
    e.network_time = e.received_at;
    e.device = &devices.at(eui);
    e.f_cnt = f_cnt++;
    e.f_port = 2;
    e.data = karat::current(static_cast<std::uint32_t>(device_time), litres);
    e.phy_payload_size = e.data.size() + 13;
    e.receptions = &rx;
    schema::Transaction tx(db);
    auto work = tx.work();
    app.uplink(work, e);
    tx.commit();
  }

  // Runs the real uchetctl on this database; stdout parsed as JSON.
  nlohmann::json uchetctl_json(std::vector<std::string> args) const {
    args.insert(args.begin(), {executable_from_env("UCHETCTL"), "--db", path});
    auto r = run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  }
};

}  // namespace uchet::test

namespace karat = uchet::test::karat;
