#pragma once
// Contract: every MQTT topic uchet publishes to or subscribes to is built or read here, and only
// here. Device events follow ChirpStack v4's layout, application/{applicationName}/device/
// {devEui}/event/{kind}; gateway statistics go to gateway/{gatewayEui}/event/stats; object
// (building) events to object/{objectName}/event/{kind}; downlink commands arrive on
// application/{applicationName}/device/{devEui}/command/down. Pure.
#include <optional>
#include <string>
#include <string_view>

#include "netserver/lorawan/types.h"
#include "schema/devices.h"

namespace uchet::appserver {

std::string device_event_topic(const schema::Device& device, std::string_view event);
std::string gateway_event_topic(lorawan::Eui64 gateway_eui, std::string_view event);
std::string object_event_topic(std::string_view object_name, std::string_view event);

// What the command listener subscribes to.
inline constexpr const char* kCommandSubscription = "application/+/device/+/command/down";

struct CommandTopic {
  std::string application;
  lorawan::Eui64 dev_eui = 0;
};

// Recognises the command/down topic; nullopt for any other topic.
std::optional<CommandTopic> parse_command_topic(std::string_view topic);

}  // namespace uchet::appserver
