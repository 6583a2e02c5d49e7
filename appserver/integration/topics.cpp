#include "appserver/integration/topics.h"

#include <fmt/format.h>

#include "common/names.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::appserver {
namespace {

std::vector<std::string_view> split_levels(std::string_view topic) {
  std::vector<std::string_view> levels;
  std::size_t start = 0;
  while (true) {
    const auto slash = topic.find('/', start);
    levels.push_back(topic.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return levels;
    start = slash + 1;
  }
}

}  // namespace

std::string gateway_event_topic(lorawan::Eui64 gateway_eui, std::string_view event) {
  return fmt::format("gateway/{}/event/{}", lorawan::eui64_to_string(gateway_eui), event);
}

std::string object_event_topic(std::string_view object_name, std::string_view event) {
  return fmt::format("object/{}/event/{}", object_name, event);
}

TopicLayout::TopicLayout() : TopicLayout(*parse(kDefaultEventTopic, kDefaultCommandTopic)) {}

lorawan::Result<std::vector<TopicLayout::Part>> TopicLayout::parse_template(std::string_view text, bool is_event) {
  const auto refuse = [&](const std::string& why) { return std::unexpected(fmt::format("'{}' {}", text, why)); };
  std::vector<Part> parts;
  bool dev_eui = false, event = false;
  for (auto level : split_levels(text)) {
    Part part;
    if (level == "{application_name}") {
      part.level = Level::ApplicationName;
    } else if (level == "{application_id}") {
      part.level = Level::ApplicationId;
    } else if (level == "{dev_eui}") {
      part.level = Level::DevEui;
      dev_eui = true;
    } else if (level == "{event}") {
      if (!is_event) return refuse("has {event}, which only the event topic has");
      part.level = Level::Event;
      event = true;
    } else if (level.find_first_of("{}") != std::string_view::npos) {
      return refuse(
          fmt::format("has '{}': a placeholder must be a whole level, one of {{application_name}}, "
                      "{{application_id}}, {{dev_eui}}{}",
                      level, is_event ? ", {event}" : ""));
    } else if (auto why = common::name_error(level)) {
      return refuse(fmt::format("has the level '{}', which {}", level, *why));
    } else {
      part.text = std::string(level);
    }
    parts.push_back(std::move(part));
  }
  if (!dev_eui) return refuse("has no {dev_eui} level");
  if (is_event && !event) return refuse("has no {event} level");
  return parts;
}

lorawan::Result<void> TopicLayout::check_event_template(std::string_view text) {
  if (auto parts = parse_template(text, true); !parts) return std::unexpected(parts.error());
  return {};
}

lorawan::Result<void> TopicLayout::check_command_template(std::string_view text) {
  if (auto parts = parse_template(text, false); !parts) return std::unexpected(parts.error());
  return {};
}

lorawan::Result<TopicLayout> TopicLayout::parse(std::string_view event_template, std::string_view command_template) {
  auto event = parse_template(event_template, true);
  if (!event) return std::unexpected(event.error());
  auto command = parse_template(command_template, false);
  if (!command) return std::unexpected(command.error());
  return TopicLayout(std::move(*event), std::move(*command));
}

std::string TopicLayout::device_event(const schema::Device& device, std::string_view event) const {
  std::string topic;
  for (std::size_t i = 0; i < event_.size(); ++i) {
    const auto& part = event_[i];
    if (i) topic += '/';
    switch (part.level) {
      case Level::Literal:
        topic += part.text;
        break;
      case Level::ApplicationName:
        topic += device.application;
        break;
      case Level::ApplicationId:
        topic += device.application_uuid;
        break;
      case Level::DevEui:
        topic += lorawan::eui64_to_string(device.dev_eui);
        break;
      case Level::Event:
        topic += event;
        break;
    }
  }
  return topic;
}

bool TopicLayout::addresses(const schema::Device& device) const {
  for (const auto& part : event_) {
    if (part.level == Level::ApplicationName && device.application.empty()) return false;
    if (part.level == Level::ApplicationId && device.application_uuid.empty()) return false;
  }
  return true;
}

std::optional<std::string> TopicLayout::event_of(std::string_view topic) const {
  const auto levels = split_levels(topic);
  if (levels.size() != event_.size()) return std::nullopt;
  std::optional<std::string> event;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const auto& part = event_[i];
    if (part.level == Level::Literal && levels[i] != part.text) return std::nullopt;
    if (part.level == Level::DevEui && !lorawan::parse_eui64(levels[i])) return std::nullopt;
    if (part.level == Level::Event) event = std::string(levels[i]);
  }
  return event;
}

std::string TopicLayout::command_subscription() const {
  std::string topic;
  for (std::size_t i = 0; i < command_.size(); ++i) {
    if (i) topic += '/';
    topic += command_[i].level == Level::Literal ? command_[i].text : "+";
  }
  return topic;
}

std::optional<CommandTopic> TopicLayout::parse_command(std::string_view topic) const {
  const auto levels = split_levels(topic);
  if (levels.size() != command_.size()) return std::nullopt;
  CommandTopic out;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    switch (command_[i].level) {
      case Level::Literal:
        if (levels[i] != command_[i].text) return std::nullopt;
        break;
      case Level::ApplicationName:
        if (levels[i].empty()) return std::nullopt;
        out.application = std::string(levels[i]);
        break;
      case Level::ApplicationId:
        if (levels[i].empty()) return std::nullopt;
        out.application_id = std::string(levels[i]);
        break;
      case Level::DevEui: {
        auto eui = lorawan::parse_eui64(levels[i]);
        if (!eui) return std::nullopt;
        out.dev_eui = *eui;
        break;
      }
      case Level::Event:
        return std::nullopt;  // never in a command template
    }
  }
  return out;
}

}  // namespace uchet::appserver
