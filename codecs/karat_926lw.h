// Contract: the `karat-926lw` water/pulse module format (docs/karat-payloads.md §1).
// Uplinks: fPort 2 type 0x01 CURRENT / 0x03 ALARM (10 + 5·N bytes, N = 1..4), type 0x02
// HOURLY ARCHIVE (11 + 2·K bytes, K = 0..20); fPort 3 type 0x10 DEVICE INFO (14 bytes);
// fPort 4 type 0xFF TIME REQUEST (5 bytes). Lengths are exact: anything else is an error.
// Downlink builders return the fPort and bytes to send, or a reason when the request is
// not expressible in the format.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "codecs/codec.h"

namespace uchet::codecs::karat926 {

DecodeResult decode(std::uint8_t fport, Bytes payload);

// Reporting periods the module knows, in seconds: 900, 3600, 21600, 43200, 86400.
std::expected<Downlink, std::string> set_reporting_period(std::uint32_t seconds);
Downlink request_device_info();
// correction = network time of the TIME REQUEST uplink - device time it reported.
Downlink time_correction(std::int64_t correction_seconds);
Downlink time_correction_for(std::int64_t network_time_unix, std::uint32_t device_time_unix);
Downlink set_valve(bool close);
// A downlink command's `object` (docs/karat-payloads.md, "Downlink objects"):
//   {"command": "set_reporting_period", "seconds": 3600}
//   {"command": "request_device_info"}
//   {"command": "correct_time", "seconds": -42}
//   {"command": "set_valve", "position": "closed" | "open"}
// Any other key, command or value is refused with a reason.
std::expected<Downlink, std::string> encode_downlink(const nlohmann::json& object);
// What the module does beyond its uplinks (clock observations, TIME REQUEST answered with
// time_correction, DEVICE INFO's reporting period, the status word of CURRENT/ALARM).
const CodecBehaviour& behaviour();

}  // namespace uchet::codecs::karat926
