#pragma once
// The clock texts Semtech forwarders write, as the contract's std::chrono values: UTC reception
// time of an rxpk ("time", ISO 8601 with a fraction) and the wall-clock stamp of a stat report
// ("2014-01-12 08:59:28 GMT"). (tmms, the GPS time, is a plain number.) Pure.
#include <chrono>
#include <string_view>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

// "YYYY-MM-DDThh:mm:ss[.f]Z", 0 to 9 fraction digits (lora_pkt_fwd prints 6), truncated to µs.
lorawan::Result<UtcTime> parse_rx_time(std::string_view text);
// "YYYY-MM-DD hh:mm:ss GMT" or "... UTC" (strftime "%F %T %Z" on gmtime).
lorawan::Result<std::chrono::sys_seconds> parse_stat_time(std::string_view text);

}  // namespace uchet::gateway_bridge::semtech_udp
