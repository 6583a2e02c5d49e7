#include "gateway-bridge/basic_station/eui_text.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace uchet::gateway_bridge::basic_station {
namespace {

// Longer than any form ("b8-27-eb-ff-fe-e1-e3-9a" is 23); the error then does not quote it.
constexpr std::size_t kMaxEuiText = 23;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 1..max_digits hex digits as a number; nullopt for anything else.
std::optional<std::uint64_t> hex_group(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    const int v = hex_value(c);
    if (v < 0) return std::nullopt;
    value = (value << 4) | static_cast<std::uint64_t>(v);
  }
  return value;
}

// "a:b:c" -> its 16-bit groups; nullopt when a group is not 1..4 hex digits. Empty text -> none.
std::optional<std::vector<std::uint64_t>> id6_groups(std::string_view text) {
  std::vector<std::uint64_t> groups;
  if (text.empty()) return groups;
  std::size_t start = 0;
  while (true) {
    const auto colon = text.find(':', start);
    const auto group = hex_group(text.substr(start, colon == std::string_view::npos ? colon : colon - start), 4);
    if (!group) return std::nullopt;
    groups.push_back(*group);
    if (groups.size() > 4) return std::nullopt;
    if (colon == std::string_view::npos) return groups;
    start = colon + 1;
  }
}

lorawan::Result<lorawan::Eui64> parse_id6(std::string_view text) {
  const auto bad = [&] {
    return std::unexpected("EUI \"" + std::string(text) +
                           "\" is not ID6 (four groups of 1..4 hex digits, \"::\" for a run of zero groups)");
  };
  const auto gap = text.find("::");
  if (gap == std::string_view::npos) {
    const auto groups = id6_groups(text);
    if (!groups || groups->size() != 4) return bad();
    return ((*groups)[0] << 48) | ((*groups)[1] << 32) | ((*groups)[2] << 16) | (*groups)[3];
  }
  if (text.find("::", gap + 1) != std::string_view::npos) return bad();  // two gaps, or ":::"
  const auto head = id6_groups(text.substr(0, gap));
  const auto tail = id6_groups(text.substr(gap + 2));
  // "::" stands for at least one zero group.
  if (!head || !tail || head->size() + tail->size() > 3) return bad();
  std::uint64_t eui = 0;
  for (std::size_t i = 0; i < head->size(); ++i) eui |= (*head)[i] << (48 - 16 * i);
  for (std::size_t i = 0; i < tail->size(); ++i) eui |= (*tail)[tail->size() - 1 - i] << (16 * i);
  return eui;
}

// Eight bytes of two hex digits separated by `separator`.
std::optional<lorawan::Eui64> parse_separated_bytes(std::string_view text, char separator) {
  if (text.size() != 23) return std::nullopt;
  std::uint64_t eui = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i > 0 && text[3 * i - 1] != separator) return std::nullopt;
    const auto byte = hex_group(text.substr(3 * i, 2), 2);
    if (!byte || text.substr(3 * i, 2).size() != 2) return std::nullopt;
    eui = (eui << 8) | *byte;
  }
  return eui;
}

}  // namespace

lorawan::Result<lorawan::Eui64> parse_eui_text(std::string_view text) {
  if (text.empty()) return std::unexpected("EUI is empty");
  if (text.size() > kMaxEuiText) {
    return std::unexpected("EUI text of " + std::to_string(text.size()) + " characters is too long");
  }
  std::size_t dashes = 0, colons = 0;
  for (char c : text) {
    if (c == '-') {
      ++dashes;
    } else if (c == ':') {
      ++colons;
    } else if (hex_value(c) < 0) {
      return std::unexpected("EUI \"" + std::string(text) + "\" has a character other than hex digits, '-' and ':'");
    }
  }
  if (dashes > 0 && colons > 0) return std::unexpected("EUI \"" + std::string(text) + "\" mixes '-' and ':'");
  if (dashes > 0 || colons == 7) {
    if (auto eui = parse_separated_bytes(text, dashes > 0 ? '-' : ':')) return *eui;
    return std::unexpected("EUI \"" + std::string(text) + "\" is not eight bytes of two hex digits separated by '" +
                           (dashes > 0 ? "-" : ":") + "'");
  }
  if (colons > 0) return parse_id6(text);
  if (text.size() != 16) {
    return std::unexpected("EUI \"" + std::string(text) + "\" must be 16 hex digits, got " +
                           std::to_string(text.size()));
  }
  return *hex_group(text, 16);
}

std::string format_eui_dashed(lorawan::Eui64 eui) {
  return fmt::format("{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}", (eui >> 56) & 0xFF, (eui >> 48) & 0xFF,
                     (eui >> 40) & 0xFF, (eui >> 32) & 0xFF, (eui >> 24) & 0xFF, (eui >> 16) & 0xFF, (eui >> 8) & 0xFF,
                     eui & 0xFF);
}

std::string format_eui_id6(lorawan::Eui64 eui) {
  const std::array<unsigned, 4> g = {static_cast<unsigned>((eui >> 48) & 0xFFFF),
                                     static_cast<unsigned>((eui >> 32) & 0xFFFF),
                                     static_cast<unsigned>((eui >> 16) & 0xFFFF), static_cast<unsigned>(eui & 0xFFFF)};
  if (g[0] == 0 && g[1] == 0) return g[2] == 0 ? fmt::format("::{:x}", g[3]) : fmt::format("::{:x}:{:x}", g[2], g[3]);
  if (g[2] == 0 && g[3] == 0) return g[1] == 0 ? fmt::format("{:x}::", g[0]) : fmt::format("{:x}:{:x}::", g[0], g[1]);
  if (g[1] == 0 && g[2] == 0) return fmt::format("{:x}::{:x}", g[0], g[3]);
  return fmt::format("{:x}:{:x}:{:x}:{:x}", g[0], g[1], g[2], g[3]);
}

}  // namespace uchet::gateway_bridge::basic_station
