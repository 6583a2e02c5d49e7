// uchet-sim's load run (run_fleet) against the real uchetd: several devices behind two gateways.
#include <catch2/catch.hpp>

#include <set>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"
#include "tools/sim/fleet.h"

using namespace uchet;
using namespace uchet::test;

TEST_CASE("a fleet of 4 devices behind 2 gateways joins and gets every confirmed uplink acknowledged") {
  NetworkUnderTest net;
  sim::FleetOptions o;
  o.gateways = 2;
  o.gateway_eui_base = kGateway1;  // kGateway1, kGateway2: the fixture registered both
  o.devices = 4;
  o.dev_eui_base = 0x70b3d57ed000f000;
  o.join_eui = kJoinEui;
  o.app_key = kAppKey;
  o.first_dev_nonce = 100;
  // One a second: each ACK (~0.46 s on air) fits its RX1 on the gateway's timeline. At 20 a
  // second the answers overlapped on air; uchet now plans around that (RX2, the other gateway,
  // else not planned: docs/downlink-scheduling.md), and this simulator does not retransmit.
  o.uplinks_per_second = 1;
  o.uplinks_per_device = 2;
  o.confirmed = true;
  o.payload = {0xde, 0xad};
  for (int i = 0; i < o.devices; ++i) net.add_device(otaa_device(o.dev_eui_base + static_cast<lorawan::Eui64>(i)));
  net.start();
  o.server = net.bridge();

  auto report = sim::run_fleet(o);
  std::string problems;
  for (const auto& p : report.problems) problems += p + "\n";
  INFO(problems);
  CHECK(report.ok());
  CHECK(report.joins_ok == 4);
  CHECK(report.uplinks_sent == 8);
  CHECK(report.push_unacked == 0);
  CHECK(report.acks_received == 8);
  CHECK(report.mic_failures == 0);
  CHECK(report.downlinks_received == 4 + 8);
  for (int i = 0; i < o.devices; ++i) {
    auto ups = net.wait_events("up", o.dev_eui_base + static_cast<lorawan::Eui64>(i), 2);
    REQUIRE(ups.size() == 2);
    CHECK(ups[0]["rxInfo"].size() == 2);
    CHECK(ups[1]["fCnt"] == 1);
    CHECK(ups[1]["data"] == "3q0=");
  }
}

TEST_CASE("a fleet behind a Semtech UDP gateway and a Basics Station gateway: one up per frame, every ACK delivered") {
  NetworkUnderTest net;
  net.enable_basic_station();
  sim::FleetOptions o;
  o.gateways = 1;
  o.gateway_eui_base = kGateway1;
  o.station_gateways = 1;
  o.station_eui_base = kStation1;  // registered with a bearer token by enable_basic_station()
  o.devices = 3;
  o.dev_eui_base = 0x70b3d57ed000f100;
  o.join_eui = kJoinEui;
  o.app_key = kAppKey;
  o.first_dev_nonce = 200;
  o.uplinks_per_second = 1;
  o.uplinks_per_device = 2;
  o.confirmed = true;
  o.payload = {0xbe, 0xef};
  for (int i = 0; i < o.devices; ++i) net.add_device(otaa_device(o.dev_eui_base + static_cast<lorawan::Eui64>(i)));
  net.start();
  o.server = net.bridge();
  const auto station = net.station_options(kStation1);
  o.station_uri = net.router_info_uri();
  o.station_ca_file = station.ca_file;
  o.station_token = *station.token;

  auto report = sim::run_fleet(o);
  std::string problems;
  for (const auto& p : report.problems) problems += p + "\n";
  INFO(problems);
  CHECK(report.ok());
  CHECK(report.gateways_unreachable == 0);
  CHECK(report.joins_ok == 3);
  CHECK(report.uplinks_sent == 6);
  CHECK(report.acks_received == 6);
  CHECK(report.mic_failures == 0);
  CHECK(report.downlinks_refused == 0);
  for (int i = 0; i < o.devices; ++i) {
    auto ups = net.wait_events("up", o.dev_eui_base + static_cast<lorawan::Eui64>(i), 2);
    REQUIRE(ups.size() == 2);
    // Each frame was heard by both gateways: one up with both receptions.
    for (const auto& up : ups) {
      REQUIRE(up["rxInfo"].size() == 2);
      std::set<std::string> gateways{up["rxInfo"][0]["gatewayId"], up["rxInfo"][1]["gatewayId"]};
      CHECK(gateways ==
            std::set<std::string>{lorawan::eui64_to_string(kGateway1), lorawan::eui64_to_string(kStation1)});
    }
  }
}

TEST_CASE("a fleet run reports unregistered gateways and failed joins") {
  NetworkUnderTest net;
  net.start();
  sim::FleetOptions o;
  o.server = net.bridge();
  o.gateway_eui_base = kUnknownGateway;
  o.dev_eui_base = 0x70b3d57ed000f100;  // not provisioned either
  o.join_eui = kJoinEui;
  o.app_key = kAppKey;
  o.uplinks_per_second = 50;
  o.ack_timeout = std::chrono::milliseconds(300);
  auto report = sim::run_fleet(o);
  CHECK_FALSE(report.ok());
  CHECK(report.gateways_unreachable == 1);
  CHECK(report.joins_ok == 0);
}

TEST_CASE("provisioning commands name every gateway and device with its keys") {
  sim::FleetOptions o;
  o.gateways = 2;
  o.devices = 2;
  o.gateway_eui_base = 0x0016c001ff000000;
  o.dev_eui_base = 0x70b3d57ed0000000;
  o.join_eui = kJoinEui;
  o.app_key = kAppKey;
  o.nwk_key = kNwkKey;
  o.mac_version = sim::MacVersion::V1_1;
  auto lines = sim::provisioning_commands(o, "sim");
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "uchetctl application add sim");
  CHECK(lines[2] == "uchetctl gateway add 0016c001ff000001 --name sim-gw-1");
  CHECK(
      lines[4] ==
      "uchetctl device add 70b3d57ed0000001 --app sim --join-eui 70b3d57ed0000001 --app-key "
      "000102030405060708090a0b0c0d0e0f --mac-version 1.1 --nwk-key f0e1d2c3b4a5968778695a4b3c2d1e0f --name sim-dev-1");
}
