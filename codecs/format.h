// Contract: the two text forms codecs produce for humans: printf-style error reasons
// (returned as std::unexpected, never thrown) and upper-case hex of raw bytes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <expected>
#include <span>
#include <string>

namespace uchet::codecs {

// Reasons are short; anything beyond 255 characters is cut, never overflowed.
template <typename... Args>
std::unexpected<std::string> failf(const char* format, Args... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, args...);
  return std::unexpected(std::string(buf));
}

// "0A 1B FF": the form raw bytes take in `extra` and in reasons.
inline std::string hex_string(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s;
  s.reserve(bytes.size() * 3);
  for (std::uint8_t b : bytes) {
    if (!s.empty()) s.push_back(' ');
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 0x0F]);
  }
  return s;
}

}  // namespace uchet::codecs
