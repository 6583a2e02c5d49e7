#pragma once
// The JSON of the MQTT integration events, in ChirpStack v4's shape (camelCase names, same
// meanings) so consumers written for ChirpStack work unchanged. Pure: values in, text out.
// Topics: application/{applicationName}/device/{devEui}/event/{up|join|ack|txack|status|log}.
#include <string>

#include <nlohmann/json.hpp>

#include "appserver/integration/topics.h"
#include "appserver/metering/metering.h"
#include "netserver/events.h"

namespace uchet::appserver {

std::string iso8601_utc(netserver::SystemTime time);  // 2026-11-22T10:00:00.123Z

// The events' JSON text. Written member by member (common/json_writer.h): an up event is
// written for every accepted uplink. Strings that are not UTF-8 throw JsonWriteError.
// rxInfo and txInfo: stored with the frame and embedded in the up event, so written once.
std::string rx_info_json(const std::vector<gateway_bridge::Reception>& receptions);
std::string tx_info_json(const gateway_bridge::Reception& reception);
// `object` is the codec's output; null leaves the field out.
std::string up_event_json(const netserver::UplinkEvent& event, const nlohmann::json& object);
std::string up_event_json(const netserver::UplinkEvent& event, const nlohmann::json& object, std::string_view rx_info,
                          std::string_view tx_info);
std::string join_event_json(const netserver::JoinEvent& event);
std::string status_event_json(const netserver::StatusEvent& event);
std::string ack_event_json(const netserver::AckEvent& event);
std::string txack_event_json(const netserver::TxAckEvent& event);
std::string log_event_json(const netserver::LogEvent& event);  // context keys given twice: the last value
// application/{app}/device/{devEui}/event/alarm: {kind, state "open"|"closed", time, ...}.
std::string alarm_event_json(const schema::Device& device, const AlarmChange& change);

}  // namespace uchet::appserver
