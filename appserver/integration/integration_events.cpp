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

// A gateway's own time keeps its microseconds (protobuf's Timestamp takes 3, 6 or 9 digits).
std::string iso8601_utc_us(gateway_bridge::UtcTime time) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(time);
  auto text = common::format_utc_ms(ms.time_since_epoch().count());  // ...:00.123Z
  text.insert(text.size() - 1, fmt::format("{:03d}", (time - ms).count()));
  return text;
}

// protobuf's Duration in JSON: seconds with 3 decimals and an "s".
std::string duration_json(std::chrono::microseconds d) { return fmt::format("{:.3f}s", d.count() / 1e6); }

void write_device_info(JsonWriter& w, const schema::Device& d, const EventIdentity& identity) {
  w.key("deviceInfo").begin_object();
  w.key("tenantId").string(identity.tenant_id);
  w.key("tenantName").string(identity.tenant_name);
  if (!d.application_uuid.empty()) w.key("applicationId").string(d.application_uuid);
  w.key("applicationName").string(d.application);
  w.key("deviceName").string(d.name);
  w.key("devEui").string(lorawan::eui64_to_string(d.dev_eui));
  w.key("deviceClassEnabled").string(std::string("CLASS_") + d.device_class);
  // uchet's own facts of the device: ChirpStack's place for them is the device's tags.
  w.key("tags").begin_object();
  if (!d.codec.empty()) w.key("codec").string(d.codec);
  if (!d.serial.empty()) w.key("serial").string(d.serial);
  w.key("macVersion").string(d.mac_version);
  w.key("activation").string(d.abp ? "ABP" : "OTAA");
  if (identity.place) {
    w.key("object").string(identity.place->object);
    if (!identity.place->premise.empty()) w.key("premise").string(identity.place->premise);
    w.key("meteringPoint").string(identity.place->point);
  }
  w.end_object();
  w.end_object();
}

// A counter moment as ChirpStack's Semtech bridge writes rxInfo.context and txInfo.context: the
// 32-bit tmst, big-endian, Base64.
std::string counter_context(const gateway_bridge::CounterTime& at) {
  const auto tmst = static_cast<std::uint32_t>(at.counter_us);
  const lorawan::Bytes bytes{static_cast<std::uint8_t>(tmst >> 24), static_cast<std::uint8_t>(tmst >> 16),
                             static_cast<std::uint8_t>(tmst >> 8), static_cast<std::uint8_t>(tmst)};
  return lorawan::to_base64(bytes);
}

void write_modulation(JsonWriter& w, const gateway_bridge::DataRate& rate,
                      std::optional<gateway_bridge::CodingRate> coding_rate,
                      std::optional<bool> polarization_inversion) {
  w.key("modulation").begin_object();
  if (const auto* lora = std::get_if<gateway_bridge::LoraRate>(&rate)) {
    w.key("lora").begin_object();
    w.key("bandwidth").number(lora->bandwidth_khz * 1000);
    w.key("spreadingFactor").number(lora->spreading_factor);
    w.key("codeRate").string(coding_rate ? fmt::format("CR_4_{}", static_cast<int>(*coding_rate)) : "CR_4_5");
    if (polarization_inversion) w.key("polarizationInversion").boolean(*polarization_inversion);
    w.end_object();
  } else {
    w.key("fsk")
        .begin_object()
        .key("datarate")
        .number(std::get<gateway_bridge::FskRate>(rate).bitrate_bps)
        .end_object();
  }
  w.end_object();
}

}  // namespace

void write_gateway_location(JsonWriter& w, const GatewayLocation& l, std::optional<std::string_view> source) {
  w.key("location").begin_object();
  w.key("latitude").number(l.latitude);
  w.key("longitude").number(l.longitude);
  w.key("altitude").number(l.altitude);
  if (source) w.key("source").string(*source);
  w.end_object();
}

std::string rx_info_json(const std::vector<gateway_bridge::Reception>& receptions, const RxInfoContext& context) {
  JsonWriter w;
  w.begin_array();
  for (const auto& rx : receptions) {
    w.begin_object();
    w.key("gatewayId").string(lorawan::eui64_to_string(rx.gateway_eui));
    w.key("uplinkId").number(static_cast<std::uint32_t>(rx.counter.counter_us));  // Semtech: the tmst
    // gwTime: the gateway's own clock (Semtech `time`), only when it sent one; nsTime: when the
    // copy reached uchet, on the server's clock (docs/integration.md, "Times").
    if (rx.utc_time) w.key("gwTime").string(iso8601_utc_us(*rx.utc_time));
    const auto arrived = rx.received_at == std::chrono::steady_clock::time_point{}
                             ? context.system_now
                             : context.system_now - std::chrono::duration_cast<netserver::SystemTime::duration>(
                                                        context.steady_now - rx.received_at);
    w.key("nsTime").string(iso8601_utc(arrived));
    if (rx.gps_time) {
      w.key("timeSinceGpsEpoch")
          .string(duration_json(std::chrono::duration_cast<std::chrono::microseconds>(*rx.gps_time)));
    }
    w.key("rssi").number(rx.rssi_dbm);
    if (rx.snr_db) w.key("snr").number(*rx.snr_db);
    w.key("channel").number(rx.channel);
    w.key("rfChain").number(rx.rf_chain);
    if (rx.antenna) w.key("antenna").number(*rx.antenna);
    if (context.location_of) {
      if (auto location = context.location_of(rx.gateway_eui)) write_gateway_location(w, *location, std::nullopt);
    }
    w.key("context").string(counter_context(rx.counter));
    if (!rx.metadata.empty()) {
      w.key("metadata").begin_object();
      for (const auto& [key, value] : rx.metadata) w.key(key).string(value);
      w.end_object();
    }
    // Receptions with a bad CRC are dropped by the bridge: every one here passed.
    w.key("crcStatus").string("CRC_OK");
    w.end_object();
  }
  w.end_array();
  return w.str();
}

std::string tx_info_json(const gateway_bridge::Reception& rx) {
  JsonWriter w;
  w.begin_object();
  w.key("frequency").number(rx.frequency_hz);
  write_modulation(w, rx.data_rate, rx.coding_rate, std::nullopt);
  w.end_object();
  return w.str();
}

std::string up_event_json(const netserver::UplinkEvent& e, const nlohmann::json& object, const EventIdentity& identity,
                          std::string_view rx_info, std::string_view tx_info) {
  JsonWriter w;
  w.begin_object();
  w.key("deduplicationId").string(e.deduplication_id);
  w.key("time").string(iso8601_utc(e.received_at));
  write_device_info(w, *e.device, identity);
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
  w.key("regionConfigId").string(identity.region_config_id);
  w.end_object();
  return w.str();
}

std::string join_event_json(const netserver::JoinEvent& e, const EventIdentity& identity) {
  JsonWriter w;
  w.begin_object();
  w.key("deduplicationId").string(e.deduplication_id);
  w.key("time").string(iso8601_utc(e.time));
  write_device_info(w, *e.device, identity);
  w.key("devAddr").string(lorawan::dev_addr_to_string(e.dev_addr));
  w.key("regionConfigId").string(identity.region_config_id);
  w.end_object();
  return w.str();
}

std::string status_event_json(const netserver::StatusEvent& e, const EventIdentity& identity) {
  JsonWriter w;
  w.begin_object();
  w.key("deduplicationId").string(e.deduplication_id);
  w.key("time").string(iso8601_utc(e.time));
  write_device_info(w, *e.device, identity);
  w.key("margin").number(e.margin);
  w.key("externalPowerSource").boolean(e.external_power_source);
  w.key("batteryLevelUnavailable").boolean(!e.battery_level_percent && !e.external_power_source);
  if (e.battery_level_percent) w.key("batteryLevel").number(*e.battery_level_percent);
  w.end_object();
  return w.str();
}

std::string ack_event_json(const netserver::AckEvent& e, const EventIdentity& identity) {
  JsonWriter w;
  w.begin_object();
  w.key("time").string(iso8601_utc(e.time));
  write_device_info(w, *e.device, identity);
  w.key("queueItemId").string(e.queue_item_id);
  w.key("acknowledged").boolean(e.acknowledged);
  w.key("fCntDown").number(e.f_cnt_down);
  w.end_object();
  return w.str();
}

std::string txack_event_json(const netserver::TxAckEvent& e, const EventIdentity& identity) {
  JsonWriter w;
  w.begin_object();
  w.key("downlinkId").number(static_cast<std::uint32_t>(e.token));
  w.key("time").string(iso8601_utc(e.time));
  write_device_info(w, *e.device, identity);
  if (e.queue_item_id) w.key("queueItemId").string(*e.queue_item_id);
  w.key("fCntDown").number(e.f_cnt_down);
  w.key("gatewayId").string(lorawan::eui64_to_string(e.gateway_eui));
  const auto& tx = e.transmission;
  w.key("txInfo").begin_object();
  w.key("frequency").number(tx.frequency_hz);
  if (tx.power_dbm) w.key("power").number(static_cast<int>(*tx.power_dbm));
  write_modulation(w, tx.data_rate, tx.coding_rate, tx.invert_polarity);
  w.key("timing").begin_object();
  if (const auto* at = std::get_if<gateway_bridge::CounterTime>(&tx.timing)) {
    // Class A: ChirpStack gives the delay after the uplink, whose counter is the context.
    const auto delay = std::chrono::microseconds(static_cast<std::int64_t>(at->counter_us - e.uplink_at.counter_us));
    w.key("delay").begin_object().key("delay").string(duration_json(delay)).end_object();
  } else if (const auto* gps = std::get_if<gateway_bridge::GpsTime>(&tx.timing)) {
    w.key("gpsEpoch")
        .begin_object()
        .key("timeSinceGpsEpoch")
        .string(duration_json(std::chrono::duration_cast<std::chrono::microseconds>(*gps)))
        .end_object();
  } else {
    w.key("immediately").begin_object().end_object();
  }
  w.end_object();
  if (std::holds_alternative<gateway_bridge::CounterTime>(tx.timing))
    w.key("context").string(counter_context(e.uplink_at));
  w.end_object();
  w.end_object();
  return w.str();
}

std::optional<netserver::LogEvent> gateway_log_event(const netserver::TxAckEvent& e) {
  if (e.error.empty() && e.warning.empty()) return std::nullopt;
  const auto gateway = lorawan::eui64_to_string(e.gateway_eui);
  netserver::LogEvent log;
  log.time = e.time;
  log.device = e.device;
  log.code = "DOWNLINK_GATEWAY";
  if (!e.error.empty()) {
    log.level = "ERROR";
    log.description = e.error;  // as ChirpStack: the gateway's error name, e.g. TOO_LATE
    log.context.emplace_back("gatewayId", gateway);
    log.context.emplace_back("error", e.error);
  } else {
    log.level = "WARNING";
    log.description = e.warning;  // e.g. "TX_POWER 14": sent, at another power than asked
    log.context.emplace_back("gatewayId", gateway);
    log.context.emplace_back("warning", e.warning);
  }
  log.context.emplace_back("downlinkId", std::to_string(static_cast<std::uint32_t>(e.token)));
  log.context.emplace_back("fCntDown", std::to_string(e.f_cnt_down));
  if (e.queue_item_id) log.context.emplace_back("queueItemId", *e.queue_item_id);
  return log;
}

std::string log_event_json(const netserver::LogEvent& e, const EventIdentity& identity) {
  JsonWriter w;
  w.begin_object();
  w.key("time").string(iso8601_utc(e.time));
  if (e.device) write_device_info(w, *e.device, identity);
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
  w.end_object();
  return w.str();
}

std::string alarm_event_json(const schema::Device& device, const AlarmChange& change, const EventIdentity& identity) {
  JsonWriter w;
  w.begin_object();
  w.key("kind").string(change.kind);
  w.key("state").string(change.opened ? "open" : "closed");
  w.key("time").string(iso8601_utc(netserver::SystemTime(std::chrono::seconds(change.time))));
  w.key("alarmId").string(std::to_string(change.alarm_id));
  write_device_info(w, device, identity);
  w.end_object();
  return w.str();
}

}  // namespace uchet::appserver
