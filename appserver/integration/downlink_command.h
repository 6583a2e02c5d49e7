#pragma once
// Downlink commands from external applications over MQTT:
//   topic   application/{applicationName}/device/{devEui}/command/down
//   payload {"devEui": "...", "confirmed": false, "fPort": 2, "data": "<base64>"}
// (ChirpStack v4's shape). Pure validation: a command either becomes a queue item or is
// refused with a reason, which the listener publishes as a `log` event.
#include <optional>
#include <string>
#include <string_view>

#include "netserver/lorawan/types.h"
#include "schema/devices.h"
#include "schema/downlink_queue.h"

namespace uchet::appserver {

struct CommandTopic {
  std::string application;
  lorawan::Eui64 dev_eui = 0;
};

// Recognises the command/down topic; nullopt for any other topic.
std::optional<CommandTopic> parse_command_topic(std::string_view topic);

// `device` is the device the topic names (nullptr when unknown).
lorawan::Result<storage::QueueItem> parse_down_command(const CommandTopic& topic, const storage::Device* device,
                                                       std::string_view payload);

}  // namespace uchet::appserver
