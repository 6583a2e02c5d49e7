#pragma once
// Contract: which texts uchet accepts as a name that becomes one level of an MQTT topic
// (application, object names: application/{name}/..., object/{name}/...) and as JSON text. The
// same rule serves uchetctl, which creates names, and the MQTT command listener, which reads
// them back from topics that any client may send. Pure functions.
#include <optional>
#include <string>
#include <string_view>

namespace uchet::common {

inline constexpr std::size_t kMaxNameBytes = 100;

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or truncated sequences).
bool is_valid_utf8(std::string_view text) noexcept;

// Why `name` cannot be a topic level, or std::nullopt when it can: 1..100 bytes of valid UTF-8
// without control characters (C0, DEL, C1 such as U+0085), Unicode non-characters (U+FDD0..U+FDEF,
// U+xFFFE, U+xFFFF: MQTT brokers refuse them), spaces, '/', '+' or '#'.
std::optional<std::string> name_error(std::string_view name);

// The canonical (lower-case) form of a UUID written as 8-4-4-12 hexadecimal digits
// ("0c5b2444-70a0-4932-980c-b4dc0d3f02b5", either case), or std::nullopt for anything else.
std::optional<std::string> canonical_uuid(std::string_view text);

}  // namespace uchet::common
