#pragma once
// UTC <-> GPS time (seconds since 1980-01-06T00:00:00Z without leap seconds), as used by
// DeviceTimeAns, Class B beacons and the gateways' "tmms". GPS runs ahead of UTC by the leap
// seconds inserted since 1980: 18 s since 2017-01-01. The table ends there; a new leap second
// announced in IERS Bulletin C must be added to gps_time.cpp.
#include <chrono>

namespace uchet::lorawan {

using UtcTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// Seconds since 1980-01-06 that Unix time counts but GPS does not offset by (315 964 800).
inline constexpr std::chrono::seconds kUnixToGpsEpoch{315'964'800};

// GPS − UTC in effect at this UTC instant (0 before 1981-07-01).
std::chrono::seconds leap_seconds_at(UtcTime utc);

std::chrono::nanoseconds gps_time_from_utc(UtcTime utc);
// A GPS instant inside an inserted leap second (UTC 23:59:60) maps to the following 00:00:00,
// because UTC as Unix time cannot name it.
UtcTime utc_from_gps_time(std::chrono::nanoseconds since_gps_epoch);

}  // namespace uchet::lorawan
