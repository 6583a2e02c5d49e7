#include "codecs/karat_926lw.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "codecs/format.h"
#include "codecs/scale.h"
#include "common/byte_reader.h"
#include "common/civil_time.h"

namespace uchet::codecs::karat926 {

namespace {

constexpr std::string_view kCodec = "karat-926lw";
constexpr std::size_t kMaxChannels = 4;
constexpr std::size_t kMaxIncrements = 20;
constexpr std::uint16_t kIncrementUnavailable = 0xFFFF;
constexpr std::array<std::uint32_t, 5> kPeriodSeconds{900, 3600, 21600, 43200, 86400};

std::unexpected<std::string> fail(std::string reason) {
  return std::unexpected(std::string(kCodec) + ": " + std::move(reason));
}

std::uint32_t u32(Bytes b, std::size_t off) { return static_cast<std::uint32_t>(*common::le_uint(b, off, 4)); }
std::uint16_t u16(Bytes b, std::size_t off) { return static_cast<std::uint16_t>(*common::le_uint(b, off, 2)); }

std::string hex_byte(std::uint8_t v) { return "0x" + hex_string(std::span(&v, 1)); }

// Registers of resource 1/2 count litres; the pulse input counts pulses whose volume the
// module does not know here (litres per pulse comes in DEVICE INFO), so it stays in pulses.
struct ResourceInfo {
  std::string resource;
  std::string quantity;
  std::string unit;
  double factor;
};

ResourceInfo resource_info(std::uint8_t code) {
  switch (code) {
    case 0x01:
      return {"cold_water", "volume", "m3", 1e-3};
    case 0x02:
      return {"hot_water", "volume", "m3", 1e-3};
    case 0x03:
      return {"pulse", "pulses", "pulses", 1.0};
    default:
      return {"unknown", "register", "raw", 1.0};
  }
}

// Clock value 0 means the module's clock was never set: no usable time.
std::optional<std::int64_t> device_time(std::uint32_t t) {
  if (t == 0) return std::nullopt;
  return static_cast<std::int64_t>(t);
}

void status_flags(std::uint16_t s, std::vector<std::string>& flags) {
  static constexpr std::array<std::string_view, 9> kNames{"magnetic_influence",     "leak",         "burst",
                                                          "reverse_flow",           "sensor_fault", "low_battery",
                                                          "clock_not_synchronised", "case_opened",  "valve_closed"};
  for (std::size_t bit = 0; bit < kNames.size(); ++bit) {
    if (s & (1u << bit)) flags.emplace_back(kNames[bit]);
  }
}

DecodeResult decode_snapshot(Bytes p, std::string_view packet) {
  if (p.size() < 10)
    return fail(std::string(packet) + " packet too short: " + std::to_string(p.size()) + " bytes, header needs 10");
  const std::size_t n = p[9];
  if (n < 1 || n > kMaxChannels) return fail("channel count " + std::to_string(n) + " out of range 1..4");
  if (p.size() != 10 + 5 * n) {
    return fail(std::string(packet) + " packet with " + std::to_string(n) + " channels must be " +
                std::to_string(10 + 5 * n) + " bytes, got " + std::to_string(p.size()));
  }
  DecodedPayload out;
  out.codec = std::string(kCodec);
  out.packet = std::string(packet);
  if (p[1] != 0xFF) out.battery = p[1];
  out.time = device_time(u32(p, 2));
  status_flags(u16(p, 6), out.flags);
  if (p[8] != 0x80) out.temperature = static_cast<std::int8_t>(p[8]);
  if (!out.time) {
    out.flags.emplace_back("clock_unset");
    out.extra["clock_unset"] = true;
  }
  if (p[1] != 0xFF && p[1] > 100) out.extra["battery_raw"] = p[1];
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t off = 10 + 5 * i;
    const std::uint8_t code = p[off];
    const std::uint32_t reg = u32(p, off + 1);
    const ResourceInfo info = resource_info(code);
    Reading r;
    r.quantity = info.quantity;
    r.resource = info.resource;
    r.channel = static_cast<int>(i + 1);
    r.value = scale_value(reg, info.factor);
    r.unit = info.unit;
    r.time = out.time;
    if (info.resource == "unknown") {
      out.extra["unknown_resource_codes"].push_back({{"channel", i + 1}, {"code", code}, {"register", reg}});
    }
    out.readings.push_back(std::move(r));
  }
  return out;
}

DecodeResult decode_archive(Bytes p) {
  if (p.size() < 11) return fail("hourly archive too short: " + std::to_string(p.size()) + " bytes, header needs 11");
  const std::size_t k = p[10];
  if (k > kMaxIncrements) return fail("hourly increment count " + std::to_string(k) + " out of range 0..20");
  if (p.size() != 11 + 2 * k) {
    return fail("hourly archive with " + std::to_string(k) + " increments must be " + std::to_string(11 + 2 * k) +
                " bytes, got " + std::to_string(p.size()));
  }
  DecodedPayload out;
  out.codec = std::string(kCodec);
  out.packet = "hourly_archive";
  out.time = device_time(u32(p, 1));
  const std::uint8_t code = p[5];
  const ResourceInfo info = resource_info(code);
  std::uint64_t reg = u32(p, 6);
  nlohmann::json increments = nlohmann::json::array();
  for (std::size_t i = 0; i < k; ++i) {
    const std::uint16_t inc = u16(p, 11 + 2 * i);
    increments.push_back(inc == kIncrementUnavailable ? nlohmann::json(nullptr) : nlohmann::json(inc));
  }
  out.extra["start_register"] = reg;
  out.extra["increments"] = increments;
  if (info.resource == "unknown") out.extra["unknown_resource_codes"].push_back({{"code", code}});
  if (!out.time) {
    // Without a start time the hourly values cannot be placed; keep them only raw.
    out.flags.emplace_back("clock_unset");
    out.extra["clock_unset"] = true;
    return out;
  }
  auto add = [&](std::int64_t t, std::uint64_t value) {
    Reading r;
    r.quantity = info.quantity;
    r.resource = info.resource;
    r.value = scale_value(static_cast<double>(value), info.factor);
    r.unit = info.unit;
    r.time = t;
    out.readings.push_back(std::move(r));
  };
  add(*out.time, reg);
  for (std::size_t i = 0; i < k; ++i) {
    const std::uint16_t inc = u16(p, 11 + 2 * i);
    if (inc == kIncrementUnavailable) {
      // Later absolute values depend on the missing hour: not derivable from this packet.
      out.extra["unavailable_from_hour"] = i + 1;
      break;
    }
    reg += inc;
    add(*out.time + static_cast<std::int64_t>(3600 * (i + 1)), reg);
  }
  return out;
}

DecodeResult decode_device_info(Bytes p) {
  if (p.size() != 14) return fail("device info must be 14 bytes, got " + std::to_string(p.size()));
  DecodedPayload out;
  out.codec = std::string(kCodec);
  out.packet = "device_info";
  auto& e = out.extra;
  e["serial"] = u32(p, 1);
  e["firmware"] = std::to_string(p[5]) + "." + std::to_string(p[6]);
  const std::uint32_t made = u32(p, 7);
  e["manufacture_date"] = made == 0 ? nlohmann::json(nullptr) : nlohmann::json(common::format_utc(made));
  const std::uint8_t period = p[11];
  e["reporting_period_code"] = period;
  if (period < kPeriodSeconds.size()) {
    e["reporting_period_s"] = kPeriodSeconds[period];
  } else {
    e["reporting_period_s"] = nullptr;
    out.flags.emplace_back("unknown_reporting_period");
  }
  e["litres_per_pulse"] = u16(p, 12);
  return out;
}

DecodeResult decode_time_request(Bytes p) {
  if (p.size() != 5) return fail("time request must be 5 bytes, got " + std::to_string(p.size()));
  DecodedPayload out;
  out.codec = std::string(kCodec);
  out.packet = "time_request";
  const std::uint32_t t = u32(p, 1);
  out.extra["device_time_unix"] = t;
  if (t == 0) {
    out.extra["device_time"] = nullptr;
    out.extra["clock_unset"] = true;
    out.flags.emplace_back("clock_unset");
  } else {
    out.extra["device_time"] = common::format_utc(t);
  }
  return out;
}

}  // namespace

DecodeResult decode(std::uint8_t fport, Bytes p) {
  if (p.empty()) return fail("empty payload on fPort " + std::to_string(fport));
  const std::uint8_t type = p[0];
  switch (fport) {
    case 2:
      if (type == 0x01) return decode_snapshot(p, "current");
      if (type == 0x03) return decode_snapshot(p, "alarm");
      if (type == 0x02) return decode_archive(p);
      break;
    case 3:
      if (type == 0x10) return decode_device_info(p);
      break;
    case 4:
      if (type == 0xFF) return decode_time_request(p);
      break;
    default:
      return fail("no uplink is defined on fPort " + std::to_string(fport));
  }
  return fail("unknown packet type " + hex_byte(type) + " on fPort " + std::to_string(fport));
}

std::expected<Downlink, std::string> set_reporting_period(std::uint32_t seconds) {
  for (std::size_t code = 0; code < kPeriodSeconds.size(); ++code) {
    if (kPeriodSeconds[code] == seconds) return Downlink{3, {0x20, static_cast<std::uint8_t>(code)}};
  }
  return fail("reporting period " + std::to_string(seconds) + " s is not supported (900, 3600, 21600, 43200 or 86400)");
}

Downlink request_device_info() { return Downlink{3, {0x21}}; }

Downlink time_correction(std::int64_t correction_seconds) {
  Downlink d{4, {0xFF}};
  const auto v = static_cast<std::uint64_t>(correction_seconds);
  for (int i = 0; i < 8; ++i) d.bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  return d;
}

Downlink time_correction_for(std::int64_t network_time_unix, std::uint32_t device_time_unix) {
  return time_correction(network_time_unix - static_cast<std::int64_t>(device_time_unix));
}

Downlink set_valve(bool close) { return Downlink{5, {0x30, static_cast<std::uint8_t>(close ? 1 : 0)}}; }

std::expected<Downlink, std::string> encode_downlink(const nlohmann::json& object) {
  if (!object.is_object()) return fail("a downlink object must be a JSON object");
  const auto command = object.find("command");
  if (command == object.end() || !command->is_string()) {
    return fail(
        "a downlink object needs \"command\": set_reporting_period, request_device_info, correct_time "
        "or set_valve");
  }
  const auto name = command->get<std::string>();
  // Each command's fields; anything else in the object is a mistake worth refusing.
  const auto only = [&](std::initializer_list<std::string_view> fields) -> std::optional<std::string> {
    for (const auto& [key, value] : object.items()) {
      if (key == "command") continue;
      if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
        return "field \"" + key + "\" is not one of " + name + "'s";
      }
    }
    return std::nullopt;
  };
  const auto integer = [&](const char* key) -> std::optional<std::int64_t> {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
  };
  if (name == "set_reporting_period") {
    if (auto extra = only({"seconds"})) return fail(*extra);
    const auto seconds = integer("seconds");
    if (!seconds || *seconds < 0 || *seconds > 86400) {
      return fail("set_reporting_period needs \"seconds\": 900, 3600, 21600, 43200 or 86400");
    }
    return set_reporting_period(static_cast<std::uint32_t>(*seconds));
  }
  if (name == "request_device_info") {
    if (auto extra = only({})) return fail(*extra);
    return request_device_info();
  }
  if (name == "correct_time") {
    if (auto extra = only({"seconds"})) return fail(*extra);
    const auto seconds = integer("seconds");
    if (!seconds) return fail("correct_time needs \"seconds\", an integer to add to the device clock");
    return time_correction(*seconds);
  }
  if (name == "set_valve") {
    if (auto extra = only({"position"})) return fail(*extra);
    const auto it = object.find("position");
    const std::string position = it != object.end() && it->is_string() ? it->get<std::string>() : "";
    if (position != "closed" && position != "open") return fail("set_valve needs \"position\": \"closed\" or \"open\"");
    return set_valve(position == "closed");
  }
  return fail("unknown downlink command \"" + name +
              "\" (set_reporting_period, request_device_info, correct_time or set_valve)");
}

const CodecBehaviour& behaviour() {
  // CURRENT and ALARM are stamped at transmission and carry the whole status word; a TIME
  // REQUEST is stamped too (device time 0: the clock was never set, nothing to observe).
  static const CodecBehaviour b{
      .stamped_at_transmission = [](const DecodedPayload& p) -> std::optional<std::int64_t> {
        if (p.packet == "time_request") {
          const std::int64_t t = p.extra.value("device_time_unix", std::int64_t{0});
          return t != 0 ? std::optional(t) : std::nullopt;
        }
        if (p.packet == "current" || p.packet == "alarm") return p.time;
        return std::nullopt;
      },
      .asks_for_time = [](const DecodedPayload& p) { return p.packet == "time_request"; },
      .clock_correction = &time_correction,
      .announced_reporting_period = [](const DecodedPayload& p) -> std::optional<std::int64_t> {
        if (p.packet != "device_info" || !p.extra.contains("reporting_period_s")) return std::nullopt;
        const auto& period = p.extra["reporting_period_s"];
        if (!period.is_number()) return std::nullopt;
        return period.get<std::int64_t>();
      },
      .carries_status_word = [](const DecodedPayload& p) { return p.packet == "current" || p.packet == "alarm"; },
      .reporting_periods = kPeriodSeconds,
      .encode_downlink = &encode_downlink,
      // Registers are unsigned 32-bit counts of litres (water) or pulses.
      .register_range = [](std::string_view quantity) -> std::optional<double> {
        constexpr double kCounts = 4294967296.0;
        if (quantity == "volume") return kCounts * 1e-3;
        if (quantity == "pulses") return kCounts;
        return std::nullopt;
      },
  };
  return b;
}

}  // namespace uchet::codecs::karat926
