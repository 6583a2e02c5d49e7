// uchetctl migrate as an operator runs it: a building fed through the real application server
// into an SQLite file (frames, readings, outbox rows, clocks, alarms; lifecycle events and objects
// through uchetctl) is moved to a fresh PostgreSQL database of the test cluster and back, and
// uchetctl reads the same on all three; the refusals (a database in use, a target that is not
// empty, a source at another version, a value of the wrong type) write nothing; the DSN's
// password is never printed.
#include <catch2/catch.hpp>

#include <filesystem>

#include "netserver/lorawan/encoding.h"
#include "schema/alarms.h"
#include "schema/balances.h"
#include "schema/database_lock.h"
#include "schema/downlink_queue.h"
#include "schema/http_outbox.h"
#include "schema/outbox.h"
#include "schema/sessions.h"
#include "tests/appserver/metering/scenarios/domain_fixture.h"

using namespace uchet;
using test::day_start;

namespace {

constexpr lorawan::Eui64 kBase = 0x70B3D50000000000;

test::RunResult uchetctl(const std::string& db, std::vector<std::string> args) {
  args.insert(args.begin(), {test::executable_from_env("UCHETCTL"), "--db", db});
  return test::run(args);
}

nlohmann::json uchetctl_json(const std::string& db, std::vector<std::string> args) {
  args.insert(args.begin(), "--json");
  auto r = uchetctl(db, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

// A building meter and three flats reporting every midnight for ten days of October, one flat
// meter replaced, lifecycle events recorded.
void play(test::Building& b) {
  const auto house_point = b.add_point("odpu-cw", "building", std::nullopt);
  b.add_device(kBase + 100);
  b.install(kBase + 100, house_point, day_start(-1), 500.0);
  for (int k = 1; k <= 3; ++k) {
    const auto premise = b.add_premise(std::to_string(k));
    const auto point = b.add_point("kv" + std::to_string(k) + "-cw", "premise", premise);
    b.add_device(kBase + k);
    b.install(kBase + k, point, day_start(-1), k * 1.0);
  }
  std::uint32_t house = 500000;
  for (int d = 0; d <= 10; ++d) {
    b.report(kBase + 100, day_start(d), house);
    for (int k = 1; k <= 3; ++k) b.report(kBase + k, day_start(d), static_cast<std::uint32_t>(1000 * k + 150 * k * d));
    house += 1000;
  }
  auto ctl = [&](std::vector<std::string> args) {
    auto r = uchetctl(b.path, args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };
  for (int k = 1; k <= 3; ++k) {
    const auto eui = lorawan::eui64_to_string(kBase + k);
    for (const char* kind : {"installed", "commissioned"}) {
      ctl({"lifecycle", "add", eui, "--event", kind, "--at", "2026-09-30T08:00:00Z", "--actor", "УК Уют", "--role",
           "service-company"});
    }
  }
  ctl({"gateway", "add", "AA555A0000000001", "--name", "roof", "--lat", "56.8389", "--lon", "60.6057"});
  ctl({"norm", "set", "lenina-5", "--resource", "cold_water", "--per-month", "6.9"});
  ctl({"reading", "set", lorawan::eui64_to_string(kBase + 2), "--quantity", "volume", "--at",
       "2026-10-05T10:00:00+05:00", "--value", "3.1", "--reason", "inspection act 17"});
  // What uchetd's network server and jobs write, through the same stores: a joined session with its
  // DevNonce, device and object alarms, a published balance day, a queued downlink, and an HTTP
  // endpoint whose outbox the outbox trigger fills.
  schema::DeviceSession s;
  s.dev_eui = kBase + 1;
  s.dev_addr = 0x26011234;
  s.f_cnt_up = 11;
  s.last_uplink_at = day_start(10);
  schema::save_session(b.db, s);
  schema::record_dev_nonce(b.db, kBase + 1, 1, 513);
  schema::open_alarm(b.db, kBase + 3, "silence", day_start(9), std::nullopt);
  schema::open_object_alarm(b.db, b.object.id, "imbalance", "cold_water", day_start(8));
  schema::insert_balance_day(b.db, b.object.id, "cold_water", day_start(1), 10.0);
  schema::QueueItem q;
  q.dev_eui = kBase + 1;
  q.f_port = 3;
  q.data = {1, 2, 3};
  q.created_at = day_start(10);
  schema::enqueue_downlink(b.db, q);
  schema::sync_http_endpoints(b.db, {"https://billing.example/uchet"});
  schema::insert_outbox_row(b.db, "application/water/device/x/event/log", "{\"level\":\"INFO\"}");
}

// Tables the play above must have filled, so the copy is tried on each.
const std::vector<std::string> kFilled = {"alarm",
                                          "balance_day",
                                          "billing_norm",
                                          "dev_nonce",
                                          "device",
                                          "device_clock",
                                          "device_session",
                                          "downlink_queue",
                                          "gateway",
                                          "http_endpoint",
                                          "http_outbox",
                                          "lifecycle_event",
                                          "manual_reading",
                                          "meter_installation",
                                          "object_alarm",
                                          "outbox",
                                          "queue_item_id_used",
                                          "reading",
                                          "uplink_frame"};

// What an operator reads: the same through uchetctl on every copy.
std::vector<nlohmann::json> readout(const std::string& db) {
  return {
      uchetctl_json(db, {"device", "list"}),
      uchetctl_json(db, {"gateway", "list"}),
      uchetctl_json(db, {"balance", "lenina-5", "--resource", "cold_water", "--from", "2026-10-01", "--to",
                         "2026-10-10", "--format", "json"}),
      uchetctl_json(db, {"alarms", "--object", "lenina-5", "--tz", "Asia/Yekaterinburg"}),
      uchetctl_json(db, {"alarms"}),
      uchetctl_json(db, {"readings", lorawan::eui64_to_string(kBase + 1), "--grid", "day", "--format", "json"}),
      uchetctl_json(db, {"lifecycle", "show", lorawan::eui64_to_string(kBase + 2)}),
      uchetctl_json(db, {"reading", "edits", lorawan::eui64_to_string(kBase + 2)}),
      uchetctl_json(db, {"norm", "list", "lenina-5"}),
      uchetctl_json(db, {"device", "show", lorawan::eui64_to_string(kBase + 1)}),
      uchetctl_json(
          db, {"fleet", "report", "--app", "water", "--from", "2026-10-01T00:00:00Z", "--to", "2026-10-10T00:00:00Z"}),
  };
}

std::map<std::string, std::string> checksums(const nlohmann::json& report) {
  std::map<std::string, std::string> sums;
  for (const auto& t : report["tables"]) sums[t["table"]] = t["sourceChecksum"];
  return sums;
}

}  // namespace

TEST_CASE("a building moved to PostgreSQL and back reads the same, with the same checksums") {
  test::Building b;
  play(b);
  const auto pg = test::new_postgresql_database();
  const auto before = readout(b.path);

  auto over = uchetctl(b.path, {"--json", "migrate", "--to-postgresql", pg});
  INFO(over.err);
  REQUIRE(over.exit_code == 0);
  const auto there = nlohmann::json::parse(over.out);
  CHECK(there["verified"] == true);
  std::map<std::string, std::int64_t> rows;
  for (const auto& t : there["tables"]) {
    INFO(t.dump());
    CHECK(t["match"] == true);
    CHECK(t["sourceRows"] == t["targetRows"]);
    rows[t["table"]] = t["targetRows"];
  }
  for (const auto& table : kFilled) {
    INFO(table);
    CHECK(rows[table] > 0);
  }
  CHECK(rows["reading"] >= 44);
  CHECK_THAT(over.err, Catch::Contains("uchetctl migrate: reading "));
  // progress on stderr
  CHECK(readout(pg) == before);

  const auto back_path = b.dir.file("back.db");
  auto back = uchetctl(pg, {"--json", "migrate", "--to-sqlite", back_path});
  INFO(back.err);
  REQUIRE(back.exit_code == 0);
  const auto returned = nlohmann::json::parse(back.out);
  CHECK(returned["verified"] == true);
  CHECK(checksums(returned) == checksums(there));
  CHECK(readout(back_path) == before);

  // The text form: one line per table and the sentence saying the source is unchanged.
  auto text = uchetctl(b.path, {"migrate", "--to-postgresql", test::new_postgresql_database()});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("device_session") && Catch::Contains("match") &&
                           Catch::Contains("every table's rows and checksum match"));
}

TEST_CASE("migrate refuses a database in use, a target that is not empty and a source at another version") {
  test::Building b;
  play(b);
  const auto pg = test::new_postgresql_database();
  const auto tables_in = [](const std::string& uri) {
    return uchetctl_json(uri, {"storage", "stats"})["tables"].size();
  };
  SECTION("uchetd running on the source") {
    auto held = schema::DatabaseLock::acquire(b.path, "uchetd");
    REQUIRE(held);
    auto r = uchetctl(b.path, {"migrate", "--to-postgresql", pg});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("held by uchetd") && Catch::Contains("stop uchetd first"));
    CHECK(tables_in(pg) == 0);
  }
  SECTION("uchetd running on the PostgreSQL target, or on a PostgreSQL source being moved back") {
    auto held = schema::DatabaseLock::acquire(pg, "uchetd");
    REQUIRE(held);
    auto over = uchetctl(b.path, {"migrate", "--to-postgresql", pg});
    CHECK(over.exit_code == 2);
    CHECK_THAT(over.err, Catch::Contains("held by uchetd"));
    CHECK(tables_in(pg) == 0);
    auto back = uchetctl(pg, {"migrate", "--to-sqlite", b.dir.file("back.db")});
    CHECK(back.exit_code == 2);
    CHECK_THAT(back.err, Catch::Contains("held by uchetd") && Catch::Contains("stop uchetd first"));
    CHECK_FALSE(std::filesystem::exists(b.dir.file("back.db")));
  }
  SECTION("a target that already holds a uchet database") {
    REQUIRE(uchetctl(pg, {"application", "add", "heat"}).exit_code == 0);
    auto r = uchetctl(b.path, {"migrate", "--to-postgresql", pg});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("the target is not empty") && Catch::Contains("nothing was written"));
    CHECK(uchetctl_json(pg, {"application", "list"}).size() == 1);
  }
  SECTION("a source one migration behind") {
    REQUIRE(test::run({"/usr/bin/sqlite3", b.path,
                       "DELETE FROM schema_version WHERE version = (SELECT MAX(version) "
                       "FROM schema_version)"})
                .exit_code == 0);
    auto r = uchetctl(b.path, {"migrate", "--to-postgresql", pg});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("bring the source up first"));
    CHECK(tables_in(pg) == 0);
  }
  SECTION("a reading whose value is text") {
    REQUIRE(test::run({"/usr/bin/sqlite3", b.path, "UPDATE reading SET value = 'n/a' WHERE id = 3"}).exit_code == 0);
    auto r = uchetctl(b.path, {"migrate", "--to-postgresql", pg});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("table reading, row id 3, column value holds a text where its type is real"));
    CHECK(tables_in(pg) == 0);
  }
  SECTION("moving back into a file that exists, or onto the same engine") {
    auto exists = uchetctl(pg, {"migrate", "--to-sqlite", b.path});
    CHECK(exists.exit_code == 2);
    CHECK_THAT(exists.err, Catch::Contains("never overwrites"));
    auto same = uchetctl(b.path, {"migrate", "--to-sqlite", b.dir.file("other.db")});
    CHECK(same.exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(b.dir.file("other.db")));
  }
}

TEST_CASE("migrate never prints the DSN's password") {
  test::Building b;
  // A server that is not there, with a password in the URI: the error names the host, not it.
  auto r = uchetctl(b.path, {"migrate", "--to-postgresql", "postgresql://uchet:hunter2@127.0.0.1:1/uchet"});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, !Catch::Contains("hunter2"));
  CHECK_THAT(r.out, !Catch::Contains("hunter2"));
  CHECK_THAT(r.err, Catch::Contains("***"));
}
