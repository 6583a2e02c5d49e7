#pragma once
// The JSON of the MQTT integration events, in ChirpStack v4's shape (camelCase names, same
// meanings) so consumers written for ChirpStack work unchanged. Pure: values in, text out.
// Topics: application/{applicationName}/device/{devEui}/event/{up|join|ack|txack|status|log}.
#include <string>

#include <nlohmann/json.hpp>

#include "appserver/metering.h"
#include "netserver/events.h"

namespace uchet::appserver {

std::string device_event_topic(const storage::Device& device, std::string_view event);
std::string iso8601_utc(netserver::SystemTime time);  // 2026-11-22T10:00:00.123Z

nlohmann::json device_info_json(const storage::Device& device);
nlohmann::json rx_info_json(const std::vector<bridge::UplinkRx>& receptions);
nlohmann::json tx_info_json(const bridge::UplinkRx& reception);
// `object` is the codec's output; null leaves the field out.
nlohmann::json up_event_json(const netserver::UplinkEvent& event, const nlohmann::json& object);
// The same, with rxInfo and txInfo already built (the application server stores them too).
nlohmann::json up_event_json(const netserver::UplinkEvent& event, const nlohmann::json& object, nlohmann::json rx_info,
                             nlohmann::json tx_info);
nlohmann::json join_event_json(const netserver::JoinEvent& event);
nlohmann::json status_event_json(const netserver::StatusEvent& event);
nlohmann::json ack_event_json(const netserver::AckEvent& event);
nlohmann::json txack_event_json(const netserver::TxAckEvent& event);
nlohmann::json log_event_json(const netserver::LogEvent& event);
// application/{app}/device/{devEui}/event/alarm: {kind, state "open"|"closed", time, ...}.
nlohmann::json alarm_event_json(const storage::Device& device, const AlarmChange& change);

}  // namespace uchet::appserver
