#pragma once
// Checks of operator input that several commands share; each throws UsageError naming the field.
#include <optional>
#include <string>

#include "netserver/lorawan/encoding.h"
#include "tools/uchetctl/output.h"

namespace uchet::cli {

// Names that end up in MQTT topics: no '/', '+', '#', spaces or control characters.
void validate_name(const std::string& name, const std::string& what);

lorawan::Eui64 eui_arg(const std::string& text, const std::string& what);
lorawan::Key key_arg(const std::string& text, const std::string& what);
lorawan::DevAddr dev_addr_arg(const std::string& text, const std::string& what);

}  // namespace uchet::cli

namespace uchet::cli {

// "90s", "15m", "2h", "7d" (a bare number is seconds); the result is in seconds.
std::int64_t duration_arg(const std::string& text, const std::string& what);

}  // namespace uchet::cli
