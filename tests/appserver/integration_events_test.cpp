#include <catch2/catch.hpp>

#include "appserver/integration_events.h"

using namespace uchet;

TEST_CASE("the up event has ChirpStack v4's field names and meanings") {
  storage::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  d.name = "кв. 12";
  d.codec = "karat-926lw";
  std::vector<bridge::UplinkRx> rx(2);
  rx[0].gateway_eui = 0xAA555A0000000001;
  rx[0].counter_us = 123456;
  rx[0].rssi_dbm = -57;
  rx[0].snr_db = 9.5;
  rx[0].frequency_hz = 868900000;
  rx[0].data_rate = bridge::LoraRate{7, 125};
  rx[0].coding_rate = bridge::CodingRate::k4_5;
  rx[1] = rx[0];
  rx[1].gateway_eui = 0xAA555A0000000002;
  rx[1].snr_db.reset();
  netserver::UplinkEvent e;
  e.deduplication_id = "5b0f1c1e-0000-4000-8000-000000000001";
  e.received_at = netserver::SystemTime(std::chrono::milliseconds(1763805600123));
  e.device = &d;
  e.dev_addr = 0x26011BDA;
  e.dr = 5;
  e.f_cnt = 70000;
  e.f_port = 2;
  e.data = {1, 2, 3, 4};
  e.receptions = &rx;
  auto j = appserver::up_event_json(e, nlohmann::json{{"packet", "current"}});
  CHECK(j["deduplicationId"] == e.deduplication_id);
  CHECK(j["time"] == "2025-11-22T10:00:00.123Z");
  CHECK(j["deviceInfo"]["applicationName"] == "water");
  CHECK(j["deviceInfo"]["deviceName"] == "кв. 12");
  CHECK(j["deviceInfo"]["devEui"] == "0011223344556677");
  CHECK(j["deviceInfo"]["codec"] == "karat-926lw");
  CHECK(j["devAddr"] == "26011bda");
  CHECK(j["fCnt"] == 70000);
  CHECK(j["fPort"] == 2);
  CHECK(j["dr"] == 5);
  CHECK(j["confirmed"] == false);
  CHECK(j["data"] == "AQIDBA==");
  CHECK(j["object"]["packet"] == "current");
  REQUIRE(j["rxInfo"].size() == 2);
  CHECK(j["rxInfo"][0]["gatewayId"] == "aa555a0000000001");
  CHECK(j["rxInfo"][0]["rssi"] == -57);
  CHECK(j["rxInfo"][0]["snr"] == 9.5);
  CHECK_FALSE(j["rxInfo"][1].contains("snr"));
  CHECK(j["txInfo"]["frequency"] == 868900000);
  CHECK(j["txInfo"]["modulation"]["lora"]["bandwidth"] == 125000);
  CHECK(j["txInfo"]["modulation"]["lora"]["spreadingFactor"] == 7);
  CHECK(j["txInfo"]["modulation"]["lora"]["codeRate"] == "CR_4_5");
  CHECK(appserver::device_event_topic(d, "up") == "application/water/device/0011223344556677/event/up");
  e.f_port.reset();
  auto no_port = appserver::up_event_json(e, nullptr);
  CHECK_FALSE(no_port.contains("fPort"));
  CHECK_FALSE(no_port.contains("object"));
}
