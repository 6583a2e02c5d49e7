// Backup and restore end to end: `uchetctl backup` while uchetd stores a stream of uplinks,
// `uchetctl restore` refused while uchetd holds the database, then restore, restart, and the
// network goes on from the backup: the device's frame counter intact (an old frame replayed is
// refused, the next one accepted) and no event published twice except the rows the backup's
// outbox still held — the at-least-once window the README states.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "tests/e2e/network_fixture.h"
#include "tests/support/http_client.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000b01;

}  // namespace

// uchetctl backup and restore work on SQLite files; PostgreSQL has pg_dump / pg_basebackup (refusal tested in
// uchetctl).
TEST_CASE("backup under load, restore refused while uchetd runs, restore and restart: counters and events intact",
          "[sqlite-only]") {
  OneDeviceJoinedOver<OverUdp> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;
  // Ballast, so that the backup takes several steps while the uplinks keep coming.
  net.sql(
      "CREATE TABLE ballast (x BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
      "INSERT INTO ballast SELECT randomblob(4000) FROM n;");

  auto old_frame = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(old_frame);
  REQUIRE(gateway.push(*old_frame, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1).size() == 1);

  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread sender([&] {
    while (!stop) {
      auto frame = device.uplink({.fport = 2, .payload = {0x02}});
      if (frame && gateway.push(*frame, heard()).acked) ++sent;
      std::this_thread::sleep_for(5ms);
    }
  });
  // Twenty frames of the stream stored (their events published) before the backup begins, so
  // that the old frame is well behind the snapshot's counter.
  REQUIRE(net.wait_events("up", kDevEui, 21, 10s).size() >= 21);
  const int before_backup = sent;
  const auto backup = net.database() + ".backup";
  auto made = net.ctl_result({"backup", backup});
  const int during_backup = sent - before_backup;
  std::this_thread::sleep_for(300ms);
  stop = true;
  sender.join();
  INFO("uplinks sent while the backup ran: " << during_backup << "; uchetctl: " << made.out << made.err);
  REQUIRE(made.exit_code == 0);
  CHECK(made.out.find("checked") != std::string::npos);
  auto checked = run({executable_from_env("UCHETCTL"), "--db", backup, "--json", "check"});
  CHECK(checked.exit_code == 0);
  CHECK(nlohmann::json::parse(checked.out)["ok"] == true);

  const auto backup_fcnt = std::stoll(sqlite_query(backup, "SELECT f_cnt_up FROM device_session;"));
  const auto backup_outbox = std::stoll(sqlite_query(backup, "SELECT COUNT(*) FROM outbox;"));
  CHECK(backup_fcnt >= 21);  // the old frame and at least twenty of the stream
  REQUIRE(net.wait_events("up", kDevEui, static_cast<std::size_t>(sent) + 1, 5s).size() ==
          static_cast<std::size_t>(sent) + 1);
  const auto published_before = net.up_fcnts(kDevEui);

  // uchetd holds the database: restoring under it is refused, and nothing changes.
  auto refused = net.ctl_result({"restore", backup});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("held by uchetd") != std::string::npos);

  REQUIRE(net.stop_uchetd(SIGTERM) == 0);
  auto restored = net.ctl_result({"restore", backup});
  INFO(restored.out << restored.err);
  REQUIRE(restored.exit_code == 0);
  CHECK(net.sql_count("SELECT f_cnt_up FROM device_session") == backup_fcnt);
  net.start();

  // An old frame, stored before the backup, is a replay for the restored network.
  REQUIRE(gateway.push(*old_frame, heard()).acked);
  // The device goes on with its own (higher) counter: accepted.
  auto next = device.uplink({.fport = 2, .payload = {0x03}});
  REQUIRE(next);
  REQUIRE(gateway.push(*next, heard()).acked);
  const auto next_fcnt = static_cast<long long>(device.next_fcnt_up() - 1);
  const auto wait_until = std::chrono::steady_clock::now() + 5s;
  std::vector<long long> fcnts;
  while (std::chrono::steady_clock::now() < wait_until) {
    fcnts = net.up_fcnts(kDevEui);
    if (!fcnts.empty() && fcnts.back() == next_fcnt) break;
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(!fcnts.empty());
  CHECK(fcnts.back() == next_fcnt);
  const auto metrics = http_get(net.http_port(), "/metrics").body;
  CHECK(metric_sample(metrics, "uchet_frames_rejected_total{reason=\"replay\"}") == 1);
  CHECK(metric_sample(metrics, "uchet_uplinks_accepted_total") == 1);

  // Published again after the restore: only what the backup's outbox held (not yet acknowledged
  // when the snapshot was taken), never the old frame.
  const std::set<long long> earlier(published_before.begin(), published_before.end());
  long long again = 0;
  for (std::size_t i = published_before.size(); i < fcnts.size(); ++i) {
    if (earlier.contains(fcnts[i])) ++again;
  }
  INFO("events published again: " << again << ", rows in the backup's outbox: " << backup_outbox);
  CHECK(again <= backup_outbox);
  // The old frame's event (acknowledged long before the snapshot) came once, before the restore.
  CHECK(std::count(fcnts.begin(), fcnts.end(), published_before.front()) == 1);
}
