// A downlink queued by the uchetctl process while uchetd runs, for a device that has been sending
// uplinks with an empty queue (so uchetd has had every chance to believe it stays empty), goes out
// in that device's very next RX1. Guards the network server's per-transaction queue snapshot.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"

using namespace uchet;
using namespace uchet::test;
using sim::SimulatedDevice;
using sim::SimulatedGateway;

namespace {
constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000d21;
}

// Changed for issue 20: runs over a Semtech UDP gateway and over a LoRa Basics Station gateway.
TEMPLATE_TEST_CASE("uchetctl device enqueue after uplinks with an empty queue: sent in the next RX1", "", OverUdp,
                   OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  // Two uplinks with nothing queued. The first may carry a MAC request (DevStatusReq); take it.
  for (std::uint8_t n = 1; n <= 2; ++n) {
    gateway.take_downlinks();
    auto frame = device.uplink({.fport = 2, .payload = {n}});
    REQUIRE(frame);
    REQUIRE(gateway.push(*frame, heard()).acked);
    if (auto downlink = gateway.wait_downlink(1500ms)) {
      auto received = device.receive_downlink(phy_payload_of(*downlink));
      INFO("downlink: " << describe(*downlink, received));
      REQUIRE(received);
      CHECK(received->payload.empty());  // MAC commands only: the queue is empty
    }
  }
  REQUIRE(net.wait_events("up", kDevEui, 2, 3s).size() == 2);

  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "7", "--hex", "0a0b0c"});
  REQUIRE(net.sql_count("SELECT COUNT(*) FROM downlink_queue") == 1);

  gateway.take_downlinks();
  auto [downlink, received] = send_expecting_answer(device, gateway, {.fport = 2, .payload = {0x03}});  // RX1
  CHECK(received->fport == std::optional<std::uint8_t>(7));
  CHECK(lorawan::to_hex(received->payload) == "0a0b0c");
  CHECK(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM downlink_queue") == 0; }, 3s));
}

TEST_CASE("a queued downlink refused by the gateway in RX1 and RX2 is delivered in the next uplink's RX1") {
  OneDeviceJoinedOver<OverUdp> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;
  auto late_gateway = refusing_gateway(net.bridge(), "TOO_LATE");
  auto& late = *late_gateway;
  // The first uplink of the session may be answered with a DevStatusReq: take that answer first,
  // so the queued payload below is the only thing pending.
  auto first = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(first);
  REQUIRE(gateway.push(*first, heard()).acked);
  if (auto downlink = gateway.wait_downlink(1500ms)) REQUIRE(device.receive_downlink(phy_payload_of(*downlink)));

  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "9", "--hex", "c0ffee"});
  auto refused = device.uplink({.fport = 2, .payload = {0x02}});
  REQUIRE(refused);
  REQUIRE(late.push(*refused, heard()).acked);
  REQUIRE(late.wait_downlink(3s));  // RX1: TOO_LATE
  REQUIRE(late.wait_downlink(3s));  // RX2: TOO_LATE as well
  // Changed in issue 16: the refusal is a log event DOWNLINK_GATEWAY naming the gateway's error
  // (ChirpStack's TxAckEvent has no error field), and no txack is sent for it.
  const auto refusal_logged = [&] {
    for (const auto& e : net.events("log", kDevEui))
      if (e["code"] == "DOWNLINK_GATEWAY" && e["level"] == "ERROR" && e["context"]["error"] == "TOO_LATE") return true;
    return false;
  };
  CHECK(eventually(refusal_logged, 3s));  // the application is told the send failed
  CHECK(net.events("txack", kDevEui).empty());
  CHECK(
      eventually([&] { return net.sql_count("SELECT COUNT(*) FROM downlink_queue WHERE sent_at IS NULL") == 1; }, 3s));

  gateway.take_downlinks();
  auto [downlink, received] = send_expecting_answer(device, gateway, {.fport = 2, .payload = {0x03}});  // RX1
  CHECK(received->fport == std::optional<std::uint8_t>(9));
  CHECK(lorawan::to_hex(received->payload) == "c0ffee");
  CHECK(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM downlink_queue") == 0; }, 3s));
}
