// OTAA joins and uplinks through the real uchetd: join-accept timing, MQTT join/up events,
// deduplication across gateways, and refusal of unregistered gateways.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"

using namespace uchet;
using namespace uchet::test;
using sim::SimulatedDevice;
using sim::SimulatedGateway;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000a01;

// A join-request heard by both gateways, better by `stronger`; the join-accept must come from
// `answering` only, at JOIN_ACCEPT_DELAY1 on that gateway's own counter.
template <class Gateway>
void join_heard_by_two(SimulatedDevice& device, Gateway& weaker, Gateway& stronger, Gateway& answering) {
  auto request = device.join_request();
  auto at_weaker = weaker.push(request, heard(868'900'000, -100, -3.0));
  auto at_stronger = stronger.push(request, heard(868'900'000, -70, 6.0));
  REQUIRE(at_weaker.acked);
  REQUIRE(at_stronger.acked);
  auto accept = answering.wait_downlink(3s);
  REQUIRE(accept);
  const auto answered_tmst = &answering == &weaker ? at_weaker.tmst : at_stronger.tmst;
  CHECK(accept->tmst() == static_cast<std::uint32_t>(answered_tmst + 5'000'000u));
  REQUIRE(device.accept_join(phy_payload_of(*accept)));
  Gateway& silent = &answering == &weaker ? stronger : weaker;
  CHECK_FALSE(silent.wait_downlink(300ms));
}

}  // namespace

// Changed for issue 20: this test and the next run over Semtech UDP gateways and over LoRa
// Basics Station gateways alike.
TEMPLATE_TEST_CASE("a 1.0.3 device joins (JOIN_ACCEPT_DELAY1 on the uplink channel) and its first uplink is published",
                   "", OverUdp, OverBasicStation) {
  SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  TestType::prepare(net);
  net.add_device(device.identity());
  net.start();
  // The concentrator counter wraps 2^32 µs between the join-request and its RX1 window.
  auto gateway = TestType::make(net, TestType::kEui, 0xFFFF'FFFFu - 2'000'000u);
  TestType::open(gateway);

  auto joined = join(device, gateway, heard(869'100'000));
  const auto& accept = joined.accept;
  REQUIRE(accept.tmst());
  CHECK(*accept.tmst() == static_cast<std::uint32_t>(joined.request.tmst + 5'000'000u));
  CHECK(joined.request.tmst > 0xFFFF'FFFFu - 5'000'000u);  // the wrap really happened
  CHECK(frequency_of(accept) == 869'100'000);
  CHECK(data_rate_of(accept) == lora(7));  // RX1 at the uplink's DR5, offset 0
  if constexpr (std::is_same_v<TestType, OverUdp>) CHECK(accept.txpk.invert_polarity);  // a station inverts itself
  CHECK(phy_payload_of(accept).size() == 33);  // RU864 join-accept with the 16-byte CFList
  CHECK(joined.session.net_id == 0);
  CHECK(joined.session.rx_delay_s == 1);
  CHECK(joined.session.dl_settings.rx2_data_rate == 0);
  CHECK_FALSE(joined.session.lorawan_11);
  // The CFList carries the RU864 extra channels uchetd is configured with by default.
  CHECK(joined.session.extra_channels_hz ==
        std::vector<std::uint32_t>{864100000, 864300000, 864500000, 864700000, 864900000});

  auto joins = net.wait_events("join", kDevEui, 1);
  REQUIRE(joins.size() == 1);
  CHECK(joins[0]["devAddr"] == lorawan::dev_addr_to_string(joined.session.dev_addr));
  CHECK(joins[0]["deviceInfo"]["devEui"] == lorawan::eui64_to_string(kDevEui));
  CHECK(joins[0]["deviceInfo"]["applicationName"] == kApplication);

  auto frame = device.uplink({.fport = 2, .payload = {0x01, 0x02, 0x03, 0x04}});
  REQUIRE(frame);
  auto sent = gateway.push(*frame, heard(868'900'000, -57, 9.25));
  REQUIRE(sent.acked);
  auto ups = net.wait_events("up", kDevEui, 1);
  REQUIRE(ups.size() == 1);
  const auto& up = ups[0];
  CHECK(up["deviceInfo"]["devEui"] == lorawan::eui64_to_string(kDevEui));
  CHECK(up["deviceInfo"]["applicationName"] == kApplication);
  CHECK(up["devAddr"] == lorawan::dev_addr_to_string(joined.session.dev_addr));
  CHECK(up["fCnt"] == 0);
  CHECK(up["fPort"] == 2);
  CHECK(up["data"] == "AQIDBA==");
  CHECK(up["confirmed"] == false);
  CHECK(up["dr"] == 5);
  // A UUID version 7 (time-ordered, so the stored frames' index grows at its end) issued after the
  // join event's.
  const auto id = up["deduplicationId"].get<std::string>();
  CHECK(id.size() == 36);
  CHECK(id[14] == '7');
  CHECK(std::string("89ab").find(id[19]) != std::string::npos);
  CHECK(id > joins[0]["deduplicationId"].get<std::string>());
  REQUIRE(up["rxInfo"].size() == 1);
  CHECK(up["rxInfo"][0]["gatewayId"] == lorawan::eui64_to_string(TestType::kEui));
  CHECK(up["rxInfo"][0]["rssi"] == -57);
  CHECK(up["rxInfo"][0]["snr"] == 9.25);
  CHECK(up["rxInfo"][0]["uplinkId"] == sent.tmst);
  CHECK(up["txInfo"]["frequency"] == 868'900'000);
  CHECK(up["txInfo"]["modulation"]["lora"]["spreadingFactor"] == 7);
  CHECK(up["txInfo"]["modulation"]["lora"]["bandwidth"] == 125'000);
  CHECK(up["txInfo"]["modulation"]["lora"]["codeRate"] == "CR_4_5");
}

TEMPLATE_TEST_CASE("two gateways hearing one uplink give one up event with both receptions, answers go via the best",
                   "", OverUdp, OverBasicStation) {
  SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  TestType::prepare(net);
  net.add_device(device.identity());
  net.start();
  auto gw1 = TestType::make(net, TestType::kEui);
  auto gw2 = TestType::make(net, TestType::kEui2);
  TestType::open(gw1);
  TestType::open(gw2);

  join_heard_by_two(device, gw1, gw2, /*answering=*/gw2);
  REQUIRE(net.wait_events("join", kDevEui, 1).size() == 1);

  auto frame = device.uplink({.fport = 2, .payload = {0x2a}});
  REQUIRE(frame);
  REQUIRE(gw1.push(*frame, heard(868'900'000, -61, 7.0)).acked);
  REQUIRE(gw2.push(*frame, heard(868'900'000, -93, -1.5)).acked);
  auto ups = net.wait_events("up", kDevEui, 1);
  REQUIRE(ups.size() == 1);
  std::this_thread::sleep_for(1s);  // a second event would have come by now (window 200 ms)
  ups = net.events("up", kDevEui);
  REQUIRE(ups.size() == 1);
  const auto& rx_info = ups[0]["rxInfo"];
  REQUIRE(rx_info.size() == 2);
  std::set<std::string> gateways{rx_info[0]["gatewayId"], rx_info[1]["gatewayId"]};
  CHECK(gateways ==
        std::set<std::string>{lorawan::eui64_to_string(TestType::kEui), lorawan::eui64_to_string(TestType::kEui2)});
  for (const auto& rx : rx_info) {
    const bool first = rx["gatewayId"] == lorawan::eui64_to_string(TestType::kEui);
    CHECK(rx["rssi"] == (first ? -61 : -93));
    CHECK(rx["snr"] == (first ? 7.0 : -1.5));
  }
  CHECK(ups[0]["fCnt"] == 0);
  CHECK(ups[0]["data"] == "Kg==");
}

TEST_CASE("when the best gateway has no downlink path the answer goes via the next one that heard the uplink") {
  SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  net.add_device(device.identity());
  net.start();
  // Gateway 2 hears best but never sent PULL_DATA (a forwarder whose downstream is broken).
  sim::GatewayOptions receive_only;
  receive_only.keepalive = 0ms;
  SimulatedGateway gw1(kGateway1, net.bridge());
  SimulatedGateway gw2(kGateway2, net.bridge(), receive_only);
  REQUIRE(gw1.pull(1s));

  join_heard_by_two(device, gw1, gw2, /*answering=*/gw1);
  REQUIRE(net.wait_events("join", kDevEui, 1).size() == 1);

  // A confirmed uplink, better at gateway 2 again: the ACK goes via gateway 1 in its RX1.
  auto frame = device.uplink({.confirmed = true, .fport = 2, .payload = {0x2a}});
  REQUIRE(frame);
  auto up1 = gw1.push(*frame, heard(868'900'000, -95, -2.0));
  REQUIRE(gw2.push(*frame, heard(868'900'000, -60, 8.0)).acked);
  REQUIRE(up1.acked);
  auto ack = gw1.wait_downlink(3s);
  REQUIRE(ack);
  CHECK(ack->tmst() == static_cast<std::uint32_t>(up1.tmst + 1'000'000u));
  auto received = device.receive_downlink(ack->txpk.phy_payload);
  REQUIRE(received);
  CHECK(received->fctrl.ack);
}

TEST_CASE("an unregistered gateway gets no acknowledgement and its packets are not processed") {
  SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  net.add_device(device.identity());
  net.start();
  sim::GatewayOptions quiet;
  quiet.keepalive = 0ms;
  SimulatedGateway stranger(kUnknownGateway, net.bridge(), quiet);
  SimulatedGateway known(kGateway1, net.bridge());
  REQUIRE(known.pull(1s));

  CHECK_FALSE(stranger.pull(500ms));
  auto request = device.join_request();
  CHECK_FALSE(stranger.push(request, heard(), 500ms).acked);
  CHECK_FALSE(known.wait_downlink(1500ms));
  CHECK_FALSE(stranger.wait_downlink(0ms));
  CHECK(net.events("join", kDevEui).empty());
  CHECK(stranger.counters().push_acked == 0);
  CHECK(stranger.counters().pull_acked == 0);

  // Had uchetd taken that join-request, this copy would be a reused DevNonce (or a late copy)
  // and get no answer; through a registered gateway it is answered as a first join.
  auto sent = known.push(request, heard());
  REQUIRE(sent.acked);
  auto accept = known.wait_downlink(3s);
  REQUIRE(accept);
  CHECK(device.accept_join(accept->txpk.phy_payload));
  CHECK(net.wait_events("join", kDevEui, 1).size() == 1);
}
