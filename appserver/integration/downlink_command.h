#pragma once
// Downlink commands from external applications over MQTT:
//   topic   application/{applicationName}/device/{devEui}/command/down
//   payload {"devEui": "...", "confirmed": false, "fPort": 2, "data": "<base64>"}
// (ChirpStack v4's shape). Pure validation: a command either becomes a queue item or is
// refused with a reason, which the listener publishes as a `log` event.
#include <optional>
#include <string>
#include <string_view>

#include "appserver/integration/topics.h"
#include "netserver/lorawan/types.h"
#include "schema/devices.h"
#include "schema/downlink_queue.h"

namespace uchet::appserver {

// `device` is the device the topic names (nullptr when unknown).
lorawan::Result<schema::QueueItem> parse_down_command(const CommandTopic& topic, const schema::Device* device,
                                                      std::string_view payload);

// The ChirpStack LogCode (integration.LogCode) a refusal is published with:
// DOWNLINK_PAYLOAD_SIZE when the payload does not fit a downlink (schema::check_downlink's
// refusal), UNKNOWN for any other command uchet cannot take — ChirpStack has no code for an
// unreadable command; the reason is the log event's description.
std::string command_refusal_code(std::string_view reason);

}  // namespace uchet::appserver
