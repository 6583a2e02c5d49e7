// The downlink queue through the real uchetd: MQTT commands, uchetctl device enqueue (confirmed
// with its ack event; too large for the data rate), class C immediate downlinks on RX2.
#include <catch2/catch.hpp>

#include <thread>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/test_sql.h"

using namespace uchet;
using namespace uchet::test;
using sim::SimulatedDevice;
using sim::SimulatedGateway;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000d01;

long long queued(NetworkUnderTest& net) { return net.sql_count("SELECT COUNT(*) FROM downlink_queue"); }

}  // namespace

// Changed for issue 20: every test here runs over a Semtech UDP gateway and over a LoRa Basics
// Station gateway alike.
TEMPLATE_TEST_CASE("an MQTT command/down is queued and sent in the next RX1, a bad one is answered with a log event",
                   "", OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  const std::string topic = NetworkUnderTest::device_topic(kDevEui) + "/command/down";
  const std::string dev_eui = lorawan::eui64_to_string(kDevEui);

  // A bad command (fPort 0). It also tells when uchetd's command subscription is in place: a
  // QoS 1 publish before it would just be dropped by the broker, so repeat until answered.
  const std::string bad = R"({"devEui": ")" + dev_eui + R"(", "confirmed": false, "fPort": 0, "data": "MAE="})";
  const bool answered = eventually(
      [&] {
        net.publish(topic, bad);
        return !net.wait_events("log", kDevEui, 1, 500ms).empty();
      },
      10s);
  REQUIRE(answered);
  const auto log = net.events("log", kDevEui).front();
  INFO("log event: " << log.dump());
  CHECK(log.contains("description"));
  CHECK(log.contains("level"));
  CHECK(queued(net) == 0);

  const std::string good = R"({"devEui": ")" + dev_eui + R"(", "confirmed": false, "fPort": 5, "data": "MAE="})";
  net.publish(topic, good);
  REQUIRE(eventually([&] { return queued(net) == 1; }, 5s));
  CHECK(net.sql("SELECT f_port, confirmed FROM downlink_queue") == "5|0");
  CHECK(sql_blobs(net.database(), "SELECT data FROM downlink_queue") ==
        std::vector<std::vector<std::uint8_t>>{{0x30, 0x01}});
  CHECK(queued(net) == 1);  // exactly one, even with the bad ones before it

  gateway.take_downlinks();
  auto [downlink, received] = send_expecting_answer(
      device, gateway, {.fport = 2, .payload = {0x01}, .channel = {869'100'000, 5}}, heard(869'100'000));  // RX1
  CHECK(frequency_of(*downlink) == 869'100'000);
  CHECK(data_rate_of(*downlink) == lora(7));
  CHECK_FALSE(received->confirmed);
  CHECK(received->fport == std::optional<std::uint8_t>(5));
  CHECK(lorawan::to_hex(received->payload) == "3001");
  // An unconfirmed item is done once sent.
  CHECK(eventually([&] { return queued(net) == 0; }, 3s));
}

TEMPLATE_TEST_CASE("uchetctl device enqueue --confirmed: sent in RX1, acknowledged by the next uplink, then gone", "",
                   OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "7", "--hex", "0a0b0c", "--confirmed"});
  REQUIRE(queued(net) == 1);

  gateway.take_downlinks();
  auto [downlink, received] = send_expecting_answer(device, gateway, {.fport = 2, .payload = {0x01}});  // RX1
  CHECK(frequency_of(*downlink) == 868'900'000);
  CHECK(received->confirmed);  // MType confirmed data down
  CHECK(received->fport == std::optional<std::uint8_t>(7));
  CHECK(lorawan::to_hex(received->payload) == "0a0b0c");
  // Sent, waiting for its ACK: still in the queue.
  CHECK(queued(net) == 1);
  CHECK(net.events("ack", kDevEui).empty());

  // The device acknowledges it in its next uplink.
  auto ack_frame = device.uplink({.fport = 2, .payload = {0x02}, .ack = true});
  REQUIRE(ack_frame);
  REQUIRE(gateway.push(*ack_frame, heard()).acked);
  auto acks = net.wait_events("ack", kDevEui, 1, 3s);
  REQUIRE(acks.size() == 1);
  INFO("ack event: " << acks[0].dump());
  CHECK(acks[0].at("acknowledged") == true);
  CHECK(acks[0].at("fCntDown") == received->fcnt);
  CHECK(eventually([&] { return queued(net) == 0; }, 3s));
  // And it is not sent again in the RX1 of that uplink.
  if (auto again = gateway.wait_downlink(1500ms)) {
    auto r = device.receive_downlink(phy_payload_of(*again));
    INFO("downlink after the ACK: " << describe(*again, r));
    CHECK_FALSE((r && r->fport == std::optional<std::uint8_t>(7)));
  }
}

TEMPLATE_TEST_CASE(
    "an item larger than the RX1 data rate allows stays queued, the ACK of a confirmed DR0 uplink still goes out", "",
    OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
  auto& [device, net, gateway] = setup;

  // 100 bytes: more than DR0's (SF12) 51-byte maximum FRMPayload.
  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "9", "--hex", std::string(200, 'a')});
  REQUIRE(queued(net) == 1);

  gateway.take_downlinks();
  sim::Reception dr0 = heard();
  dr0.channel = {868'900'000, 0};
  auto frame = device.uplink({.confirmed = true, .fport = 2, .payload = {0x01}, .channel = dr0.channel});
  REQUIRE(frame);
  auto sent = gateway.push(*frame, dr0);
  REQUIRE(sent.acked);
  auto downlink = wait_answer(gateway, sent, 3s);
  REQUIRE(downlink);
  CHECK(downlink->tmst() == static_cast<std::uint32_t>(sent.tmst + 1'000'000u));  // RX1
  CHECK(frequency_of(*downlink) == 868'900'000);
  CHECK(data_rate_of(*downlink) == lora(12));
  auto received = device.receive_downlink(phy_payload_of(*downlink));
  INFO("downlink: " << describe(*downlink, received));
  REQUIRE(received);
  CHECK(received->fctrl.ack);
  CHECK_FALSE(received->fport.has_value());  // no FRMPayload: the big item did not go
  CHECK(received->payload.empty());
  CHECK(phy_payload_of(*downlink).size() <= 51u + 13u);

  auto ups = net.wait_events("up", kDevEui, 1);
  REQUIRE(ups.size() == 1);
  CHECK(ups[0].at("dr") == 0);
  // Still queued, never sent.
  CHECK(net.sql("SELECT COUNT(*), COALESCE(MAX(attempts), -1), COUNT(sent_at) FROM downlink_queue") == "1|0|0");
}

TEMPLATE_TEST_CASE("class C: uchetctl device enqueue goes out at once (imme) on RX2 parameters", "", OverUdp,
                   OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui), [](auto& n, const auto& identity) {
    n.add_device(identity, {"--class", "C"});
  });
  auto& [device, net, gateway] = setup;

  // One uplink, so that the server knows the device's gateway.
  auto frame = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  REQUIRE(gateway.push(*frame, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1, 3s).size() == 1);
  // Let its own class A windows pass so that only the class C downlink is left to see: the
  // join-accept's too (5 s after the join-request), which the gateway holds for then and which a
  // class C transmission must not overlap (docs/downlink-scheduling.md).
  std::this_thread::sleep_for(5500ms);
  gateway.take_downlinks();

  const auto enqueued_at = std::chrono::steady_clock::now();
  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "3", "--hex", "c0ffee"});
  auto downlink = gateway.wait_downlink(3s);
  const auto latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - enqueued_at);
  REQUIRE(downlink);
  INFO("downlink " << latency.count() << " ms after the enqueue");
  CHECK(sent_immediately(*downlink));               // "imme": true, or a station's dC 2
  CHECK(frequency_of(*downlink) == 869'100'000);    // RU864 RX2
  CHECK(data_rate_of(*downlink) == lora(12, 125));  // DR0
  auto received = device.receive_downlink(phy_payload_of(*downlink));
  INFO("downlink: " << describe(*downlink, received));
  REQUIRE(received);
  CHECK(received->fport == std::optional<std::uint8_t>(3));
  CHECK(lorawan::to_hex(received->payload) == "c0ffee");
  CHECK_FALSE(received->confirmed);
  CHECK(eventually([&] { return queued(net) == 0; }, 3s));
}
