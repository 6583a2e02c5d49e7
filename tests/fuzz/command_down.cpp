// Fuzz target: an MQTT command/down message as an integration publishes it. The input's first
// line is the topic, the rest the payload; the topic names the one known device (class C) or
// an unknown one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "appserver/integration/downlink_command.h"
#include "appserver/integration/topics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace uchet;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const auto topic_text = input.substr(0, newline);
  const auto payload = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  static const appserver::TopicLayout layout;  // the default, name-based topics
  auto topic = layout.parse_command(topic_text);
  if (!topic) return 0;
  schema::Device device;
  device.dev_eui = 0x0011223344556677;
  device.application = "water";
  device.device_class = 'C';
  const schema::Device* known = topic->dev_eui == device.dev_eui ? &device : nullptr;
  (void)appserver::parse_down_command(*topic, known, payload, 1'795'410'000);  // 2026-11-23: expiresAt is judged
  return 0;
}
