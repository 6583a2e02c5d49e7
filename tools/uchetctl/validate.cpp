#include "tools/uchetctl/validate.h"
#include <cctype>

namespace uchet::cli {
namespace {

template <class T>
T value_or_usage_error(lorawan::Result<T> result) {
  if (!result) throw UsageError(result.error());
  return *result;
}

}  // namespace

void validate_name(const std::string& name, const std::string& what) {
  if (name.empty()) throw UsageError(what + " must not be empty");
  if (name.size() > 100) throw UsageError(what + " must be at most 100 bytes");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7F || c == '/' || c == '+' || c == '#' || c == ' ') {
      throw UsageError(what + " '" + name + "' must not contain spaces, '/', '+', '#' or control characters");
    }
  }
}

lorawan::Eui64 eui_arg(const std::string& text, const std::string& what) {
  return value_or_usage_error(lorawan::parse_eui64(text, what));
}

lorawan::Key key_arg(const std::string& text, const std::string& what) {
  return value_or_usage_error(lorawan::parse_key(text, what));
}

lorawan::DevAddr dev_addr_arg(const std::string& text, const std::string& what) {
  return value_or_usage_error(lorawan::parse_dev_addr(text, what));
}

}  // namespace uchet::cli

namespace uchet::cli {

std::int64_t duration_arg(const std::string& text, const std::string& what) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string unit = text.substr(digits);
  std::int64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "m") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86400;
  if (digits == 0 || digits > 9 || scale == 0) {
    throw UsageError(what + " must be a duration such as 90s, 15m, 2h or 7d, got '" + text + "'");
  }
  auto value = std::stoll(text.substr(0, digits)) * scale;
  if (value <= 0) throw UsageError(what + " must be longer than zero");
  return value;
}

}  // namespace uchet::cli
