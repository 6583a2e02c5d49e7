#include "appserver/integration_events.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "netserver/lorawan/encoding.h"

namespace uchet::appserver {

std::string device_event_topic(const storage::Device& device, std::string_view event) {
  return fmt::format("application/{}/device/{}/event/{}", device.application, lorawan::eui64_to_string(device.dev_eui), event);
}

std::string iso8601_utc(netserver::SystemTime time) {
  auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(time);
  auto seconds = std::chrono::floor<std::chrono::seconds>(ms);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", seconds, (ms - seconds).count());
}

// The builders below assign members one by one: nlohmann's initializer-list construction
// ({{"key", value}, ...}) copies every value through a temporary and measured ~3x slower, and
// an up event is built for every accepted uplink.

nlohmann::json device_info_json(const storage::Device& d) {
  nlohmann::json j(nlohmann::json::value_t::object);
  j["applicationName"] = d.application;
  j["deviceName"] = d.name;
  j["devEui"] = lorawan::eui64_to_string(d.dev_eui);
  j["codec"] = d.codec;
  j["serial"] = d.serial;
  j["deviceClassEnabled"] = std::string("CLASS_") + d.device_class;
  j["macVersion"] = d.mac_version;
  return j;
}

nlohmann::json rx_info_json(const std::vector<bridge::UplinkRx>& receptions) {
  auto out = nlohmann::json::array();
  for (const auto& rx : receptions) {
    nlohmann::json j(nlohmann::json::value_t::object);
    j["gatewayId"] = lorawan::eui64_to_string(rx.gateway_eui);
    j["uplinkId"] = rx.counter_us;
    j["rssi"] = rx.rssi_dbm;
    j["channel"] = rx.channel;
    j["rfChain"] = rx.rf_chain;
    j["context"] = lorawan::to_base64(lorawan::Bytes{static_cast<std::uint8_t>(rx.counter_us >> 24),
                                                     static_cast<std::uint8_t>(rx.counter_us >> 16),
                                                     static_cast<std::uint8_t>(rx.counter_us >> 8),
                                                     static_cast<std::uint8_t>(rx.counter_us)});
    if (rx.snr_db) j["snr"] = *rx.snr_db;
    if (rx.utc_time) j["time"] = iso8601_utc(std::chrono::time_point_cast<netserver::SystemTime::duration>(*rx.utc_time));
    if (rx.gps_time) j["timeSinceGpsEpoch"] = fmt::format("{:.3f}s", rx.gps_time->count() / 1000.0);
    out.push_back(std::move(j));
  }
  return out;
}

nlohmann::json tx_info_json(const bridge::UplinkRx& rx) {
  nlohmann::json j(nlohmann::json::value_t::object);
  j["frequency"] = rx.frequency_hz;
  auto& modulation = j["modulation"];
  if (const auto* lora = std::get_if<bridge::LoraRate>(&rx.data_rate)) {
    auto& m = modulation["lora"];
    m["bandwidth"] = lora->bandwidth_khz * 1000;
    m["spreadingFactor"] = lora->spreading_factor;
    m["codeRate"] = rx.coding_rate ? fmt::format("CR_4_{}", static_cast<int>(*rx.coding_rate)) : "CR_4_5";
  } else {
    modulation["fsk"]["datarate"] = std::get<bridge::FskRate>(rx.data_rate).bitrate_bps;
  }
  return j;
}

nlohmann::json up_event_json(const netserver::UplinkEvent& e, const nlohmann::json& object) {
  return up_event_json(e, object, rx_info_json(*e.receptions), tx_info_json(e.receptions->front()));
}

nlohmann::json up_event_json(const netserver::UplinkEvent& e, const nlohmann::json& object, nlohmann::json rx_info,
                             nlohmann::json tx_info) {
  nlohmann::json j(nlohmann::json::value_t::object);
  j["deduplicationId"] = e.deduplication_id;
  j["time"] = iso8601_utc(e.received_at);
  j["deviceInfo"] = device_info_json(*e.device);
  j["devAddr"] = lorawan::dev_addr_to_string(e.dev_addr);
  j["adr"] = e.adr;
  j["dr"] = e.dr;
  j["fCnt"] = e.f_cnt;
  j["confirmed"] = e.confirmed;
  j["data"] = lorawan::to_base64(e.data);
  j["rxInfo"] = std::move(rx_info);
  j["txInfo"] = std::move(tx_info);
  if (e.f_port) j["fPort"] = *e.f_port;
  if (!object.is_null()) j["object"] = object;
  return j;
}

nlohmann::json join_event_json(const netserver::JoinEvent& e) {
  return {{"deduplicationId", e.deduplication_id},
          {"time", iso8601_utc(e.time)},
          {"deviceInfo", device_info_json(*e.device)},
          {"devAddr", lorawan::dev_addr_to_string(e.dev_addr)}};
}

nlohmann::json status_event_json(const netserver::StatusEvent& e) {
  nlohmann::json j = {{"deduplicationId", e.deduplication_id},
                      {"time", iso8601_utc(e.time)},
                      {"deviceInfo", device_info_json(*e.device)},
                      {"margin", e.margin},
                      {"externalPowerSource", e.external_power_source},
                      {"batteryLevelUnavailable", !e.battery_level_percent && !e.external_power_source}};
  if (e.battery_level_percent) j["batteryLevel"] = *e.battery_level_percent;
  return j;
}

nlohmann::json ack_event_json(const netserver::AckEvent& e) {
  return {{"time", iso8601_utc(e.time)},
          {"deviceInfo", device_info_json(*e.device)},
          {"queueItemId", std::to_string(e.queue_item_id)},
          {"acknowledged", e.acknowledged},
          {"fCntDown", e.f_cnt_down}};
}

nlohmann::json txack_event_json(const netserver::TxAckEvent& e) {
  nlohmann::json j = {{"time", iso8601_utc(e.time)},
                      {"deviceInfo", device_info_json(*e.device)},
                      {"downlinkId", e.token},
                      {"fCntDown", e.f_cnt_down},
                      {"gatewayId", lorawan::eui64_to_string(e.gateway_eui)}};
  if (e.queue_item_id) j["queueItemId"] = std::to_string(*e.queue_item_id);
  if (!e.error.empty()) j["error"] = e.error;
  return j;
}

nlohmann::json log_event_json(const netserver::LogEvent& e) {
  nlohmann::json context = nlohmann::json::object();
  for (const auto& [k, v] : e.context) context[k] = v;
  nlohmann::json j = {{"time", iso8601_utc(e.time)}, {"level", e.level}, {"code", e.code}, {"description", e.description},
                      {"context", context}};
  if (e.device) j["deviceInfo"] = device_info_json(*e.device);
  return j;
}

nlohmann::json alarm_event_json(const storage::Device& device, const AlarmChange& change) {
  return {{"kind", change.kind},
          {"state", change.opened ? "open" : "closed"},
          {"time", iso8601_utc(netserver::SystemTime(std::chrono::seconds(change.time)))},
          {"alarmId", std::to_string(change.alarm_id)},
          {"deviceInfo", device_info_json(device)}};
}

}  // namespace uchet::appserver
