// Frames uchetd must not publish (replays, bad MICs) and the 32-bit uplink counter.
#include <catch2/catch.hpp>

#include <thread>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"

using namespace uchet;
using namespace uchet::test;
using sim::SimulatedDevice;
using sim::SimulatedGateway;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000c01;

std::vector<std::int64_t> f_cnts(const std::vector<nlohmann::json>& ups) {
  std::vector<std::int64_t> out;
  for (const auto& up : ups) out.push_back(up["fCnt"]);
  return out;
}

}  // namespace

// Changed for issue 20: both tests run over a Semtech UDP gateway and over a LoRa Basics Station
// gateway (whose updf fields the server rebuilds into the same PHYPayload for MIC and dedup).
TEMPLATE_TEST_CASE("replayed frames and a corrupted MIC are not published, the next good frame is", "", OverUdp,
                   OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  auto frame0 = device.uplink({.fport = 2, .payload = {0x10}});
  auto frame1 = device.uplink({.fport = 2, .payload = {0x11}});
  REQUIRE(frame0);
  REQUIRE(frame1);
  REQUIRE(gateway.push(*frame0, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1).size() == 1);
  REQUIRE(gateway.push(*frame1, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 2).size() == 2);
  const auto frame1_sent = std::chrono::steady_clock::now();

  // After the deduplicator's late-copy horizon (2 s), the same bytes are a new reception.
  std::this_thread::sleep_until(frame1_sent + 3s);
  REQUIRE(gateway.push(*frame1, heard()).acked);  // the last frame again
  REQUIRE(gateway.push(*frame0, heard()).acked);  // an older one
  auto frame2 = device.uplink({.fport = 2, .payload = {0x12}});
  REQUIRE(frame2);
  auto corrupted = *frame2;
  corrupted.back() ^= 0x01;
  REQUIRE(gateway.push(corrupted, heard()).acked);  // the bridge acknowledges; the server refuses
  std::this_thread::sleep_for(1500ms);
  CHECK(f_cnts(net.events("up", kDevEui)) == std::vector<std::int64_t>{0, 1});

  REQUIRE(gateway.push(*frame2, heard()).acked);
  auto ups = net.wait_events("up", kDevEui, 3);
  REQUIRE(f_cnts(ups) == std::vector<std::int64_t>{0, 1, 2});
  CHECK(ups[2]["data"] == lorawan::to_base64(lorawan::Bytes{0x12}));
}

TEMPLATE_TEST_CASE("FCntUp is 32 bits: the frame after 65535 is counted 65536, not 0", "", OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  auto first = device.uplink({.fport = 2, .payload = {0x01}});
  auto before_wrap = device.uplink({.fport = 2, .payload = {0x02}, .fcnt = 65535});
  auto after_wrap = device.uplink({.fport = 2, .payload = {0x03}});  // 65536: 0x0000 on air
  REQUIRE(first);
  REQUIRE(before_wrap);
  REQUIRE(after_wrap);
  REQUIRE(lorawan::parse_data_frame(*after_wrap)->fcnt16 == 0);
  REQUIRE(gateway.push(*first, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1).size() == 1);
  REQUIRE(gateway.push(*before_wrap, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 2).size() == 2);
  REQUIRE(gateway.push(*after_wrap, heard()).acked);
  auto ups = net.wait_events("up", kDevEui, 3);
  CHECK(f_cnts(ups) == std::vector<std::int64_t>{0, 65535, 65536});
  REQUIRE(ups.size() == 3);
  CHECK(ups[2]["data"] == "Aw==");
}
