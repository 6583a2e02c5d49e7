// Class A answers from the real uchetd: ACK of a confirmed uplink in RX1, DeviceTimeAns and
// LinkCheckAns in FOpts, all verified by the simulated device (MIC, counters, decoding).
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/gps_time.h"
#include "tests/e2e/network_fixture.h"

using namespace uchet;
using namespace uchet::test;
using sim::SimulatedDevice;
using sim::SimulatedGateway;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000e01;

std::chrono::nanoseconds gps_now() {
  return lorawan::gps_time_from_utc(
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
}

template <class Command>
std::optional<Command> find_command(const sim::DeviceDownlink& downlink) {
  for (const auto& c : downlink.mac_commands) {
    if (const auto* found = std::get_if<Command>(&c)) return *found;
  }
  return std::nullopt;
}

}  // namespace

// Changed for issue 20: every test here but the last (a Semtech TX_ACK error) runs over a
// Semtech UDP gateway and over a LoRa Basics Station gateway alike.
TEMPLATE_TEST_CASE("a confirmed uplink is acknowledged in RX1: tmst + 1 s, uplink frequency, ACK set, valid MIC", "",
                   OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  auto [downlink, received] = send_expecting_answer(
      device, gateway, {.confirmed = true, .fport = 2, .payload = {0xca, 0xfe}, .channel = {869'100'000, 5}},
      heard(869'100'000));  // RX1
  CHECK(frequency_of(*downlink) == 869'100'000);
  CHECK(data_rate_of(*downlink) == lora(7, 125));
  if constexpr (std::is_same_v<TestType, OverUdp>) CHECK(downlink->txpk.invert_polarity);  // a station inverts itself
  CHECK(received->fctrl.ack);
  CHECK(received->fcnt == 0);
  CHECK_FALSE(received->confirmed);
  CHECK_FALSE(received->duplicate);

  auto ups = net.wait_events("up", kDevEui, 1);
  REQUIRE(ups.size() == 1);
  CHECK(ups[0]["confirmed"] == true);
  CHECK(ups[0]["data"] == "yv4=");
  // Changed in issue 16: ChirpStack sends txack only for downlinks of the device queue, so this
  // ACK-only answer (like the join-accept before it) gets none; the gateway's scheduled TX_ACK
  // (the station's dntxed) still arrived (tests/e2e/chirpstack_events_test.cpp covers the txack
  // of a queue item).
  CHECK(eventually([&] { return confirmations_sent(gateway) >= 2; }, 6s));
  std::this_thread::sleep_for(500ms);  // a txack would have been published by now
  CHECK(net.events("txack", kDevEui).empty());

  // The next confirmed uplink is acknowledged with the next FCntDown.
  auto second = device.uplink({.confirmed = true, .fport = 2, .payload = {0x01}});
  REQUIRE(second);
  auto [downlink2, received2] = expect_answer(device, gateway, gateway.push(*second, heard()));
  CHECK(received2->fctrl.ack);
  CHECK(received2->fcnt == 1);
}

// The station's upinfo gpstime is the UDP tmms.
TEMPLATE_TEST_CASE("DeviceTimeReq is answered with the server's GPS time when the gateway has none", "", OverUdp,
                   OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  auto frame = device.uplink({.fport = 2, .payload = {0x00}, .mac_commands = {lorawan::DeviceTimeReq{}}});
  REQUIRE(frame);
  const auto sent_at = gps_now();
  auto [downlink, received] = expect_answer(device, gateway, gateway.push(*frame, heard()));
  auto answer = find_command<lorawan::DeviceTimeAns>(*received);
  REQUIRE(answer);
  const auto offset = answer->gps_time() - sent_at;
  INFO("DeviceTimeAns - GPS time at sending: " << std::chrono::duration_cast<std::chrono::milliseconds>(offset).count()
                                               << " ms");
  CHECK(std::chrono::abs(offset) < 1s);
  CHECK(received->fport == std::nullopt);  // FOpts only
  CHECK(received->unparsed_mac_bytes == 0);
}

TEMPLATE_TEST_CASE("DeviceTimeReq is answered with the gateway's GPS reception time (tmms) when it has one", "",
                   OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  // A GPS gateway's clock 1.5 s behind the server's, ending in .500: the answer must be that.
  auto tmms = std::chrono::floor<std::chrono::seconds>(gps_now()) - 1s + 500ms;
  auto frame = device.uplink({.fport = 2, .payload = {0x00}, .mac_commands = {lorawan::DeviceTimeReq{}}});
  REQUIRE(frame);
  auto reception = heard();
  reception.gps_time = std::chrono::duration_cast<gateway_bridge::GpsTime>(tmms);
  auto [downlink, received] = expect_answer(device, gateway, gateway.push(*frame, reception));
  auto answer = find_command<lorawan::DeviceTimeAns>(*received);
  REQUIRE(answer);
  CHECK(answer->gps_seconds == std::chrono::duration_cast<std::chrono::seconds>(tmms).count());
  CHECK(answer->fraction == 128);  // 0.5 s in 1/256 s
}

TEMPLATE_TEST_CASE("LinkCheckReq is answered with the margin of the best reception and the gateway count", "", OverUdp,
                   OverBasicStation) {
  SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  TestType::prepare(net);
  net.add_device(device.identity());
  net.start();
  auto gw1 = TestType::make(net, TestType::kEui);
  auto gw2 = TestType::make(net, TestType::kEui2);
  TestType::open(gw1);
  TestType::open(gw2);
  join(device, gw1);

  auto frame = device.uplink({.mac_commands = {lorawan::LinkCheckReq{}}});
  REQUIRE(frame);
  REQUIRE(gw1.push(*frame, heard(868'900'000, -80, 2.0)).acked);
  REQUIRE(gw2.push(*frame, heard(868'900'000, -70, 7.5)).acked);
  auto downlink = gw2.wait_downlink(3s);  // the best reception's gateway answers
  REQUIRE(downlink);
  auto received = device.receive_downlink(phy_payload_of(*downlink));
  REQUIRE(received);
  auto answer = find_command<lorawan::LinkCheckAns>(*received);
  REQUIRE(answer);
  CHECK(answer->gw_cnt == 2);
  CHECK(answer->margin == 15);  // SNR 7.5 dB above SF7's floor of -7.5 dB
}

TEMPLATE_TEST_CASE(
    "the first uplink of a session is answered with DevStatusReq and DevStatusAns becomes a status event", "", OverUdp,
    OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  auto frame = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  auto sent = gateway.push(*frame, heard());
  REQUIRE(sent.acked);
  auto downlink = wait_answer(gateway, sent);
  REQUIRE(downlink);
  auto received = device.receive_downlink(phy_payload_of(*downlink));
  INFO(describe(*downlink, received));
  REQUIRE(received);
  CHECK(find_command<lorawan::DevStatusReq>(*received));

  lorawan::DevStatusAns answer;
  answer.battery = 127;  // half of 1..254
  answer.margin = 10;
  auto reply = device.uplink({.fport = 2, .payload = {0x02}, .mac_commands = {answer}});
  REQUIRE(reply);
  REQUIRE(gateway.push(*reply, heard()).acked);
  auto statuses = net.wait_events("status", kDevEui, 1);
  REQUIRE(statuses.size() == 1);
  CHECK(statuses[0]["margin"] == 10);
  CHECK(statuses[0]["batteryLevel"] == 50.0);
  CHECK(statuses[0]["externalPowerSource"] == false);
  CHECK(statuses[0]["batteryLevelUnavailable"] == false);
}

TEST_CASE("a downlink the gateway reports TOO_LATE for RX1 is sent again in RX2 (tmst + 2 s, 869.1 MHz, SF12)") {
  OneDeviceJoinedOver<OverUdp> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;
  auto late_gateway = refusing_gateway(net.bridge(), "TOO_LATE");
  auto& late = *late_gateway;

  auto frame = device.uplink({.confirmed = true, .fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  auto sent = late.push(*frame, heard(868'900'000));
  REQUIRE(sent.acked);
  auto rx1 = late.wait_downlink(3s);
  REQUIRE(rx1);
  CHECK(rx1->tmst() == static_cast<std::uint32_t>(sent.tmst + 1'000'000u));
  auto rx2 = late.wait_downlink(3s);
  REQUIRE(rx2);
  CHECK(rx2->tmst() == static_cast<std::uint32_t>(sent.tmst + 2'000'000u));
  CHECK(frequency_of(*rx2) == 869'100'000);
  CHECK(rx2->txpk.data_rate == gateway_bridge::DataRate{gateway_bridge::LoraRate{12, 125}});
  CHECK(phy_payload_of(*rx2) == phy_payload_of(*rx1));
  auto received = device.receive_downlink(phy_payload_of(*rx2));
  INFO(describe(*rx2, received));
  REQUIRE(received);
  CHECK(received->fctrl.ack);
  CHECK_FALSE(late.wait_downlink(1s));  // RX2 too late as well: nothing more to try
}
