// ChirpStack's own topic layout, by application id, configured with its one documented line per
// template: events arrive under the application's UUID, and a command sent there is queued and
// sent; the name-based topics are then neither published nor listened to.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000e01;

}  // namespace

// Changed for issue 20: runs over a Semtech UDP gateway and over a LoRa Basics Station gateway.
TEMPLATE_TEST_CASE("with ChirpStack's layout by application id, events and commands use the application's UUID", "",
                   OverUdp, OverBasicStation) {
  OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui), [](NetworkUnderTest& net, const sim::DeviceIdentity& id) {
    net.mqtt_config =
        "event_topic = \"application/{application_id}/device/{dev_eui}/event/{event}\"\n"
        "command_topic = \"application/{application_id}/device/{dev_eui}/command/down\"\n";
    net.add_device(id);
  });
  auto& [device, net, gateway] = setup;
  const std::string uuid = net.sql(std::string("SELECT uuid FROM application WHERE name = '") + kApplication + "'");
  REQUIRE(uuid.size() == 36);
  const std::string dev_eui = lorawan::eui64_to_string(kDevEui);
  const std::string base = "application/" + uuid + "/device/" + dev_eui;
  const auto on = [&](const std::string& topic) {
    std::vector<nlohmann::json> out;
    for (const auto& m : net.recorder().messages()) {
      if (m.topic == topic) out.push_back(nlohmann::json::parse(m.payload));
    }
    return out;
  };
  REQUIRE(eventually([&] { return !on(base + "/event/join").empty(); }, 5s));
  CHECK(net.events("join", kDevEui).empty());  // nothing under the application's name

  // Answered with a log under the UUID once the subscription is in place (fPort 0 is refused).
  const std::string bad = R"({"devEui":")" + dev_eui + R"(","fPort":0,"data":"MAE="})";
  REQUIRE(eventually(
      [&] {
        net.publish(base + "/command/down", bad);
        return eventually([&] { return !on(base + "/event/log").empty(); }, 500ms);
      },
      10s));
  // The name-based command topic is not listened to: this valid command is never queued, and the
  // next one, sent after it, is.
  net.publish(NetworkUnderTest::device_topic(kDevEui) + "/command/down",
              R"({"devEui":")" + dev_eui + R"(","fPort":6,"data":"MAE="})");
  net.publish(base + "/command/down",
              R"({"id":"8d1c3a5e-2b4f-4c6d-9e8f-0a1b2c3d4e5f","devEui":")" + dev_eui + R"(","fPort":5,"data":"MAE="})");
  REQUIRE(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM downlink_queue") == 1; }, 5s));
  CHECK(net.sql("SELECT f_port, queue_item_id FROM downlink_queue") == "5|8d1c3a5e-2b4f-4c6d-9e8f-0a1b2c3d4e5f");

  gateway.take_downlinks();
  const auto answer = send_expecting_answer(
      device, gateway, {.fport = 2, .payload = {0x01}, .channel = {869'100'000, 5}}, heard(869'100'000));
  CHECK(answer.received->fport == std::optional<std::uint8_t>(5));
  CHECK(lorawan::to_hex(answer.received->payload) == "3001");
  CHECK(eventually([&] { return !on(base + "/event/up").empty(); }, 3s));
  CHECK(net.events("up", kDevEui).empty());
}
