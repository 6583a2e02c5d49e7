#include "appserver/integration/downlink_command.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "netserver/lorawan/encoding.h"

namespace uchet::appserver {

lorawan::Result<schema::QueueItem> parse_down_command(const CommandTopic& topic, const schema::Device* device,
                                                      std::string_view payload) {
  if (!device) return std::unexpected("unknown device " + lorawan::eui64_to_string(topic.dev_eui));
  if (device->application != topic.application) {
    return std::unexpected("device " + lorawan::eui64_to_string(topic.dev_eui) + " does not belong to application '" +
                           topic.application + "'");
  }
  auto json = nlohmann::json::parse(payload, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::unexpected("command is not a JSON object");
  if (json.contains("devEui")) {
    if (!json["devEui"].is_string()) return std::unexpected("devEui must be a string");
    auto eui = lorawan::parse_eui64(json["devEui"].get<std::string>());
    if (!eui || *eui != topic.dev_eui) return std::unexpected("devEui in the command does not match the topic");
  }
  if (!json.contains("fPort") || !json["fPort"].is_number_integer()) return std::unexpected("fPort must be an integer");
  auto f_port = json["fPort"].get<std::int64_t>();
  if (!json.contains("data") || !json["data"].is_string()) return std::unexpected("data must be a Base64 string");
  auto data = lorawan::parse_base64(json["data"].get<std::string>());
  if (!data) return std::unexpected("data: " + data.error());
  bool confirmed = false;
  if (json.contains("confirmed")) {
    if (!json["confirmed"].is_boolean()) return std::unexpected("confirmed must be true or false");
    confirmed = json["confirmed"].get<bool>();
  }
  schema::QueueItem item;
  item.dev_eui = topic.dev_eui;
  item.f_port = static_cast<std::uint8_t>(std::clamp<std::int64_t>(f_port, 0, 255));
  item.data = std::move(*data);
  item.confirmed = confirmed;
  if (auto ok = schema::check_downlink(f_port, item.data.size()); !ok) return std::unexpected(ok.error());
  return item;
}

std::string command_refusal_code(std::string_view reason) {
  // schema::check_downlink words a size refusal "payload is N bytes; at most 242 fit a downlink".
  return reason.starts_with("payload is ") ? "DOWNLINK_PAYLOAD_SIZE" : "UNKNOWN";
}

}  // namespace uchet::appserver
