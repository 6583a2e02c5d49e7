#include "tools/uchetctl/validate.h"

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
