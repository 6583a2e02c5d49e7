// Contract: EN 13757-3 Annex A data types as pure byte -> value functions: type B signed
// integers, type A BCD (incl. negative BCD with an 0xF top nibble), type H real32, types
// F/G/I/J calendar values, and ISO 8859-1 strings. Callers pass exactly the data bytes of
// one record; nothing here reads beyond the span it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace uchet::codecs::mbus {

using ByteSpan = std::span<const std::uint8_t>;

// Two's complement little-endian integer, 1..8 bytes (type B).
std::int64_t decode_signed(ByteSpan data);
// Plain little-endian unsigned integer, 1..8 bytes (type D bit fields, identifiers).
std::uint64_t decode_unsigned(ByteSpan data);
// Type A: little-endian packed BCD. A top nibble 0xF marks a negative number; any other
// non-decimal nibble makes the value invalid (nullopt) rather than silently wrong.
std::optional<std::int64_t> decode_bcd(ByteSpan data);
// Type H: IEEE 754 binary32 little-endian (4 bytes) or binary64 (8 bytes).
double decode_real(ByteSpan data);

// A meter's wall-clock date/time. M-Bus carries no time zone.
struct CalendarValue {
  int year = 0;
  unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool has_date = true;
  bool has_time = false;
  bool summer_time = false;
  bool valid = false;  // false: invalid flag set, or fields out of range (e.g. all zero)
  // "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" or "HH:MM:SS"; empty when !valid.
  std::string text() const;
};

CalendarValue decode_type_g(ByteSpan data);  // 2 bytes: date
CalendarValue decode_type_f(ByteSpan data);  // 4 bytes: date + time to the minute
CalendarValue decode_type_i(ByteSpan data);  // 6 bytes: date + time to the second
CalendarValue decode_type_j(ByteSpan data);  // 3 bytes: time of day

// M-Bus strings are sent last character first; this restores reading order and converts
// ISO 8859-1 to UTF-8 (JSON requires valid UTF-8).
std::string decode_text(ByteSpan data);

}  // namespace uchet::codecs::mbus
