// Resilience of the real uchetd: events survive a broker outage (outbox), a SIGKILL (sessions and
// counters in the database, at-least-once publishing), and a SIGTERM while frames are still in
// the deduplication window.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/test_sql.h"

using namespace uchet;
using namespace uchet::test;
using sim::SimulatedDevice;
using sim::SimulatedGateway;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000f01;

// fCnt -> deduplicationIds of the `up` events carrying it.
std::map<long long, std::set<std::string>> dedup_ids_by_fcnt(const std::vector<nlohmann::json>& ups) {
  std::map<long long, std::set<std::string>> out;
  for (const auto& e : ups) out[e.at("fCnt").get<long long>()].insert(e.at("deduplicationId").get<std::string>());
  return out;
}

// The fCnts in order of first arrival (later duplicates, which at-least-once allows, dropped).
std::vector<long long> first_arrivals(const std::vector<long long>& fcnts) {
  std::vector<long long> out;
  std::set<long long> seen;
  for (auto f : fcnts) {
    if (seen.insert(f).second) out.push_back(f);
  }
  return out;
}

std::vector<long long> range(long long first, long long last) {
  std::vector<long long> out;
  for (auto i = first; i <= last; ++i) out.push_back(i);
  return out;
}

}  // namespace

TEST_CASE("a 30 s broker outage loses no up event: the backlog is published in order after the restart") {
  OneDeviceJoinedOver<OverUdp> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  // fCnt 0 goes through a live broker: uchetd's publisher and the recorder are both connected.
  auto first = device.uplink({.fport = 2, .payload = {0x00}});
  REQUIRE(first);
  REQUIRE(gateway.push(*first, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1, 5s).size() == 1);
  // Nothing on its way when the broker goes (so exact counts are meaningful).
  REQUIRE(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM outbox") == 0; }, 5s));

  net.broker().stop();
  const auto stopped_at = std::chrono::steady_clock::now();
  constexpr int kDuringOutage = 30;  // fCnt 1..30, one a second
  auto next = std::chrono::steady_clock::now();
  for (int i = 1; i <= kDuringOutage; ++i) {
    auto frame = device.uplink({.fport = 2, .payload = {static_cast<std::uint8_t>(i)}});
    REQUIRE(frame);
    INFO("uplink fCnt " << i << " during the outage");
    REQUIRE(gateway.push(*frame, heard()).acked);  // uchetd keeps receiving while the broker is away
    gateway.take_downlinks();
    next += 1s;
    if (i < kDuringOutage) std::this_thread::sleep_until(next);
  }
  // Everything was stored and is waiting in the outbox.
  CHECK(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM uplink_frame") == kDuringOutage + 1; }, 2s));
  CHECK(net.up_fcnts(kDevEui) == std::vector<long long>{0});

  net.broker().start();
  const auto restarted_at = std::chrono::steady_clock::now();
  // uchetd reconnects with backoff (1, 2, 4, 8, 16 s after the disconnect: the attempt at ~31 s
  // finds the broker back); the recorder's persistent session gets the backlog.
  const bool all = eventually(
      [&] {
        std::set<long long> have;
        for (auto f : net.up_fcnts(kDevEui)) have.insert(f);
        return have.size() == kDuringOutage + 1u;
      },
      10s);
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restarted_at);
  const auto fcnts = net.up_fcnts(kDevEui);
  INFO("up events received (fCnt, arrival order): " << join_numbers(fcnts));
  INFO("broker away for " << std::chrono::duration_cast<std::chrono::milliseconds>(restarted_at - stopped_at).count()
                          << " ms (uchetd's reconnect attempts: 1, 3, 7, 15, 31, 61 s after the disconnect), waited "
                          << waited.count() << " ms after the restart");
  CHECK(all);
  CHECK(first_arrivals(fcnts) == range(0, kDuringOutage));  // every one, in order, no gap
  CHECK(fcnts.size() == kDuringOutage + 1u);                // and, with a clean broker stop, once
  CHECK(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM outbox") == 0; }, 3s));
}

// Changed for issue 20: this test and the last run over a Semtech UDP gateway and over a LoRa
// Basics Station gateway alike (the others stay on UDP: docs/basic-station.md, "Tests").
TEMPLATE_TEST_CASE("after SIGKILL and a restart the session survives, replays stay refused, no event is lost", "",
                   OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;
  REQUIRE(net.wait_events("join", kDevEui, 1).size() == 1);

  lorawan::Bytes fcnt4_frame;
  for (int i = 0; i <= 4; ++i) {
    auto frame = device.uplink({.fport = 2, .payload = {static_cast<std::uint8_t>(0x10 + i)}});
    REQUIRE(frame);
    REQUIRE(gateway.push(*frame, heard()).acked);
    if (i == 4) fcnt4_frame = *frame;
  }
  REQUIRE(net.wait_events("up", kDevEui, 5, 5s).size() == 5);

  CHECK(net.stop_uchetd(SIGKILL) == -SIGKILL);
  net.start();
  TestType::open(gateway);  // the new bridge learns the gateway's downlink address, a station reconnects

  // The session (DevAddr, keys, FCntUp 4) came through: fCnt 5 is accepted, no new join.
  auto fifth = device.uplink({.fport = 2, .payload = {0x15}});
  REQUIRE(fifth);
  REQUIRE(gateway.push(*fifth, heard()).acked);
  CHECK(eventually(
      [&] {
        auto f = net.up_fcnts(kDevEui);
        return std::find(f.begin(), f.end(), 5) != f.end();
      },
      5s));

  // A replay of fCnt 4 (the exact frame) is refused; fCnt 6 after it is the barrier: events
  // are published in order, so once 6 is here a published replay would be here too.
  REQUIRE(gateway.push(fcnt4_frame, heard()).acked);
  auto sixth = device.uplink({.fport = 2, .payload = {0x16}});
  REQUIRE(sixth);
  REQUIRE(gateway.push(*sixth, heard()).acked);
  CHECK(eventually(
      [&] {
        auto f = net.up_fcnts(kDevEui);
        return std::find(f.begin(), f.end(), 6) != f.end();
      },
      5s));

  const auto ups = net.events("up", kDevEui);
  const auto fcnts = net.up_fcnts(kDevEui);
  INFO("up events received (fCnt, arrival order): " << join_numbers(fcnts));
  // Each fCnt 0..6 at least once (duplicates of the tail sent but not yet deleted before the crash are allowed)...
  std::set<long long> have(fcnts.begin(), fcnts.end());
  CHECK(have == std::set<long long>{0, 1, 2, 3, 4, 5, 6});
  // ...but a duplicate is the same event again (same deduplicationId), never a second accept.
  for (const auto& [fcnt, ids] : dedup_ids_by_fcnt(ups)) {
    INFO("fCnt " << fcnt);
    CHECK(ids.size() == 1);
  }
  CHECK(net.sql_count("SELECT COUNT(*) FROM uplink_frame WHERE f_cnt = 4") == 1);
  CHECK(net.sql_count("SELECT COUNT(*) FROM uplink_frame") == 7);
  // The join was accepted once; its event may come again after the crash (acknowledged rows are
  // deleted in batches, so the resent tail can reach back a second), as the same event.
  const auto joins = net.events("join", kDevEui);
  REQUIRE_FALSE(joins.empty());
  for (const auto& j : joins) CHECK(j.at("deduplicationId") == joins.front().at("deduplicationId"));
  for (const auto& e : ups) CHECK(e.at("devAddr") == ups.front().at("devAddr"));
}

TEST_CASE("SIGTERM right after an uplink: the frame in the dedup window is stored and its up event published") {
  OneDeviceJoinedOver<OverUdp> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;
  auto first = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(first);
  REQUIRE(gateway.push(*first, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1, 5s).size() == 1);

  auto frame = device.uplink({.fport = 2, .payload = {0xbe, 0xef}});
  REQUIRE(frame);
  const auto pushed_at = std::chrono::steady_clock::now();
  auto sent = gateway.push(*frame, heard());
  const auto signalled_after =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - pushed_at);
  const auto status = net.stop_uchetd(SIGTERM);
  REQUIRE(sent.acked);
  INFO("SIGTERM " << signalled_after.count() << " ms after PUSH_DATA");
  // Well inside the 200 ms dedup window: the frame had not been processed yet.
  REQUIRE(signalled_after < 100ms);
  CHECK(status == 0);

  // Stored by the shutdown (uchetd is not running: this is the database as it left it).
  CHECK(sql_blobs(net.database(), "SELECT payload FROM uplink_frame WHERE f_cnt = 1") ==
        std::vector<std::vector<std::uint8_t>>{{0xbe, 0xef}});

  net.start();
  const bool published = eventually(
      [&] {
        auto f = net.up_fcnts(kDevEui);
        return std::find(f.begin(), f.end(), 1) != f.end();
      },
      5s);
  INFO("up events received (fCnt): " << join_numbers(net.up_fcnts(kDevEui)));
  CHECK(published);
  for (const auto& e : net.events("up", kDevEui)) {
    if (e.at("fCnt") == 1) CHECK(e.at("data") == "vu8=");
  }
  CHECK(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM outbox") == 0; }, 3s));
}

TEMPLATE_TEST_CASE(
    "SIGTERM right after events were delivered: the outbox is left empty and nothing is sent twice after the restart",
    "", OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;
  for (std::uint8_t n = 1; n <= 5; ++n) {
    auto frame = device.uplink({.fport = 2, .payload = {n}});
    REQUIRE(frame);
    REQUIRE(gateway.push(*frame, heard()).acked);
  }
  REQUIRE(net.wait_events("up", kDevEui, 5, 5s).size() == 5);
  // At once: the acknowledged rows are still with the publisher or on their way to the writer
  // thread (deleted every 100 ms).
  CHECK(net.stop_uchetd(SIGTERM) == 0);
  CHECK(net.sql_count("SELECT COUNT(*) FROM outbox") == 0);

  net.start();
  std::this_thread::sleep_for(1s);
  CHECK(net.events("up", kDevEui).size() == 5);
  CHECK(net.events("join", kDevEui).size() == 1);
}
