// Contract: the M-Bus link/transport layer of one RSP_UD telegram (EN 13757-2/-3).
// Accepts either a complete long frame (0x68 L L 0x68 C A CI ... CS 0x16; both length bytes,
// the total length, stop byte and checksum are verified, and C must be a slave response) or
// the application layer alone, starting at the CI field. Supported CI: 0x72 (long header),
// 0x7A (short header), 0x78 (no header), 0x73 (EN 1434-3 fixed data structure), and 0x70
// (the meter's application error report, which is returned as an error with its reason).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>

namespace uchet::codecs::mbus {

struct Header {
  enum class Kind : std::uint8_t { none, short_header, long_header, fixed };
  Kind kind = Kind::none;
  std::optional<std::string> id;            // 8 BCD digits as text (long header / fixed data)
  std::optional<std::string> manufacturer;  // 3-letter FLAG code (long header)
  std::optional<std::uint16_t> manufacturer_code;
  std::optional<std::uint8_t> version;
  std::optional<std::uint8_t> medium;  // EN 13757-3 device type / medium code
  std::uint8_t access_number = 0;
  std::uint8_t status = 0;
  std::uint16_t signature = 0;
};

struct Telegram {
  bool framed = false;  // came as a long frame
  std::optional<std::uint8_t> c_field;
  std::optional<std::uint8_t> a_field;
  std::uint8_t ci = 0;
  Header header;
  std::span<const std::uint8_t> body;  // data records (or the fixed data counters)
};

std::expected<Telegram, std::string> parse_telegram(std::span<const std::uint8_t> payload);

// Lower-case resource-style name of an EN 13757-3 medium code ("heat", "cold_water", ...).
std::string medium_name(std::uint8_t medium);

}  // namespace uchet::codecs::mbus
