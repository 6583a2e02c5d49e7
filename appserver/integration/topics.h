#pragma once
// Contract: every MQTT topic uchet publishes to or subscribes to is built or read here, and only
// here. Device events and downlink commands follow a TopicLayout: two templates from the
// configuration ([mqtt] event_topic, command_topic) whose levels are literal text or one of the
// placeholders {application_name}, {application_id} (the application's UUID), {dev_eui} and, in
// the event template, {event}. The default is ChirpStack v4's layout with application names,
//   application/{application_name}/device/{dev_eui}/event/{event}
//   application/{application_name}/device/{dev_eui}/command/down
// and ChirpStack's own (by application id) is one line of configuration each. Gateway statistics
// go to gateway/{gatewayEui}/event/stats, object (building) events to object/{objectName}/event/
// {kind}. Pure; a TopicLayout is immutable after parse() and may be shared between threads.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/devices.h"

namespace uchet::appserver {

std::string gateway_event_topic(lorawan::Eui64 gateway_eui, std::string_view event);
std::string object_event_topic(std::string_view object_name, std::string_view event);

// What a command topic names. A field the command template has no placeholder for is empty.
struct CommandTopic {
  std::string application;     // {application_name}
  std::string application_id;  // {application_id}, a UUID as received
  lorawan::Eui64 dev_eui = 0;
};

class TopicLayout {
 public:
  static constexpr std::string_view kDefaultEventTopic =
      "application/{application_name}/device/{dev_eui}/event/{event}";
  static constexpr std::string_view kDefaultCommandTopic =
      "application/{application_name}/device/{dev_eui}/command/down";

  // The default layout.
  TopicLayout();
  // Each template checked on its own, so that the error can name its configuration key: every
  // placeholder a whole level and known, {dev_eui} present, {event} present in the event
  // template and absent from the command template, no empty level, no MQTT wildcard.
  static lorawan::Result<TopicLayout> parse(std::string_view event_template, std::string_view command_template);
  static lorawan::Result<void> check_event_template(std::string_view text);
  static lorawan::Result<void> check_command_template(std::string_view text);

  // The topic of a device event (`event`: "up", "join", "log"...). A placeholder whose value
  // the device lacks (an application name or id not known) is left empty; addresses() tells.
  std::string device_event(const schema::Device& device, std::string_view event) const;
  // Whether every placeholder the event template uses has a value for `device`.
  bool addresses(const schema::Device& device) const;
  // The event kind of a topic device_event() built; nullopt for any other topic.
  std::optional<std::string> event_of(std::string_view topic) const;

  // The command listener's subscription: the command template, placeholders as '+'.
  std::string command_subscription() const;
  // Reads a command topic; nullopt for any other topic (or one whose DevEUI is not 16 hex digits).
  std::optional<CommandTopic> parse_command(std::string_view topic) const;

 private:
  enum class Level { Literal, ApplicationName, ApplicationId, DevEui, Event };
  struct Part {
    Level level = Level::Literal;
    std::string text;  // the literal level
  };
  static lorawan::Result<std::vector<Part>> parse_template(std::string_view text, bool is_event);
  TopicLayout(std::vector<Part> event, std::vector<Part> command)
      : event_(std::move(event)), command_(std::move(command)) {}

  std::vector<Part> event_, command_;
};

}  // namespace uchet::appserver
