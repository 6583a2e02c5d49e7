#include "codecs/mbus_codec.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "codecs/mbus_fixed.h"
#include "codecs/scale.h"
#include "common/civil_time.h"

namespace uchet::codecs::mbus {

namespace {

// Canonical quantity/unit for a raw quantity in a raw unit: value_canonical = raw * factor + offset.
struct Conversion {
  std::string_view quantity;
  std::string_view unit;
  double factor;
  double offset = 0.0;
};

constexpr double kGallon = 0.003785411784;  // m3 per US gallon

std::optional<Conversion> canonical(std::string_view q, std::string_view u) {
  if (q == "energy") {
    if (u == "Wh") return Conversion{"energy", "kWh", 1e-3};
    if (u == "J") return Conversion{"energy", "kWh", 1.0 / 3.6e6};
  } else if (q == "volume") {
    if (u == "m3") return Conversion{"volume", "m3", 1.0};
    if (u == "ft3") return Conversion{"volume", "m3", 0.028316846592};
    if (u == "gal_us") return Conversion{"volume", "m3", kGallon};
  } else if (q == "mass") {
    if (u == "kg") return Conversion{"mass", "t", 1e-3};
  } else if (q == "on_time" || q == "operating_time") {
    if (u == "s") return Conversion{q, "h", 1.0 / 3600.0};
  } else if (q == "power") {
    if (u == "W") return Conversion{"power", "kW", 1e-3};
    if (u == "J/h") return Conversion{"power", "kW", 1.0 / 3.6e6};
  } else if (q == "volume_flow") {
    if (u == "m3/h") return Conversion{"volume_flow", "m3/h", 1.0};
    if (u == "m3/min") return Conversion{"volume_flow", "m3/h", 60.0};
    if (u == "m3/s") return Conversion{"volume_flow", "m3/h", 3600.0};
    if (u == "gal_us/min") return Conversion{"volume_flow", "m3/h", kGallon * 60.0};
    if (u == "gal_us/h") return Conversion{"volume_flow", "m3/h", kGallon};
  } else if (q == "mass_flow") {
    if (u == "kg/h") return Conversion{"mass_flow", "t/h", 1e-3};
  } else if (q == "flow_temperature" || q == "return_temperature" || q == "external_temperature") {
    if (u == "degC") return Conversion{q, "degC", 1.0};
    if (u == "degF") return Conversion{q, "degC", 5.0 / 9.0, -32.0 * 5.0 / 9.0};
  } else if (q == "temperature_difference") {
    if (u == "K") return Conversion{q, "K", 1.0};
    if (u == "degF") return Conversion{q, "K", 5.0 / 9.0};
  } else if (q == "pressure") {
    if (u == "bar") return Conversion{q, "bar", 1.0};
  } else if (q == "hca_units") {
    return Conversion{q, "hca", 1.0};
  } else if (q == "voltage") {
    if (u == "V") return Conversion{q, "V", 1.0};
  } else if (q == "current") {
    if (u == "A") return Conversion{q, "A", 1.0};
  }
  return std::nullopt;
}

bool is_plain_calendar(const Record& r) {
  return r.kind == Record::Kind::data && r.value_kind == ValueKind::calendar && r.calendar.valid &&
         r.calendar.has_date && !r.changes_meaning && (r.quantity == "date" || r.quantity == "date_time");
}

// Meter clocks carry no zone: the wall-clock value is reported as if it were UTC (see README).
std::int64_t calendar_unix(const CalendarValue& c) {
  return common::unix_from_utc(c.year, c.month, c.day, c.hour, c.minute, c.second);
}

std::optional<Reading> to_reading(const Record& r, const std::string& resource) {
  if (r.kind != Record::Kind::data || r.value_kind != ValueKind::number || !r.known || r.changes_meaning ||
      r.manufacturer_vife || !r.record_error.empty()) {
    return std::nullopt;
  }
  const auto conv = canonical(r.quantity, r.unit);
  if (!conv) return std::nullopt;
  Reading reading;
  reading.quantity = std::string(conv->quantity);
  if (r.reverse) reading.quantity += "_reverse";
  reading.resource = resource;
  reading.value = scale_value(r.number, conv->factor) + conv->offset;
  reading.unit = std::string(conv->unit);
  reading.storage = r.storage;
  reading.tariff = r.tariff;
  reading.subunit = r.subunit;
  reading.function = std::string(function_name(r.function));
  return reading;
}

// Historic values (storage > 0) are dated by the date record of the same storage number and
// subunit, preferring one with the same function (the time of a maximum, say).
std::optional<std::int64_t> storage_time(const std::vector<Record>& records, const Reading& reading) {
  const Record* fallback = nullptr;
  for (const auto& r : records) {
    if (!is_plain_calendar(r) || r.storage != *reading.storage || r.subunit != *reading.subunit) continue;
    if (function_name(r.function) == *reading.function) return calendar_unix(r.calendar);
    if (r.function == Function::instantaneous && !fallback) fallback = &r;
  }
  if (fallback) return calendar_unix(fallback->calendar);
  return std::nullopt;
}

void add_status_flags(std::uint8_t status, std::vector<std::string>& flags) {
  switch (status & 0x03) {
    case 1:
      flags.emplace_back("application_busy");
      break;
    case 2:
      flags.emplace_back("application_error");
      break;
    case 3:
      flags.emplace_back("abnormal_condition");
      break;
    default:
      break;
  }
  if (status & 0x04) flags.emplace_back("power_low");
  if (status & 0x08) flags.emplace_back("permanent_error");
  if (status & 0x10) flags.emplace_back("temporary_error");
}

nlohmann::json header_json(const Telegram& t) {
  nlohmann::json h = nlohmann::json::object();
  h["ci"] = "0x" + hex_string(std::span(&t.ci, 1));
  if (t.a_field) h["address"] = *t.a_field;
  const Header& hd = t.header;
  if (hd.id) h["id"] = *hd.id;
  if (hd.manufacturer) h["manufacturer"] = *hd.manufacturer;
  if (hd.version) h["version"] = *hd.version;
  if (hd.medium) {
    h["medium_code"] = *hd.medium;
    h["medium"] = medium_name(*hd.medium);
  }
  if (hd.kind != Header::Kind::none) {
    h["access_number"] = hd.access_number;
    h["status"] = hd.status;
  }
  if (hd.kind == Header::Kind::long_header || hd.kind == Header::Kind::short_header) {
    h["signature"] = hd.signature;
  }
  return h;
}

}  // namespace

std::expected<RawTelegram, std::string> decode_raw(Bytes payload) {
  auto telegram = parse_telegram(payload);
  if (!telegram) return std::unexpected(telegram.error());
  auto records = telegram->header.kind == Header::Kind::fixed
                     ? decode_fixed_counters(telegram->body, telegram->header.status)
                     : decode_records(telegram->body);
  if (!records) return std::unexpected(records.error());
  return RawTelegram{*telegram, std::move(*records)};
}

nlohmann::json record_to_json(const Record& r) {
  nlohmann::json j = nlohmann::json::object();
  j["quantity"] = r.quantity;
  if (!r.plain_text_unit.empty() || r.quantity == "plain_text") j["plain_text_unit"] = r.plain_text_unit;
  if (!r.unit.empty() && r.quantity != "plain_text") j["unit"] = r.unit;
  switch (r.value_kind) {
    case ValueKind::none:
      j["value"] = nullptr;
      break;
    case ValueKind::number:
      j["value"] = r.number;
      break;
    case ValueKind::text:
      j["value"] = r.text;
      break;
    case ValueKind::calendar:
      j["value"] = r.calendar.valid ? nlohmann::json(r.calendar.text()) : nlohmann::json(nullptr);
      break;
    case ValueKind::bytes:
      j["value"] = hex_string(r.data);
      break;
  }
  if (r.kind == Record::Kind::data) {
    j["storage"] = r.storage;
    j["tariff"] = r.tariff;
    j["subunit"] = r.subunit;
    j["function"] = std::string(function_name(r.function));
    j["dif"] = hex_string(std::span<const std::uint8_t>(&r.dif, 1));
    if (!r.difes.empty()) j["dife"] = hex_string(r.difes);
    j["vib"] = hex_string(r.vib);
  }
  if (!r.known) j["known"] = false;
  if (!r.qualifiers.empty()) j["qualifiers"] = r.qualifiers;
  if (!r.record_error.empty()) j["record_error"] = r.record_error;
  if (!r.value_note.empty()) j["note"] = r.value_note;
  if (r.value_kind != ValueKind::bytes && !r.data.empty()) j["data"] = hex_string(r.data);
  return j;
}

DecodeResult decode_payload(std::string_view codec_name, std::uint8_t fport, Bytes payload) {
  if (fport == 0) return std::unexpected(std::string("fPort 0 carries MAC commands, not application data"));
  if (codec_name != "mbus" && fport != 2) {
    return std::unexpected(std::string(codec_name) + ": M-Bus data is sent on fPort 2, got fPort " +
                           std::to_string(fport));
  }
  auto raw = decode_raw(payload);
  if (!raw) return std::unexpected(raw.error());

  DecodedPayload out;
  out.codec = std::string(codec_name);
  out.packet = "current";
  const Header& header = raw->telegram.header;
  const std::string resource = header.medium ? medium_name(*header.medium) : "unknown";
  out.extra["mbus"] = header_json(raw->telegram);
  if (header.kind == Header::Kind::long_header || header.kind == Header::Kind::short_header) {
    add_status_flags(header.status, out.flags);
  }

  nlohmann::json unmapped = nlohmann::json::array();
  for (const auto& r : raw->records) {
    if (r.kind != Record::Kind::data) {
      out.extra["manufacturer_data"] = hex_string(r.data);
      if (r.kind == Record::Kind::more_records_follow) {
        out.extra["more_records_follow"] = true;
        out.flags.emplace_back("more_records_follow");
      }
      continue;
    }
    if (!out.time && r.quantity == "date_time" && is_plain_calendar(r) && r.calendar.has_time && r.storage == 0 &&
        r.tariff == 0 && r.subunit == 0 && r.function == Function::instantaneous) {
      out.time = calendar_unix(r.calendar);
    }
    if (r.quantity == "error_flags" && r.value_kind == ValueKind::number && r.number != 0 && r.storage == 0 &&
        std::find(out.flags.begin(), out.flags.end(), "meter_error_flags") == out.flags.end()) {
      out.flags.emplace_back("meter_error_flags");
    }
    if (auto reading = to_reading(r, resource)) {
      out.readings.push_back(std::move(*reading));
    } else {
      unmapped.push_back(record_to_json(r));
    }
  }
  for (auto& reading : out.readings) {
    reading.time = *reading.storage == 0 ? out.time : storage_time(raw->records, reading);
  }
  if (!unmapped.empty()) out.extra["records"] = std::move(unmapped);
  return out;
}

const CodecBehaviour& behaviour() {
  // A telegram's date-time record is the meter's clock when it was read out, and its records
  // are the meter's whole state; its clock cannot be set over LoRaWAN by uchet.
  static const CodecBehaviour b{
      .stamped_at_transmission = [](const DecodedPayload& p) { return p.time; },
      .carries_status_word = [](const DecodedPayload&) { return true; },
  };
  return b;
}

}  // namespace uchet::codecs::mbus
