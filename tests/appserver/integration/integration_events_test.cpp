#include <catch2/catch.hpp>

#include "appserver/integration/gateway_stats.h"
#include "appserver/integration/integration_events.h"
#include "common/json_writer.h"
#include "tests/support/chirpstack_contract.h"

using namespace uchet;

namespace {

const test::ChirpStackContract& contract() {
  static const test::ChirpStackContract c;
  return c;
}

// The JSON a strict ChirpStack consumer accepts as `message`, parsed; fails the test otherwise.
nlohmann::json strictly(std::string_view message, const std::string& text) {
  INFO(text);
  CHECK(contract().rejection(message, text) == std::nullopt);
  return nlohmann::json::parse(text);
}

const appserver::EventIdentity kIdentity{"0b5f7c3e-9a1d-4d3c-8f2e-111111111111", "Водоканал", "ru864"};
const appserver::RxInfoContext kNoLocations{};

}  // namespace

TEST_CASE("the up event has ChirpStack v4's field names and meanings") {
  schema::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  d.name = "кв. 12";
  d.codec = "karat-926lw";
  d.serial = "926001234";
  d.application_uuid = "6b9f3d4e-1111-4222-8333-444455556666";
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
  const auto up_json = [&](const nlohmann::json& object) {
    return appserver::up_event_json(e, object, kIdentity, appserver::rx_info_json(rx, kNoLocations),
                                    appserver::tx_info_json(rx[0]));
  };
  auto j = strictly("integration.UplinkEvent", up_json(nlohmann::json{{"packet", "current"}}));
  CHECK(j["deduplicationId"] == e.deduplication_id);
  CHECK(j["time"] == "2025-11-22T10:00:00.123Z");
  CHECK(j["deviceInfo"]["applicationName"] == "water");
  CHECK(j["deviceInfo"]["deviceName"] == "кв. 12");
  CHECK(j["deviceInfo"]["devEui"] == "0011223344556677");
  // Changed in issue 16: uchet's own facts of the device are tags (codec, serial and macVersion
  // used to be members of deviceInfo, which strict consumers reject).
  CHECK(j["deviceInfo"]["tags"]["codec"] == "karat-926lw");
  CHECK(j["deviceInfo"]["tags"]["serial"] == "926001234");
  CHECK(j["deviceInfo"]["tags"]["macVersion"] == "1.0.3");
  CHECK_FALSE(j["deviceInfo"].contains("codec"));
  CHECK(j["deviceInfo"]["tenantId"] == kIdentity.tenant_id);
  CHECK(j["deviceInfo"]["tenantName"] == "Водоканал");
  CHECK(j["deviceInfo"]["applicationId"] == d.application_uuid);
  CHECK(j["regionConfigId"] == "ru864");
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
  auto no_port = strictly("integration.UplinkEvent", up_json(nullptr));
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
  const std::string rx_info = appserver::rx_info_json(rx, kNoLocations), tx_info = appserver::tx_info_json(rx[0]);
  CHECK(nlohmann::json::parse(tx_info) ==
        nlohmann::json::parse(R"({"frequency":869100000,"modulation":{"fsk":{"datarate":50000}}})"));
  auto up = strictly("integration.UplinkEvent", appserver::up_event_json(e, nullptr, kIdentity, rx_info, tx_info));
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
  CHECK_THROWS_AS(appserver::join_event_json(e, kIdentity), common::JsonWriteError);
  d.name = "кв. 12 \"угловая\"\n";
  auto j = strictly("integration.JoinEvent", appserver::join_event_json(e, kIdentity));
  CHECK(j["deviceInfo"]["deviceName"] == "кв. 12 \"угловая\"\n");
}

TEST_CASE("a log event writes its context once per key, the last value winning") {
  netserver::LogEvent e;
  e.level = "ERROR";
  e.code = "UNKNOWN";
  e.description = "fPort 0";
  e.context = {{"fPort", "0"}, {"devEui", "0011223344556677"}, {"fPort", "300"}};
  const std::string text = appserver::log_event_json(e, kIdentity);
  auto j = strictly("integration.LogEvent", text);
  CHECK(j["context"].size() == 2);
  CHECK(j["context"]["fPort"] == "300");
  CHECK(text.find("\"fPort\":\"0\"") == std::string::npos);
  CHECK_FALSE(j.contains("deviceInfo"));
}

TEST_CASE("rxInfo carries gwTime, nsTime, crcStatus, the gateway's registered location, its counter and antennas") {
  std::vector<gateway_bridge::Reception> rx(2);
  rx[0].gateway_eui = 0xAA555A0000000001;
  rx[0].counter = gateway_bridge::CounterTime{(std::uint64_t{1} << 32) + 0x01020304, 0};  // widened past one wrap
  rx[0].utc_time = gateway_bridge::UtcTime(std::chrono::microseconds(1763805600123456));
  rx[0].gps_time = gateway_bridge::GpsTime(1447840818123);
  rx[0].rssi_dbm = -71;
  rx[0].snr_db = 4.5;
  rx[0].antenna = 1;
  rx[0].metadata = {{"antenna_0", "rssi=-80 snr=1.5 channel=3"}, {"antenna_1", "rssi=-71 snr=4.5 channel=3"}};
  rx[0].data_rate = gateway_bridge::LoraRate{9, 125};
  rx[1] = rx[0];
  rx[1].gateway_eui = 0xAA555A0000000002;
  rx[1].utc_time.reset();
  rx[1].gps_time.reset();
  rx[1].antenna.reset();
  rx[1].metadata.clear();
  const auto steady = std::chrono::steady_clock::now();
  rx[0].received_at = steady - std::chrono::milliseconds(250);
  rx[1].received_at = steady - std::chrono::milliseconds(40);
  appserver::RxInfoContext context{netserver::SystemTime(std::chrono::milliseconds(1763805601000)), steady,
                                   [](lorawan::Eui64 eui) -> std::optional<appserver::GatewayLocation> {
                                     if (eui == 0xAA555A0000000001)
                                       return appserver::GatewayLocation{56.8389, 60.6057, 270};
                                     return std::nullopt;
                                   }};
  const auto text = appserver::rx_info_json(rx, context);
  auto j = nlohmann::json::parse(text);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["gwTime"] == "2025-11-22T10:00:00.123456Z");
  CHECK(j[0]["nsTime"] == "2025-11-22T10:00:00.750Z");  // 250 ms before the server's reading
  CHECK(j[1]["nsTime"] == "2025-11-22T10:00:00.960Z");
  CHECK_FALSE(j[1].contains("gwTime"));
  CHECK_FALSE(j[0].contains("time"));  // the pre-4.6 name, changed in issue 16
  CHECK(j[0]["timeSinceGpsEpoch"] == "1447840818.123s");
  CHECK(j[0]["crcStatus"] == "CRC_OK");
  CHECK(j[0]["context"] == "AQIDBA==");  // the 32-bit tmst 0x01020304, big-endian
  CHECK(j[0]["antenna"] == 1);
  CHECK(j[0]["metadata"]["antenna_0"] == "rssi=-80 snr=1.5 channel=3");
  CHECK(j[0]["location"]["latitude"] == 56.8389);
  CHECK(j[0]["location"]["altitude"] == 270);
  CHECK_FALSE(j[1].contains("location"));
  CHECK_FALSE(j[1].contains("metadata"));
  for (const auto& one : j) CHECK(contract().rejection("gw.UplinkRxInfo", one.dump()) == std::nullopt);
}

TEST_CASE("txack has txInfo; a gateway's refusal or warning is a DOWNLINK_GATEWAY log event") {
  schema::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  netserver::TxAckEvent e;
  e.time = netserver::SystemTime(std::chrono::seconds(1763805600));
  e.device = &d;
  e.gateway_eui = 0xAA555A0000000001;
  e.token = 0x1234;
  e.queue_item_id = "7c4e2f00-aaaa-4bbb-8ccc-000000000001";
  e.f_cnt_down = 3;
  e.uplink_at = gateway_bridge::CounterTime{5'000'000, 0};
  e.transmission.timing = gateway_bridge::CounterTime{6'000'000, 0};
  e.transmission.frequency_hz = 868'900'000;
  e.transmission.power_dbm = 14;
  e.transmission.data_rate = gateway_bridge::LoraRate{7, 125};
  auto j = strictly("integration.TxAckEvent", appserver::txack_event_json(e, kIdentity));
  CHECK(j["queueItemId"] == *e.queue_item_id);
  CHECK(j["downlinkId"] == 0x1234);
  CHECK(j["txInfo"]["frequency"] == 868'900'000);
  CHECK(j["txInfo"]["power"] == 14);
  CHECK(j["txInfo"]["timing"]["delay"]["delay"] == "1.000s");
  CHECK(j["txInfo"]["context"] == "AExLQA==");  // 5,000,000 big-endian
  CHECK(j["txInfo"]["modulation"]["lora"]["polarizationInversion"] == true);
  CHECK_FALSE(appserver::gateway_log_event(e));  // a plain OK: no log

  e.transmission.timing = gateway_bridge::Immediately{};
  CHECK(strictly("integration.TxAckEvent", appserver::txack_event_json(e, kIdentity))["txInfo"]["timing"] ==
        nlohmann::json::parse(R"({"immediately":{}})"));

  e.warning = "TX_POWER 12";
  auto warning = appserver::gateway_log_event(e);
  REQUIRE(warning);
  auto w = strictly("integration.LogEvent", appserver::log_event_json(*warning, kIdentity));
  CHECK(w["level"] == "WARNING");
  CHECK(w["code"] == "DOWNLINK_GATEWAY");
  CHECK(w["description"] == "TX_POWER 12");
  CHECK(w["context"]["queueItemId"] == *e.queue_item_id);

  e.warning.clear();
  e.error = "TOO_LATE";
  auto refusal = appserver::gateway_log_event(e);
  REQUIRE(refusal);
  auto r = strictly("integration.LogEvent", appserver::log_event_json(*refusal, kIdentity));
  CHECK(r["level"] == "ERROR");
  CHECK(r["code"] == "DOWNLINK_GATEWAY");
  CHECK(r["description"] == "TOO_LATE");
  CHECK(r["context"]["gatewayId"] == "aa555a0000000001");
  CHECK(r["context"]["error"] == "TOO_LATE");
}

TEST_CASE("gateway stats are gw.GatewayStats, the forwarder's other figures in metadata") {
  gateway_bridge::GatewayStats s;
  s.time = std::chrono::sys_seconds(std::chrono::seconds(1763805600));
  s.position = gateway_bridge::GatewayPosition{56.8389, 60.6057, 270.0};
  s.rx_received = 12;
  s.rx_crc_ok = 10;
  s.rx_forwarded = 9;
  s.push_acked_percent = 87.5;
  s.downlinks_received = 3;
  s.downlinks_transmitted = 2;
  s.temperature_c = 41.5;
  auto j = strictly("gw.GatewayStats", appserver::gateway_stats_json(0xAA555A0000000001, s, {}));
  CHECK(j["gatewayId"] == "aa555a0000000001");
  CHECK(j["time"] == "2025-11-22T10:00:00.000Z");
  CHECK(j["rxPacketsReceivedOk"] == 10);
  CHECK(j["txPacketsEmitted"] == 2);
  CHECK(j["location"]["source"] == "GPS");
  // Changed in issue 16: rxPacketsForwarded and pushAckedPercent were top-level members.
  CHECK_FALSE(j.contains("rxPacketsForwarded"));
  CHECK(j["metadata"]["rxPacketsForwarded"] == "9");
  CHECK(j["metadata"]["pushAckedPercent"] == "87.5");
  CHECK(j["metadata"]["temperature"] == "41.5");
  s.temperature_c.reset();
  s.position.reset();
  auto plain = strictly("gw.GatewayStats", appserver::gateway_stats_json(0xAA555A0000000001, s, {}));
  CHECK_FALSE(plain["metadata"].contains("temperature"));
  CHECK_FALSE(plain.contains("location"));
}

TEST_CASE("a device installed at a metering point names its object, premise and point in deviceInfo.tags") {
  schema::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  d.codec = "karat-926lw";
  netserver::JoinEvent e;
  e.deduplication_id = "5b0f1c1e-0000-4000-8000-000000000002";
  e.time = netserver::SystemTime(std::chrono::milliseconds(1763805600123));
  e.device = &d;
  e.dev_addr = 0x26011BDA;
  auto identity = kIdentity;
  auto bare = strictly("integration.JoinEvent", appserver::join_event_json(e, identity));
  CHECK_FALSE(bare["deviceInfo"]["tags"].contains("object"));
  identity.place = schema::DevicePlace{"Ленина 1", "12", "ХВС кв. 12"};
  auto j = strictly("integration.JoinEvent", appserver::join_event_json(e, identity));
  CHECK(j["deviceInfo"]["tags"]["object"] == "Ленина 1");
  CHECK(j["deviceInfo"]["tags"]["premise"] == "12");
  CHECK(j["deviceInfo"]["tags"]["meteringPoint"] == "ХВС кв. 12");
  identity.place->premise.clear();  // a building-level point
  CHECK_FALSE(strictly("integration.JoinEvent", appserver::join_event_json(e, identity))["deviceInfo"]["tags"].contains(
      "premise"));
}
