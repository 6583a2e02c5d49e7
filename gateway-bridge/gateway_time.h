#pragma once
// The clocks gateways report, as std::chrono values: UTC reception time of an rxpk ("time",
// ISO 8601 with a fraction), GPS time (tmms, ms since 1980-01-06 without leap seconds) and the
// wall-clock stamp of a stat report ("2014-01-12 08:59:28 GMT"). Pure.
#include <chrono>
#include <string_view>

#include "netserver/lorawan/types.h"

namespace uchet::bridge {

using UtcTime = std::chrono::sys_time<std::chrono::microseconds>;
// Milliseconds since the GPS epoch 1980-01-06T00:00:00, leap seconds not applied; kept apart
// from UTC on purpose, converting needs the current leap-second count.
using GpsTime = std::chrono::milliseconds;

// "YYYY-MM-DDThh:mm:ss[.f]Z", 0 to 9 fraction digits (lora_pkt_fwd prints 6), truncated to µs.
lorawan::Result<UtcTime> parse_rx_time(std::string_view text);
// "YYYY-MM-DD hh:mm:ss GMT" or "... UTC" (strftime "%F %T %Z" on gmtime).
lorawan::Result<std::chrono::sys_seconds> parse_stat_time(std::string_view text);

}  // namespace uchet::bridge
