// LoRaWAN 1.1 through the real uchetd: join with NwkKey/AppKey and OptNeg, uplinks signed with
// the two integrity keys, encrypted FOpts both ways, and the 1.1-only MAC exchanges.
#include <catch2/catch.hpp>

#include <thread>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/keys.h"
#include "tests/e2e/network_fixture.h"

using namespace uchet;
using namespace uchet::test;
using sim::SimulatedDevice;
using sim::SimulatedGateway;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0001101;

}  // namespace

// Changed for issue 20: every test here runs over a Semtech UDP gateway and over a LoRa Basics
// Station gateway alike.
TEMPLATE_TEST_CASE("a LoRaWAN 1.1 device joins with OptNeg, sends uplinks and gets a verified ACK with DeviceTimeAns",
                   "", OverUdp, OverBasicStation) {
  SimulatedDevice device(otaa_device(kDevEui, sim::MacVersion::V1_1));
  NetworkUnderTest net;
  TestType::prepare(net);
  net.add_device(device.identity());
  net.start();
  auto gateway = TestType::make(net);
  TestType::open(gateway);

  auto joined = join(device, gateway, heard(869'100'000));
  CHECK(*joined.accept.tmst() == static_cast<std::uint32_t>(joined.request.tmst + 5'000'000u));
  CHECK(joined.session.dl_settings.opt_neg);
  REQUIRE(joined.session.lorawan_11);
  // 1.1 keys: the three network keys differ, AppSKey comes from AppKey.
  CHECK(joined.session.keys.f_nwk_s_int_key != joined.session.keys.s_nwk_s_int_key);
  CHECK(joined.session.keys.s_nwk_s_int_key != joined.session.keys.nwk_s_enc_key);
  REQUIRE(net.wait_events("join", kDevEui, 1).size() == 1);

  // Channel index 1 (869.1 MHz) and DR5 are part of the 1.1 uplink MIC.
  auto frame = device.uplink({.fport = 2, .payload = {0x01, 0x02, 0x03, 0x04}, .channel = {869'100'000, 5}});
  REQUIRE(frame);
  auto first = gateway.push(*frame, heard(869'100'000));
  REQUIRE(first.acked);
  auto ups = net.wait_events("up", kDevEui, 1);
  REQUIRE(ups.size() == 1);
  CHECK(ups[0]["fCnt"] == 0);
  CHECK(ups[0]["fPort"] == 2);
  CHECK(ups[0]["data"] == "AQIDBA==");
  // Changed in issue 16: uchet's own facts of the device are deviceInfo.tags (strict ChirpStack
  // consumers reject a deviceInfo.macVersion member).
  CHECK(ups[0]["deviceInfo"]["tags"]["macVersion"] == "1.1");
  // uchetd asks a new session for its status at once: FOpts encrypted with NwkSEncKey.
  auto status_request = wait_answer(gateway, first);
  REQUIRE(status_request);
  auto status = device.receive_downlink(phy_payload_of(*status_request));
  INFO(describe(*status_request, status));
  REQUIRE(status);
  CHECK(status->fcnt == 0);
  REQUIRE(status->mac_commands.size() == 1);
  CHECK(std::holds_alternative<lorawan::DevStatusReq>(status->mac_commands[0]));

  // Confirmed, with DeviceTimeReq in (encrypted) FOpts: the ACK's MIC covers ConfFCnt = 1.
  auto [downlink, received] = send_expecting_answer(
      device, gateway,
      {.confirmed = true, .fport = 3, .payload = {0x05}, .mac_commands = {lorawan::DeviceTimeReq{}}});  // RX1
  CHECK(received->fctrl.ack);
  CHECK(received->fcnt == 1);
  CHECK_FALSE(received->a_fcnt_down);  // no application payload: NFCntDown
  REQUIRE(received->mac_commands.size() == 1);
  CHECK(std::holds_alternative<lorawan::DeviceTimeAns>(received->mac_commands[0]));
  ups = net.wait_events("up", kDevEui, 2);
  REQUIRE(ups.size() == 2);
  CHECK(ups[1]["fCnt"] == 1);
  CHECK(ups[1]["fPort"] == 3);
  CHECK(ups[1]["confirmed"] == true);

  // On an extra channel of the join-accept's CFList (864.3 MHz = RU864 channel index 3): both
  // sides put TxCh 3 into the MIC, so the frame is accepted.
  REQUIRE(joined.session.extra_channels_hz.size() == 5);
  auto extra = device.uplink({.fport = 2, .payload = {0x06}, .channel = {864'300'000, 5}});
  REQUIRE(extra);
  REQUIRE(gateway.push(*extra, heard(864'300'000)).acked);
  ups = net.wait_events("up", kDevEui, 3);
  REQUIRE(ups.size() == 3);
  CHECK(ups[2]["fCnt"] == 2);
  CHECK(ups[2]["txInfo"]["frequency"] == 864'300'000);
}

TEMPLATE_TEST_CASE("a LoRaWAN 1.1 rejoin by join-request gets a greater JoinNonce, an old DevNonce gets nothing", "",
                   OverUdp, OverBasicStation) {
  SimulatedDevice device(otaa_device(kDevEui, sim::MacVersion::V1_1));
  NetworkUnderTest net;
  TestType::prepare(net);
  net.add_device(device.identity());
  net.start();
  auto gateway = TestType::make(net);
  TestType::open(gateway);

  auto first = join(device, gateway);
  auto second = join(device, gateway);  // DevNonce 8 after 7; the device checks JoinNonce grows
  CHECK(second.session.join_nonce > first.session.join_nonce);
  CHECK(second.session.dev_nonce == first.session.dev_nonce + 1);
  REQUIRE(net.wait_events("join", kDevEui, 2).size() == 2);

  // The first join-request again (DevNonce 7, already used): 1.1 requires it to be refused.
  SimulatedDevice stale(otaa_device(kDevEui, sim::MacVersion::V1_1));
  std::this_thread::sleep_for(2100ms);  // past the deduplicator's late-copy horizon
  REQUIRE(gateway.push(stale.join_request(), heard()).acked);
  CHECK_FALSE(gateway.wait_downlink(1500ms));
  CHECK(net.events("join", kDevEui).size() == 2);

  // The second session works.
  auto frame = device.uplink({.fport = 2, .payload = {0x07}});
  REQUIRE(frame);
  REQUIRE(gateway.push(*frame, heard()).acked);
  auto ups = net.wait_events("up", kDevEui, 1);
  REQUIRE(ups.size() == 1);
  CHECK(ups[0]["devAddr"] == lorawan::dev_addr_to_string(second.session.dev_addr));
}

TEMPLATE_TEST_CASE("LoRaWAN 1.1: RekeyInd after an OTAA join is answered with RekeyConf", "", OverUdp,
                   OverBasicStation) {
  // LoRaWAN 1.1 §5.10: a 1.1 device sends RekeyInd in every uplink until it receives RekeyConf;
  // the network server answers with RekeyConf carrying min(device, server) minor version.
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui, sim::MacVersion::V1_1));
  auto& [device, net, gateway] = setup;

  auto frame = device.uplink({.fport = 2, .payload = {0x01}, .mac_commands = {lorawan::RekeyInd{1}}});
  REQUIRE(frame);
  auto sent = gateway.push(*frame, heard());
  REQUIRE(sent.acked);
  auto downlink = wait_answer(gateway, sent);
  REQUIRE(downlink);
  auto received = device.receive_downlink(phy_payload_of(*downlink));
  INFO(describe(*downlink, received));
  REQUIRE(received);
  REQUIRE(received->mac_commands.size() >= 1);
  bool rekey_conf = false;
  for (const auto& c : received->mac_commands) {
    if (const auto* conf = std::get_if<lorawan::RekeyConf>(&c)) rekey_conf = conf->minor == 1;
  }
  CHECK(rekey_conf);
}
