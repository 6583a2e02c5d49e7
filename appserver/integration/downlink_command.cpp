#include "appserver/integration/downlink_command.h"

#include <nlohmann/json.hpp>

#include "codecs/codec.h"
#include "common/civil_time.h"
#include "common/uuid.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::appserver {
namespace {

std::unexpected<CommandRefusal> refuse(std::string reason, const char* code = kCommandInvalid) {
  return std::unexpected(CommandRefusal{code, std::move(reason)});
}

// A member protobuf's JSON writers may also spell as null (an unset message field).
const nlohmann::json* member(const nlohmann::json& json, const char* key) {
  const auto it = json.find(key);
  return it == json.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

bool command_addresses(const CommandTopic& topic, const schema::Device& device) {
  if (!topic.application.empty() && topic.application != device.application) return false;
  // Compared in canonical form: a client may write the UUID in upper case.
  if (!topic.application_id.empty() && common::canonical_uuid(topic.application_id) != device.application_uuid) {
    return false;
  }
  return true;
}

std::expected<schema::QueueItem, CommandRefusal> parse_down_command(const CommandTopic& topic,
                                                                    const schema::Device* device,
                                                                    std::string_view payload, std::int64_t now_unix) {
  if (!device) return refuse("unknown device " + lorawan::eui64_to_string(topic.dev_eui));
  if (!command_addresses(topic, *device)) {
    return refuse("device " + lorawan::eui64_to_string(topic.dev_eui) + " does not belong to application '" +
                  (topic.application.empty() ? topic.application_id : topic.application) + "'");
  }
  auto json = nlohmann::json::parse(payload, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return refuse("command is not a JSON object");
  schema::QueueItem item;
  item.dev_eui = topic.dev_eui;
  if (const auto* eui_field = member(json, "devEui")) {
    if (!eui_field->is_string()) return refuse("devEui must be a string");
    auto eui = lorawan::parse_eui64(eui_field->get<std::string>());
    if (!eui || *eui != topic.dev_eui) return refuse("devEui in the command does not match the topic");
  }
  if (const auto* id = member(json, "id"); id && !(id->is_string() && id->get_ref<const std::string&>().empty())) {
    auto uuid = id->is_string() ? common::canonical_uuid(id->get<std::string>()) : std::nullopt;
    if (!uuid) return refuse("id must be a UUID like 0c5b2444-70a0-4932-980c-b4dc0d3f02b5");
    item.queue_item_id = std::move(*uuid);
  }
  if (const auto* confirmed = member(json, "confirmed")) {
    if (!confirmed->is_boolean()) return refuse("confirmed must be true or false");
    item.confirmed = confirmed->get<bool>();
  }
  const auto* f_port = member(json, "fPort");
  if (f_port && !f_port->is_number_integer()) return refuse("fPort must be an integer");
  const auto* data = member(json, "data");
  const auto* object = member(json, "object");
  if (data && object) return refuse("a command carries data or object, not both");
  std::int64_t port = 0;
  if (object) {
    // The device's codec turns the object into bytes and says which fPort they go on.
    auto encoded = codecs::encode_downlink(device->codec, *object);
    if (!encoded) return refuse("object not encoded: " + encoded.error(), "DOWNLINK_CODEC");
    if (f_port && f_port->get<std::int64_t>() != encoded->fport) {
      return refuse("object is sent on fPort " + std::to_string(encoded->fport) + ", the command says fPort " +
                        std::to_string(f_port->get<std::int64_t>()),
                    "DOWNLINK_CODEC");
    }
    port = encoded->fport;
    item.data = std::move(encoded->bytes);
  } else {
    if (!f_port) return refuse("fPort must be an integer");
    if (data) {
      if (!data->is_string()) return refuse("data must be a Base64 string");
      auto bytes = lorawan::parse_base64(data->get<std::string>());
      if (!bytes) return refuse("data: " + bytes.error());
      item.data = std::move(*bytes);
    }
    port = f_port->get<std::int64_t>();
  }
  if (auto ok = schema::check_downlink(port, 0); !ok) return refuse(ok.error());
  if (auto ok = schema::check_downlink(port, item.data.size()); !ok) return refuse(ok.error(), "DOWNLINK_PAYLOAD_SIZE");
  item.f_port = static_cast<std::uint8_t>(port);
  if (const auto* expires = member(json, "expiresAt")) {
    if (!expires->is_string()) return refuse("expiresAt must be an RFC 3339 time string");
    auto at = common::parse_rfc3339(expires->get<std::string>());
    if (!at) return refuse("expiresAt: " + at.error());
    if (*at <= now_unix) {
      return refuse(
          "expiresAt " + common::format_utc(*at) + " has already passed (now " + common::format_utc(now_unix) + ")",
          "EXPIRED");
    }
    item.expires_at = *at;
  }
  return item;
}

}  // namespace uchet::appserver
