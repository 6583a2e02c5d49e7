#pragma once
// Downlink commands from external applications over MQTT, as ChirpStack v4 clients send them:
//   topic   application/{applicationName}/device/{devEui}/command/down (topics.h; configurable)
//   payload {"id": "<UUID>", "devEui": "...", "confirmed": false, "fPort": 2,
//            "data": "<base64>" | "object": {...}, "expiresAt": "<RFC 3339>"}
// `object` is encoded by the device's codec (codecs::encode_downlink), which also chooses the
// fPort; `data` and `object` both absent is an empty payload, as protobuf writers leave it out.
// `id` becomes the queue item's public id; `expiresAt` its expiry. Pure validation: a command
// either becomes a queue item or is refused with a ChirpStack log code and a reason, which the
// listener publishes as a `log` event. Whether `id` is already in use needs the queue and is
// checked by the listener.
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "appserver/integration/topics.h"
#include "netserver/lorawan/types.h"
#include "schema/devices.h"
#include "schema/downlink_queue.h"

namespace uchet::appserver {

struct CommandRefusal {
  // The `log` event's code, one of ChirpStack's integration.LogCode: DOWNLINK_PAYLOAD_SIZE (the
  // payload does not fit a downlink), DOWNLINK_CODEC (`object` not encoded), EXPIRED, or
  // kCommandInvalid for anything else.
  std::string code;
  std::string reason;  // the `log` event's description
};

// The log code of a command refused for its form (not JSON, bad field, unknown device...):
// ChirpStack has no code for an unreadable command, so UNKNOWN; the reason says what.
inline constexpr const char* kCommandInvalid = "UNKNOWN";

// Whether `device` belongs to the application the topic names (by name, by id, or both).
bool command_addresses(const CommandTopic& topic, const schema::Device& device);

// `device` is the device the topic names (nullptr when unknown); `now_unix` decides whether
// expiresAt has passed.
std::expected<schema::QueueItem, CommandRefusal> parse_down_command(const CommandTopic& topic,
                                                                    const schema::Device* device,
                                                                    std::string_view payload, std::int64_t now_unix);

}  // namespace uchet::appserver
