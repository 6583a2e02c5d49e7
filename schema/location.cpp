#include "schema/location.h"

#include <algorithm>

namespace uchet::schema {

bool is_postgresql_location(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string printable_location(std::string_view location) {
  if (!is_postgresql_location(location)) return std::string(location);
  std::string out(location);
  // user:password@ in the authority (before the first '/', '?' or '#' after the scheme).
  const auto authority = out.find("://") + 3;
  const auto authority_end = std::min(out.find_first_of("/?#", authority), out.size());
  const auto at = out.rfind('@', authority_end);
  if (at != std::string::npos && at >= authority) {
    const auto colon = out.find(':', authority);
    if (colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // password=... among the query parameters.
  for (auto p = out.find("password=", authority); p != std::string::npos; p = out.find("password=", p + 1)) {
    if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
    const auto value = p + 9;
    const auto end = std::min(out.find_first_of("&#", value), out.size());
    out.replace(value, end - value, "***");
  }
  return out;
}

}  // namespace uchet::schema
