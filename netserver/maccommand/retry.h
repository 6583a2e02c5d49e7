#pragma once
// How long an unanswered or refused RXTimingSetupReq / RXParamSetupReq / NewChannelReq waits
// before it is asked again (the uplink handler and those commands' request builders).
#include <cstdint>

namespace uchet::netserver::maccommand {

inline constexpr std::int64_t kMacRequestRetryS = 3600;

}  // namespace uchet::netserver::maccommand
