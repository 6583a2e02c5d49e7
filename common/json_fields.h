#pragma once
// Non-throwing, typed reads of members of JSON objects from untrusted senders (gateways, the
// stored MAC state): every read checks the type first and reports "<key> must be ..." instead. Absent members
// read as std::nullopt; `required` turns that into "missing <key>".
//
// Parsing is simdjson's DOM with one parser per thread, reused: a PUSH_DATA is parsed on the
// bridge thread for every reception, and a nlohmann DOM (a std::map node and a string per
// member) cost more than the rest of the datagram's handling. The price is lifetime: a `json`
// value points into its thread's parser and is valid only until the next parse_object() on
// the same thread. Parse, read what you need into plain values, then parse the next.
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace uchet::common::json_fields {

// The same types as lorawan::ByteView and lorawan::Result, spelled out: common/ depends on no
// stage.
using ByteView = std::span<const std::uint8_t>;
template <class T>
using Result = std::expected<T, std::string>;
using json = simdjson::dom::element;

// `text` without trailing NULs and whitespace: some forwarders send their C string terminator.
ByteView trim_end(ByteView text);

// The JSON text of a datagram body (trailing NULs tolerated); anything but an object is an
// error. Valid until the next parse_object() on this thread (see above).
Result<json> parse_object(ByteView text);

// The member `key` of `object` (an object), if present.
std::optional<json> member(const json& object, const char* key);

Result<std::optional<std::uint64_t>> read_unsigned(const json& object, const char* key, std::uint64_t max);
Result<std::optional<std::int64_t>> read_integer(const json& object, const char* key, std::int64_t min,
                                                 std::int64_t max);
Result<std::optional<double>> read_number(const json& object, const char* key);  // finite
Result<std::optional<std::string_view>> read_string(const json& object, const char* key);
Result<std::optional<bool>> read_bool(const json& object, const char* key);

template <class T>
Result<T> required(Result<std::optional<T>> read, const char* key) {
  if (!read) return std::unexpected(std::move(read.error()));
  if (!*read) return std::unexpected(std::string("missing ") + key);
  return std::move(**read);
}

}  // namespace uchet::common::json_fields

// Moves the value of a Result expression into `target`, or returns its error from the
// enclosing function (whose return type must accept std::unexpected<std::string>). Keeps the
// field-by-field parsers readable without exceptions.
#define UCHET_TRY(target, expr)                                  \
  do {                                                           \
    auto uchet_try_ = (expr);                                    \
    if (!uchet_try_) return std::unexpected(uchet_try_.error()); \
    target = std::move(*uchet_try_);                             \
  } while (0)
