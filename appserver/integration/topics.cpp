#include "appserver/integration/topics.h"

#include <fmt/format.h>

#include "netserver/lorawan/encoding.h"

namespace uchet::appserver {

std::string device_event_topic(const schema::Device& device, std::string_view event) {
  return fmt::format("application/{}/device/{}/event/{}", device.application, lorawan::eui64_to_string(device.dev_eui),
                     event);
}

std::string gateway_event_topic(lorawan::Eui64 gateway_eui, std::string_view event) {
  return fmt::format("gateway/{}/event/{}", lorawan::eui64_to_string(gateway_eui), event);
}

std::string object_event_topic(std::string_view object_name, std::string_view event) {
  return fmt::format("object/{}/event/{}", object_name, event);
}

std::optional<CommandTopic> parse_command_topic(std::string_view topic) {
  constexpr std::string_view kPrefix = "application/", kMiddle = "/device/", kSuffix = "/command/down";
  if (!topic.starts_with(kPrefix) || !topic.ends_with(kSuffix)) return std::nullopt;
  auto rest = topic.substr(kPrefix.size(), topic.size() - kPrefix.size() - kSuffix.size());
  auto middle = rest.find(kMiddle);
  if (middle == std::string_view::npos || middle == 0) return std::nullopt;
  auto eui = lorawan::parse_eui64(rest.substr(middle + kMiddle.size()));
  if (!eui) return std::nullopt;
  return CommandTopic{std::string(rest.substr(0, middle)), *eui};
}

}  // namespace uchet::appserver
