#pragma once
// The JSON of the MQTT integration events, exactly as ChirpStack v4 (4.6 and later) writes them:
// every member is a field of ChirpStack's message for that event (integration.UplinkEvent,
// JoinEvent, AckEvent, TxAckEvent, StatusEvent, LogEvent; gw.GatewayStats in gateway_stats.h),
// in protobuf's canonical JSON names, so that a consumer parsing strictly (unknown fields are
// errors) accepts them. What uchet knows beyond ChirpStack's fields goes where ChirpStack keeps
// free-form text: deviceInfo.tags, rxInfo[].metadata, a log event's context. Pure: values in,
// text out; called on the thread that writes the event (the network server's, the command
// listener's).
// Topics: application/{applicationName}/device/{devEui}/event/{up|join|ack|txack|status|log}.
// uchet's own events (alarm here, object balance and alarm in balance_events.h) are not
// ChirpStack's; their JSON Schema is docs/events.schema.json.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "appserver/integration/tenant.h"
#include "appserver/integration/topics.h"
#include "appserver/metering/metering.h"
#include "common/json_writer.h"
#include "netserver/events.h"
#include "schema/objects.h"

namespace uchet::appserver {

// What ChirpStack's events carry that uchet takes from its configuration: the tenant
// (`[tenant] id` and `name`) and the region configuration's id (`network.region` lower-case, as
// ChirpStack names its default region configurations: "ru864", "eu868"). One per process.
struct EventIdentity {
  std::string tenant_id{kDefaultTenantId};
  std::string tenant_name{kDefaultTenantName};
  std::string region_config_id = "ru864";
  // Where the event's device is installed, when it is (deviceInfo.tags object/premise/point);
  // set per event by the application server, which keeps it for a minute per device.
  std::optional<schema::DevicePlace> place;
};

std::string iso8601_utc(netserver::SystemTime time);  // 2026-11-22T10:00:00.123Z

// A registered gateway's position (uchetctl gateway add --lat/--lon/--alt, or its GPS report).
struct GatewayLocation {
  double latitude = 0, longitude = 0, altitude = 0;
};

// `"location": {latitude, longitude, altitude[, source]}` as common.Location (rxInfo, gateway stats).
void write_gateway_location(common::JsonWriter& w, const GatewayLocation& location,
                            std::optional<std::string_view> source);

// What rxInfo needs besides the receptions: the server clock (nsTime is when each copy reached
// uchet: its steady-clock arrival moved onto the system clock through this pair of readings) and
// where each gateway stands (no location when the function is empty or returns nothing).
struct RxInfoContext {
  netserver::SystemTime system_now;
  std::chrono::steady_clock::time_point steady_now;
  std::function<std::optional<GatewayLocation>(lorawan::Eui64)> location_of;
};

// The events' JSON text. Written member by member (common/json_writer.h): an up event is
// written for every accepted uplink. Strings that are not UTF-8 throw JsonWriteError.
// rxInfo and txInfo: stored with the frame and embedded in the up event, so written once.
std::string rx_info_json(const std::vector<gateway_bridge::Reception>& receptions, const RxInfoContext& context);
std::string tx_info_json(const gateway_bridge::Reception& reception);
// `object` is the codec's output; null leaves the field out.
std::string up_event_json(const netserver::UplinkEvent& event, const nlohmann::json& object,
                          const EventIdentity& identity, std::string_view rx_info, std::string_view tx_info);
std::string join_event_json(const netserver::JoinEvent& event, const EventIdentity& identity);
std::string status_event_json(const netserver::StatusEvent& event, const EventIdentity& identity);
std::string ack_event_json(const netserver::AckEvent& event, const EventIdentity& identity);
// The txack of a scheduled transmission (`event.error` empty); ChirpStack has no field for an
// error or a warning: those are log events (gateway_log_event below).
std::string txack_event_json(const netserver::TxAckEvent& event, const EventIdentity& identity);
// The log event ChirpStack gives for a gateway's answer other than a plain OK: ERROR
// DOWNLINK_GATEWAY for a refusal (TX_ACK error), WARNING DOWNLINK_GATEWAY for a transmission
// scheduled with a warning (TX_ACK warn). std::nullopt for a plain OK.
std::optional<netserver::LogEvent> gateway_log_event(const netserver::TxAckEvent& event);
// context keys given twice: the last value
std::string log_event_json(const netserver::LogEvent& event, const EventIdentity& identity);
// application/{app}/device/{devEui}/event/alarm: {kind, state "open"|"closed", time, alarmId,
// deviceInfo} (docs/events.schema.json).
std::string alarm_event_json(const schema::Device& device, const AlarmChange& change, const EventIdentity& identity);

}  // namespace uchet::appserver
