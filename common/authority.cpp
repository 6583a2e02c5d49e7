#include "common/authority.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace uchet::common {

std::expected<Authority, std::string> parse_authority(std::string_view text) {
  Authority out;
  std::string_view host = text, port;
  bool has_port = false;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::unexpected("has an unclosed '['");
    host = text.substr(1, close - 1);
    const auto after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::unexpected("has text after the bracketed address");
      port = after.substr(1);
      has_port = true;
    }
    out.bracketed = true;
  } else if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    has_port = true;
    if (port.find(':') != std::string_view::npos) return std::unexpected("needs brackets around an IPv6 address");
  }
  if (host.empty()) return std::unexpected("has no host");
  const bool host_ok = std::all_of(host.begin(), host.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
           (out.bracketed && c == ':');
  });
  if (!host_ok) return std::unexpected("has no valid host name or address");
  out.host = std::string(host);
  if (has_port) {
    unsigned number = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || number > 65535) {
      return std::unexpected("has a port that is not 0-65535");
    }
    out.port = static_cast<std::uint16_t>(number);
  }
  return out;
}

}  // namespace uchet::common
