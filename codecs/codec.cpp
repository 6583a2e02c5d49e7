#include "codecs/codec.h"

#include <algorithm>
#include <cmath>

#include "codecs/karat_926lw.h"
#include "codecs/mbus_codec.h"
#include "common/civil_time.h"

namespace uchet::codecs {

const std::vector<std::string>& known_codecs() {
  static const std::vector<std::string> names{"karat-926lw", "karat-307-mbus", "karat-compact-mbus", "mbus"};
  return names;
}

bool is_known_codec(std::string_view name) {
  const auto& names = known_codecs();
  return std::find(names.begin(), names.end(), name) != names.end();
}

const CodecBehaviour& behaviour(std::string_view name) {
  static const CodecBehaviour none{};
  if (name == "karat-926lw") return karat926::behaviour();
  if (name == "karat-307-mbus" || name == "karat-compact-mbus" || name == "mbus") return mbus::behaviour();
  return none;
}

std::expected<Downlink, std::string> encode_downlink(std::string_view name, const nlohmann::json& object) {
  if (name.empty()) return std::unexpected("the device has no codec to encode an object");
  if (!is_known_codec(name)) return std::unexpected("unknown codec '" + std::string(name) + "'");
  const auto encode = behaviour(name).encode_downlink;
  if (!encode) return std::unexpected("codec '" + std::string(name) + "' encodes no downlink objects");
  try {
    return encode(object);
  } catch (const std::exception& e) {
    return std::unexpected(std::string(name) + ": internal encoder error: " + e.what());
  }
}

namespace {

DecodeResult decode_with(std::string_view codec_name, std::uint8_t fport, Bytes payload) {
  if (codec_name == "karat-926lw") return karat926::decode(fport, payload);
  if (codec_name == "karat-307-mbus" || codec_name == "karat-compact-mbus" || codec_name == "mbus") {
    return mbus::decode_payload(codec_name, fport, payload);
  }
  return std::unexpected("unknown codec '" + std::string(codec_name) + "'");
}

}  // namespace

void keep_finite_readings(DecodedPayload& payload) {
  auto bad = std::stable_partition(payload.readings.begin(), payload.readings.end(),
                                   [](const Reading& r) { return std::isfinite(r.value); });
  if (bad == payload.readings.end()) return;
  nlohmann::json& rejected = payload.extra["rejected_readings"];
  if (!rejected.is_array()) rejected = nlohmann::json::array();
  for (auto it = bad; it != payload.readings.end(); ++it) {
    nlohmann::json j = to_json(*it);
    j["value"] = nullptr;
    j["note"] = "not a finite number (NaN or infinity)";
    rejected.push_back(std::move(j));
  }
  payload.readings.erase(bad, payload.readings.end());
}

DecodeResult decode(std::string_view codec_name, std::uint8_t fport, Bytes payload) {
  // Decoders are written not to throw; this guard keeps the "never throws" contract even if a
  // library call (allocation, JSON) does.
  try {
    auto decoded = decode_with(codec_name, fport, payload);
    if (decoded) keep_finite_readings(*decoded);
    return decoded;
  } catch (const std::exception& e) {
    return std::unexpected(std::string(codec_name) + ": internal decoder error: " + e.what());
  }
}

nlohmann::json to_json(const Reading& r) {
  nlohmann::json j = nlohmann::json::object();
  j["quantity"] = r.quantity;
  j["resource"] = r.resource;
  if (r.channel) j["channel"] = *r.channel;
  j["value"] = r.value;
  j["unit"] = r.unit;
  if (r.time) j["time"] = common::format_utc(*r.time);
  if (r.storage) j["storage"] = *r.storage;
  if (r.tariff) j["tariff"] = *r.tariff;
  if (r.subunit) j["subunit"] = *r.subunit;
  if (r.function) j["function"] = *r.function;
  return j;
}

nlohmann::json to_json(const DecodedPayload& p) {
  nlohmann::json j = nlohmann::json::object();
  j["codec"] = p.codec;
  j["packet"] = p.packet;
  if (p.time) j["time"] = common::format_utc(*p.time);
  if (p.battery) j["battery"] = *p.battery;
  if (p.temperature) j["temperature"] = *p.temperature;
  j["flags"] = p.flags;
  nlohmann::json readings = nlohmann::json::array();
  for (const auto& r : p.readings) readings.push_back(to_json(r));
  j["readings"] = std::move(readings);
  if (p.extra.is_object() && !p.extra.empty()) j["extra"] = p.extra;
  return j;
}

}  // namespace uchet::codecs
