// What an operator configures about uchetd's housekeeping, end to end: [log] format = "json"
// (every line of the log is one JSON object) and [storage] frame_retention_days (old archived
// frames are deleted, each device's newest is kept, and /metrics counts them).
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/e2e/network_fixture.h"
#include "tests/support/http_client.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000c01;

// Provisions the device once one of the fixture's extra configuration lines is set.
OneDeviceJoinedOver<OverUdp>::Provision with_config(std::string NetworkUnderTest::*lines, std::string text) {
  return [lines, text](NetworkUnderTest& net, const sim::DeviceIdentity& id) {
    net.*lines = text;
    net.add_device(id);
  };
}

void send_uplinks(sim::SimulatedDevice& device, sim::SimulatedGateway& gateway, NetworkUnderTest& net, int count) {
  const auto before = net.events("up", kDevEui).size();
  for (int i = 0; i < count; ++i) {
    auto frame = device.uplink({.fport = 2, .payload = {static_cast<std::uint8_t>(i)}});
    REQUIRE(frame);
    REQUIRE(gateway.push(*frame, heard()).acked);
  }
  REQUIRE(net.wait_events("up", kDevEui, before + count).size() == before + count);
}

}  // namespace

TEST_CASE(
    "with [log] format = \"json\" every line uchetd writes is one JSON object with time, level, thread and message") {
  OneDeviceJoinedOver<OverUdp> setup(otaa_device(kDevEui),
                                     with_config(&NetworkUnderTest::log_config, "format = \"json\"\n"));
  auto& [device, net, gateway] = setup;
  send_uplinks(device, gateway, net, 1);
  // A frame with a broken MIC: a warning, rate-limited as in the text format.
  auto bad = device.uplink({.fport = 2, .payload = {0x09}});
  REQUIRE(bad);
  bad->back() ^= 0xff;
  REQUIRE(gateway.push(*bad, heard()).acked);
  REQUIRE(net.stop_uchetd(SIGTERM) == 0);

  std::istringstream log(net.uchetd_log());
  std::string line;
  int lines = 0;
  bool started = false, stopped = false;
  while (std::getline(log, line)) {
    if (line.empty()) continue;
    INFO("line: " << line);
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE(j.is_object());
    CHECK(j.size() == 4);
    CHECK(j["time"].is_string());
    CHECK(j["level"].is_string());
    CHECK(j["thread"].is_string());
    REQUIRE(j["message"].is_string());
    const auto message = j["message"].get<std::string>();
    started = started || message.starts_with("uchetd 0.1.0 starting");
    stopped = stopped || message.starts_with("uchetd stopped");
    ++lines;
  }
  CHECK(lines >= 5);
  CHECK(started);
  CHECK(stopped);
}

TEST_CASE("[storage] frame_retention_days deletes older archived frames at start, keeping each device's newest") {
  OneDeviceJoinedOver<OverUdp> setup(otaa_device(kDevEui),
                                     with_config(&NetworkUnderTest::storage_config, "frame_retention_days = 1\n"));
  auto& [device, net, gateway] = setup;
  send_uplinks(device, gateway, net, 3);
  REQUIRE(net.stop_uchetd(SIGTERM) == 0);
  REQUIRE(net.sql_count("SELECT COUNT(*) FROM uplink_frame") == 3);
  // Two days pass for the archive.
  net.sql("UPDATE uplink_frame SET received_at_ms = received_at_ms - 2 * 86400000");
  net.start();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (net.sql_count("SELECT COUNT(*) FROM uplink_frame") != 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(net.sql_count("SELECT COUNT(*) FROM uplink_frame") == 1);
  CHECK(net.sql_count("SELECT f_cnt FROM uplink_frame") == 2);  // the newest of 0, 1, 2
  CHECK(metric_sample(http_get(net.http_port(), "/metrics").body, "uchet_frames_pruned_total") == 2);
  CHECK(net.uchetd_log().find("frame retention: 2 archived frames older than 1 days deleted") != std::string::npos);
}
