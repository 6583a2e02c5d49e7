#pragma once
// Text forms of identifiers and keys as operators type them (hex, case-insensitive on input,
// lower-case on output) and Base64 as the Semtech protocol and MQTT carry payloads.
#include <string>
#include <string_view>

#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

std::string to_hex(ByteView bytes);
Result<Bytes> parse_hex(std::string_view text);

// Exactly 16 hex digits; `what` names the field in the error ("DevEUI must be 16 hex digits").
Result<Eui64> parse_eui64(std::string_view text, std::string_view what = "EUI");
// Exactly 32 hex digits.
Result<Key> parse_key(std::string_view text, std::string_view what = "key");
// Exactly 8 hex digits.
Result<DevAddr> parse_dev_addr(std::string_view text, std::string_view what = "DevAddr");

std::string eui64_to_string(Eui64 eui);        // 16 lower-case hex digits
std::string dev_addr_to_string(DevAddr addr);  // 8 lower-case hex digits
std::string key_to_string(const Key& key);     // 32 lower-case hex digits

// Standard alphabet with padding on output. On input padding is optional, but nothing else is
// lenient: white space, characters outside the alphabet and set bits beyond the data in the last
// character are refused, so each byte string has exactly one accepted text (with or without
// its padding) and two texts never decode to the same payload.
std::string to_base64(ByteView bytes);
Result<Bytes> parse_base64(std::string_view text);

}  // namespace uchet::lorawan
