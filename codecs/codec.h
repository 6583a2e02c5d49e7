// Contract: the normalised result every uchet payload codec produces, and the codec registry.
// A codec is a pure function (codec name, fPort, payload bytes) -> DecodedPayload or a reason
// string; it never throws, never reads outside the given bytes and does no I/O. The JSON form
// (to_json) is the `object` of an `up` event, shape defined in docs/karat-payloads.md §3.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace uchet::codecs {

using Bytes = std::span<const std::uint8_t>;

// One measured value in canonical units (m3, kWh, t, degC, K, kW, m3/h, h, ...).
// storage/tariff/subunit/function are filled by the M-Bus codecs only; other codecs leave
// them empty so the JSON carries exactly the fields the device format knows about.
struct Reading {
  std::string quantity;        // "volume", "energy", "flow_temperature", "pulses", ...
  std::string resource;        // "cold_water", "hot_water", "heat", "pulse", "unknown", ...
  std::optional<int> channel;  // input channel of multi-input modules (1-based)
  double value = 0.0;
  std::string unit;                      // canonical unit
  std::optional<std::int64_t> time;      // unix seconds, UTC; absent when the device clock is unknown
  std::optional<std::uint64_t> storage;  // M-Bus storage number (0 = current value)
  std::optional<std::uint32_t> tariff;
  std::optional<std::uint32_t> subunit;
  std::optional<std::string> function;  // "instantaneous", "maximum", "minimum", "error"
};

struct DecodedPayload {
  std::string codec;                 // registry name that produced it
  std::string packet;                // "current", "alarm", "hourly_archive", "device_info", ...
  std::optional<std::int64_t> time;  // unix seconds, UTC
  std::optional<int> battery;        // percent
  std::optional<int> temperature;    // degC, module/device temperature
  std::vector<std::string> flags;    // named status conditions
  std::vector<Reading> readings;
  nlohmann::json extra = nlohmann::json::object();  // device info, clocks, raw/unmapped data
};

// A message for the device: the application payload and the fPort it must be sent on.
struct Downlink {
  std::uint8_t fport = 0;
  std::vector<std::uint8_t> bytes;
  bool operator==(const Downlink&) const = default;
};

using DecodeResult = std::expected<DecodedPayload, std::string>;

// What a codec's devices do beyond their uplink format, declared by the codec so that the
// metering stage asks the registry instead of naming a codec or its packet names. A member left
// empty means "this device format has no such thing" (M-Bus meters: no clock correction over the
// air, no time requests, no announced reporting period).
struct CodecBehaviour {
  // The device time a packet was stamped with at (or right before) transmission, when the
  // packet is such a clock observation.
  std::optional<std::int64_t> (*stamped_at_transmission)(const DecodedPayload&) = nullptr;
  // True for a packet that asks the network for the time: answered at once with a correction.
  bool (*asks_for_time)(const DecodedPayload&) = nullptr;
  // The downlink telling the device to add `seconds` to its clock; null: not settable.
  Downlink (*clock_correction)(std::int64_t seconds) = nullptr;
  // The reporting period (seconds) a packet announces, when it announces one.
  std::optional<std::int64_t> (*announced_reporting_period)(const DecodedPayload&) = nullptr;
  // True for a packet whose flags are the device's whole status word (alarms open and close
  // from it); other packets leave alarms as they are.
  bool (*carries_status_word)(const DecodedPayload&) = nullptr;
  // The reporting periods (seconds) the device can be set to; empty: not settable.
  std::span<const std::uint32_t> reporting_periods;
  // Encodes the `object` of a downlink command (the JSON an application sends instead of raw
  // bytes) into the fPort and bytes the device understands, or says why it cannot: an
  // unknown command, a missing or out-of-range field. Null: the format has no downlink
  // objects (M-Bus meters), and every object is refused.
  std::expected<Downlink, std::string> (*encode_downlink)(const nlohmann::json& object) = nullptr;
  // The value at which a cumulative register of `quantity` wraps to zero (its maximum plus one
  // step), when the format fixes it; null or nullopt: unknown, and no overflow is recognised.
  std::optional<double> (*register_range)(std::string_view quantity) = nullptr;
};

// Registry. Unknown codec names are an error, never a silent fallback. A reading whose value is
// not a finite number never leaves decode(): it is moved to extra.rejected_readings with a
// note, so one bad value costs the frame nothing else (readings are stored as REAL NOT NULL).
DecodeResult decode(std::string_view codec_name, std::uint8_t fport, Bytes payload);
// The guard decode() applies; public so that its rule is tested on its own.
void keep_finite_readings(DecodedPayload& payload);
const std::vector<std::string>& known_codecs();
bool is_known_codec(std::string_view codec_name);
// The behaviour a known codec declares; an unknown name gets the empty behaviour (nothing
// beyond decoding), as decode() refuses it anyway.
const CodecBehaviour& behaviour(std::string_view codec_name);
// The downlink a codec encodes from a command's `object` (its behaviour's encode_downlink), or
// why not, naming the codec: no codec, an unknown one, one without downlink objects, or the
// codec's own reason. Never throws.
std::expected<Downlink, std::string> encode_downlink(std::string_view codec_name, const nlohmann::json& object);

// The spec's `object` shape; optional fields are omitted when absent, times are
// ISO 8601 UTC strings ("2026-11-22T10:00:00Z").
nlohmann::json to_json(const Reading& reading);
nlohmann::json to_json(const DecodedPayload& payload);

}  // namespace uchet::codecs
