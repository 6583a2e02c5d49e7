#include "appserver/integration/integration_events.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "common/json_writer.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::appserver {

using common::JsonWriter;

std::string iso8601_utc(netserver::SystemTime time) {
  return common::format_utc_ms(std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count());
}

namespace {

void write_device_info(JsonWriter& w, const schema::Device& d) {
  w.key("deviceInfo").begin_object();
  w.key("applicationName").string(d.application);
  w.key("deviceName").string(d.name);
  w.key("devEui").string(lorawan::eui64_to_string(d.dev_eui));
  w.key("codec").string(d.codec);
  w.key("serial").string(d.serial);
  w.key("deviceClassEnabled").string(std::string("CLASS_") + d.device_class);
  w.key("macVersion").string(d.mac_version);
  w.end_object();
}

// The backend's opaque context, big-endian, in 4 bytes when it fits (Semtech's tmst, as
// ChirpStack writes it), else 8.
lorawan::Bytes context_bytes(std::uint64_t context) {
  const std::size_t size = context > UINT32_MAX ? 8 : 4;
  lorawan::Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(context >> (8 * (size - 1 - i)));
  return bytes;
}

}  // namespace

std::string rx_info_json(const std::vector<gateway_bridge::Reception>& receptions) {
  JsonWriter w;
  w.begin_array();
  for (const auto& rx : receptions) {
    w.begin_object();
    w.key("gatewayId").string(lorawan::eui64_to_string(rx.gateway_eui));
    w.key("uplinkId").number(static_cast<std::uint32_t>(rx.counter.counter_us));  // Semtech: the tmst
    w.key("rssi").number(rx.rssi_dbm);
    w.key("channel").number(rx.channel);
    w.key("rfChain").number(rx.rf_chain);
    w.key("context").string(lorawan::to_base64(context_bytes(rx.counter.context)));
    if (rx.snr_db) w.key("snr").number(*rx.snr_db);
    if (rx.utc_time)
      w.key("time").string(iso8601_utc(std::chrono::time_point_cast<netserver::SystemTime::duration>(*rx.utc_time)));
    if (rx.gps_time) w.key("timeSinceGpsEpoch").string(fmt::format("{:.3f}s", rx.gps_time->count() / 1000.0));
    w.end_object();
  }
  w.end_array();
  return w.str();
}

std::string tx_info_json(const gateway_bridge::Reception& rx) {
  JsonWriter w;
  w.begin_object();
  w.key("frequency").number(rx.frequency_hz);
  w.key("modulation").begin_object();
  if (const auto* lora = std::get_if<gateway_bridge::LoraRate>(&rx.data_rate)) {
    w.key("lora").begin_object();
    w.key("bandwidth").number(lora->bandwidth_khz * 1000);
    w.key("spreadingFactor").number(lora->spreading_factor);
    w.key("codeRate").string(rx.coding_rate ? fmt::format("CR_4_{}", static_cast<int>(*rx.coding_rate)) : "CR_4_5");
    w.end_object();
  } else {
    w.key("fsk")
        .begin_object()
        .key("datarate")
        .number(std::get<gateway_bridge::FskRate>(rx.data_rate).bitrate_bps)
        .end_object();
  }
  w.end_object();
  w.end_object();
  return w.str();
}

std::string up_event_json(const netserver::UplinkEvent& e, const nlohmann::json& object) {
  return up_event_json(e, object, rx_info_json(*e.receptions), tx_info_json(e.receptions->front()));
}

std::string up_event_json(const netserver::UplinkEvent& e, const nlohmann::json& object, std::string_view rx_info,
                          std::string_view tx_info) {
  JsonWriter w;
  w.begin_object();
  w.key("deduplicationId").string(e.deduplication_id);
  w.key("time").string(iso8601_utc(e.received_at));
  write_device_info(w, *e.device);
  w.key("devAddr").string(lorawan::dev_addr_to_string(e.dev_addr));
  w.key("adr").boolean(e.adr);
  w.key("dr").number(e.dr);
  w.key("fCnt").number(e.f_cnt);
  w.key("confirmed").boolean(e.confirmed);
  w.key("data").string(lorawan::to_base64(e.data));
  w.key("rxInfo").raw(rx_info);
  w.key("txInfo").raw(tx_info);
  if (e.f_port) w.key("fPort").number(*e.f_port);
  if (!object.is_null()) w.key("object").raw(object.dump());
  w.end_object();
  return w.str();
}

std::string join_event_json(const netserver::JoinEvent& e) {
  JsonWriter w;
  w.begin_object();
  w.key("deduplicationId").string(e.deduplication_id);
  w.key("time").string(iso8601_utc(e.time));
  write_device_info(w, *e.device);
  w.key("devAddr").string(lorawan::dev_addr_to_string(e.dev_addr));
  w.end_object();
  return w.str();
}

std::string status_event_json(const netserver::StatusEvent& e) {
  JsonWriter w;
  w.begin_object();
  w.key("deduplicationId").string(e.deduplication_id);
  w.key("time").string(iso8601_utc(e.time));
  write_device_info(w, *e.device);
  w.key("margin").number(e.margin);
  w.key("externalPowerSource").boolean(e.external_power_source);
  w.key("batteryLevelUnavailable").boolean(!e.battery_level_percent && !e.external_power_source);
  if (e.battery_level_percent) w.key("batteryLevel").number(*e.battery_level_percent);
  w.end_object();
  return w.str();
}

std::string ack_event_json(const netserver::AckEvent& e) {
  JsonWriter w;
  w.begin_object();
  w.key("time").string(iso8601_utc(e.time));
  write_device_info(w, *e.device);
  w.key("queueItemId").string(std::to_string(e.queue_item_id));
  w.key("acknowledged").boolean(e.acknowledged);
  w.key("fCntDown").number(e.f_cnt_down);
  w.end_object();
  return w.str();
}

std::string txack_event_json(const netserver::TxAckEvent& e) {
  JsonWriter w;
  w.begin_object();
  w.key("time").string(iso8601_utc(e.time));
  write_device_info(w, *e.device);
  w.key("downlinkId").number(e.token);
  w.key("fCntDown").number(e.f_cnt_down);
  w.key("gatewayId").string(lorawan::eui64_to_string(e.gateway_eui));
  if (e.queue_item_id) w.key("queueItemId").string(std::to_string(*e.queue_item_id));
  if (!e.error.empty()) w.key("error").string(e.error);
  w.end_object();
  return w.str();
}

std::string log_event_json(const netserver::LogEvent& e) {
  JsonWriter w;
  w.begin_object();
  w.key("time").string(iso8601_utc(e.time));
  w.key("level").string(e.level);
  w.key("code").string(e.code);
  w.key("description").string(e.description);
  w.key("context").begin_object();
  for (auto it = e.context.begin(); it != e.context.end(); ++it) {
    // A key given twice is written once, with its last value.
    const bool repeated_later =
        std::any_of(std::next(it), e.context.end(), [&](const auto& kv) { return kv.first == it->first; });
    if (!repeated_later) w.key(it->first).string(it->second);
  }
  w.end_object();
  if (e.device) write_device_info(w, *e.device);
  w.end_object();
  return w.str();
}

std::string alarm_event_json(const schema::Device& device, const AlarmChange& change) {
  JsonWriter w;
  w.begin_object();
  w.key("kind").string(change.kind);
  w.key("state").string(change.opened ? "open" : "closed");
  w.key("time").string(iso8601_utc(netserver::SystemTime(std::chrono::seconds(change.time))));
  w.key("alarmId").string(std::to_string(change.alarm_id));
  write_device_info(w, device);
  w.end_object();
  return w.str();
}

}  // namespace uchet::appserver
