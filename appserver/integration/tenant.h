#pragma once
// The tenant uchet's ChirpStack events name (deviceInfo.tenantId / tenantName) when the
// configuration's `[tenant]` section does not: ChirpStack's own default tenant's id, so a
// consumer set up against a fresh ChirpStack finds the same tenant. Constants only; the
// configuration (tools/config.h) and the event writer (integration_events.h) both use them.
#include <string_view>

namespace uchet::appserver {

inline constexpr std::string_view kDefaultTenantId = "52f14cd4-c6f1-4fbd-8f87-4025e1d49242";
inline constexpr std::string_view kDefaultTenantName = "uchet";

}  // namespace uchet::appserver
