#include "gateway-bridge/json_fields.h"

#include <cmath>
#include <string>

namespace uchet::bridge::json_fields {
namespace {

const json* member(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

ByteView trim_end(ByteView text) {
  std::size_t end = text.size();
  while (end > 0 && (text[end - 1] == 0 || text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\r' ||
                     text[end - 1] == '\t')) {
    --end;
  }
  return text.first(end);
}

Result<json> parse_object(ByteView text) {
  const ByteView trimmed = trim_end(text);
  json value = json::parse(trimmed.begin(), trimmed.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::unexpected("invalid JSON");
  if (!value.is_object()) return std::unexpected("JSON is not an object");
  return value;
}

Result<std::optional<std::uint64_t>> read_unsigned(const json& object, const char* key, std::uint64_t max) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  std::uint64_t value = 0;
  if (v->is_number_unsigned()) {
    value = v->get<std::uint64_t>();
  } else if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
    value = static_cast<std::uint64_t>(v->get<std::int64_t>());
  } else {
    return std::unexpected(std::string(key) + " must be an integer 0.." + std::to_string(max));
  }
  if (value > max) return std::unexpected(std::string(key) + " must be an integer 0.." + std::to_string(max));
  return value;
}

Result<std::optional<std::int64_t>> read_integer(const json& object, const char* key, std::int64_t min, std::int64_t max) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  auto error = [&] {
    return std::unexpected(std::string(key) + " must be an integer " + std::to_string(min) + ".." + std::to_string(max));
  };
  if (!v->is_number_integer()) return error();
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) return error();
  const auto value = v->get<std::int64_t>();
  if (value < min || value > max) return error();
  return value;
}

Result<std::optional<double>> read_number(const json& object, const char* key) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) return std::unexpected(std::string(key) + " must be a number");
  const auto value = v->get<double>();
  if (!std::isfinite(value)) return std::unexpected(std::string(key) + " must be a finite number");
  return value;
}

Result<std::optional<std::string_view>> read_string(const json& object, const char* key) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) return std::unexpected(std::string(key) + " must be a string");
  return std::string_view(v->get_ref<const std::string&>());
}

Result<std::optional<bool>> read_bool(const json& object, const char* key) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) return std::unexpected(std::string(key) + " must be true or false");
  return v->get<bool>();
}

}  // namespace uchet::bridge::json_fields
