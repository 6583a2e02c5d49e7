#include "tools/uchetctl/validate.h"

#include <cctype>
#include "common/names.h"

namespace uchet::cli {
namespace {

template <class T>
T value_or_usage_error(lorawan::Result<T> result) {
  if (!result) throw UsageError(result.error());
  return *result;
}

}  // namespace

void validate_name(const std::string& name, const std::string& what) {
  // The rule the MQTT command listener applies to the names it reads back from topics.
  auto why = common::name_error(name);
  if (!why) return;
  // The name is shown when it can be printed as it is (UTF-8 without control characters).
  bool printable = !name.empty() && name.size() <= common::kMaxNameBytes && common::is_valid_utf8(name);
  for (unsigned char c : name) printable = printable && c >= 0x20 && c != 0x7F;
  throw UsageError(printable ? what + " '" + name + "' " + *why : what + " " + *why);
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
  if (unit.empty() || unit == "s")
    scale = 1;
  else if (unit == "m")
    scale = 60;
  else if (unit == "h")
    scale = 3600;
  else if (unit == "d")
    scale = 86400;
  if (digits == 0 || digits > 9 || scale == 0) {
    throw UsageError(what + " must be a duration such as 90s, 15m, 2h or 7d, got '" + text + "'");
  }
  auto value = std::stoll(text.substr(0, digits)) * scale;
  if (value <= 0) throw UsageError(what + " must be longer than zero");
  return value;
}

}  // namespace uchet::cli
