#pragma once
// "host[:port]" as every address in uchet's configuration is written (the gateway bridge's and
// the operator endpoint's bind, the MQTT server, a webhook URL's authority): one reading of it,
// so that brackets, colons and ports mean the same everywhere. An IPv6 address is written in
// brackets ("[::1]:1700"); without them a colon can only separate the port. Pure, any thread.
//
// What each caller adds on top is its own: whether a port is required or has a default, whether
// port 0 (ephemeral) makes sense, whether the host must be a literal address or may be a name.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace uchet::common {

struct Authority {
  std::string host;                   // without the brackets
  std::optional<std::uint16_t> port;  // absent when the text names none
  bool bracketed = false;             // written as "[...]" (an IPv6 address)
};

// Splits `text`; an error says what is wrong in a few words ("has an unclosed '['", "has a port
// that is not 0-65535", ...) for the caller to put in its own sentence. The host is checked only
// for being non-empty and made of the characters a name or an address may contain.
std::expected<Authority, std::string> parse_authority(std::string_view text);

}  // namespace uchet::common
