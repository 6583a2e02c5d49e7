#include <catch2/catch.hpp>

#include "appserver/integration/integration_events.h"
#include "common/json_writer.h"

using namespace uchet;

TEST_CASE("the up event has ChirpStack v4's field names and meanings") {
  schema::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  d.name = "кв. 12";
  d.codec = "karat-926lw";
  std::vector<gateway_bridge::Reception> rx(2);
  rx[0].gateway_eui = 0xAA555A0000000001;
  rx[0].counter = gateway_bridge::CounterTime{123456, 123456};
  rx[0].rssi_dbm = -57;
  rx[0].snr_db = 9.5;
  rx[0].frequency_hz = 868900000;
  rx[0].data_rate = gateway_bridge::LoraRate{7, 125};
  rx[0].coding_rate = gateway_bridge::CodingRate::k4_5;
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
  auto j = nlohmann::json::parse(appserver::up_event_json(e, nlohmann::json{{"packet", "current"}}));
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
  CHECK(appserver::TopicLayout().device_event(d, "up") == "application/water/device/0011223344556677/event/up");
  e.f_port.reset();
  auto no_port = nlohmann::json::parse(appserver::up_event_json(e, nullptr));
  CHECK_FALSE(no_port.contains("fPort"));
  CHECK_FALSE(no_port.contains("object"));
}

TEST_CASE("the up event's rxInfo and txInfo are the same text that is stored with the frame") {
  schema::Device d;
  d.application = "water";
  std::vector<gateway_bridge::Reception> rx(1);
  rx[0].gateway_eui = 0xAA555A0000000001;
  rx[0].snr_db = -2.25;
  rx[0].frequency_hz = 869100000;
  rx[0].data_rate = gateway_bridge::FskRate{50000};
  netserver::UplinkEvent e;
  e.device = &d;
  e.receptions = &rx;
  const std::string rx_info = appserver::rx_info_json(rx), tx_info = appserver::tx_info_json(rx[0]);
  CHECK(nlohmann::json::parse(tx_info) ==
        nlohmann::json::parse(R"({"frequency":869100000,"modulation":{"fsk":{"datarate":50000}}})"));
  auto up = nlohmann::json::parse(appserver::up_event_json(e, nullptr, rx_info, tx_info));
  CHECK(up["rxInfo"] == nlohmann::json::parse(rx_info));
  CHECK(up["rxInfo"][0]["snr"] == -2.25);
  CHECK(up["txInfo"] == nlohmann::json::parse(tx_info));
}

TEST_CASE("a device name that is not UTF-8 makes the event fail instead of publishing broken JSON") {
  schema::Device d;
  d.application = "water";
  d.name = "bad \xff name";
  netserver::JoinEvent e;
  e.device = &d;
  CHECK_THROWS_AS(appserver::join_event_json(e), common::JsonWriteError);
  d.name = "кв. 12 \"угловая\"\n";
  auto j = nlohmann::json::parse(appserver::join_event_json(e));
  CHECK(j["deviceInfo"]["deviceName"] == "кв. 12 \"угловая\"\n");
}

TEST_CASE("a log event writes its context once per key, the last value winning") {
  netserver::LogEvent e;
  e.level = "ERROR";
  e.code = "COMMAND";
  e.description = "fPort 0";
  e.context = {{"fPort", "0"}, {"devEui", "0011223344556677"}, {"fPort", "300"}};
  const std::string text = appserver::log_event_json(e);
  auto j = nlohmann::json::parse(text);
  CHECK(j["context"].size() == 2);
  CHECK(j["context"]["fPort"] == "300");
  CHECK(text.find("\"fPort\":\"0\"") == std::string::npos);
  CHECK_FALSE(j.contains("deviceInfo"));
}
