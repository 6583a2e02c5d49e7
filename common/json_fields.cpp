#include "common/json_fields.h"

#include <cmath>
#include <string>

namespace uchet::common::json_fields {

ByteView trim_end(ByteView text) {
  std::size_t end = text.size();
  while (end > 0 && (text[end - 1] == 0 || text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\r' ||
                     text[end - 1] == '\t')) {
    --end;
  }
  return text.first(end);
}

Result<json> parse_object(ByteView text) {
  thread_local simdjson::dom::parser parser;
  const ByteView trimmed = trim_end(text);
  json value;
  // realloc_if_needed: the datagram is copied into the parser's own padded buffer (reused).
  if (parser.parse(trimmed.data(), trimmed.size(), /*realloc_if_needed=*/true).get(value) != simdjson::SUCCESS) {
    return std::unexpected("invalid JSON");
  }
  if (!value.is_object()) return std::unexpected("JSON is not an object");
  return value;
}

std::optional<json> member(const json& object, const char* key) {
  json value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

Result<std::optional<std::uint64_t>> read_unsigned(const json& object, const char* key, std::uint64_t max) {
  const auto v = member(object, key);
  if (!v) return std::nullopt;
  std::uint64_t value = 0;
  if (v->get_uint64().get(value) != simdjson::SUCCESS || value > max) {
    return std::unexpected(std::string(key) + " must be an integer 0.." + std::to_string(max));
  }
  return value;
}

Result<std::optional<std::int64_t>> read_integer(const json& object, const char* key, std::int64_t min,
                                                 std::int64_t max) {
  const auto v = member(object, key);
  if (!v) return std::nullopt;
  std::int64_t value = 0;
  if (v->get_int64().get(value) != simdjson::SUCCESS || value < min || value > max) {
    return std::unexpected(std::string(key) + " must be an integer " + std::to_string(min) + ".." +
                           std::to_string(max));
  }
  return value;
}

Result<std::optional<double>> read_number(const json& object, const char* key) {
  const auto v = member(object, key);
  if (!v) return std::nullopt;
  double value = 0;
  if (!v->is_number() || v->get_double().get(value) != simdjson::SUCCESS) {
    return std::unexpected(std::string(key) + " must be a number");
  }
  if (!std::isfinite(value)) return std::unexpected(std::string(key) + " must be a finite number");
  return value;
}

Result<std::optional<std::string_view>> read_string(const json& object, const char* key) {
  const auto v = member(object, key);
  if (!v) return std::nullopt;
  std::string_view value;
  if (v->get_string().get(value) != simdjson::SUCCESS) return std::unexpected(std::string(key) + " must be a string");
  return value;
}

Result<std::optional<bool>> read_bool(const json& object, const char* key) {
  const auto v = member(object, key);
  if (!v) return std::nullopt;
  bool value = false;
  if (v->get_bool().get(value) != simdjson::SUCCESS)
    return std::unexpected(std::string(key) + " must be true or false");
  return value;
}

}  // namespace uchet::common::json_fields
