#include "codecs/mbus_vif_tables.h"

#include <array>

#include "codecs/scale.h"

namespace uchet::codecs::mbus {

namespace {

constexpr double pow10(int e) { return decimal_factor(e); }

// nn = 0..3 -> seconds, minutes, hours, days, expressed in seconds.
constexpr std::array<double, 4> kDurationSeconds{1.0, 60.0, 3600.0, 86400.0};

VifInfo unknown() { return VifInfo{"unknown", "", 1.0, false, ValueHint::number}; }

// Durations with the month/year units of the 0xFD table (E010 01nn storage interval, ...):
// codes 0..3 are s/min/h/d, 4 = month, 5 = year. Months/years have no fixed length in
// seconds, so they keep their own unit instead of being approximated.
VifInfo duration_ext(std::string_view q, unsigned nn) {
  if (nn < 4) return VifInfo{q, "s", kDurationSeconds[nn]};
  return VifInfo{q, nn == 4 ? "month" : "year", 1.0};
}

}  // namespace

VifInfo primary_vif(std::uint8_t v) {
  v &= 0x7F;
  const int n = v & 0x07;
  const unsigned nn = v & 0x03;
  switch (v >> 3) {
    case 0x0:
      return {"energy", "Wh", pow10(n - 3)};
    case 0x1:
      return {"energy", "J", pow10(n)};
    case 0x2:
      return {"volume", "m3", pow10(n - 6)};
    case 0x3:
      return {"mass", "kg", pow10(n - 3)};
    case 0x4:
      return {n < 4 ? "on_time" : "operating_time", "s", kDurationSeconds[nn]};
    case 0x5:
      return {"power", "W", pow10(n - 3)};
    case 0x6:
      return {"power", "J/h", pow10(n)};
    case 0x7:
      return {"volume_flow", "m3/h", pow10(n - 6)};
    case 0x8:
      return {"volume_flow", "m3/min", pow10(n - 7)};
    case 0x9:
      return {"volume_flow", "m3/s", pow10(n - 9)};
    case 0xA:
      return {"mass_flow", "kg/h", pow10(n - 3)};
    case 0xB:
      return {n < 4 ? "flow_temperature" : "return_temperature", "degC", pow10(static_cast<int>(nn) - 3)};
    case 0xC:
      if (n < 4) return {"temperature_difference", "K", pow10(static_cast<int>(nn) - 3)};
      return {"external_temperature", "degC", pow10(static_cast<int>(nn) - 3)};
    case 0xD:
      if (n < 4) return {"pressure", "bar", pow10(static_cast<int>(nn) - 3)};
      if (v == 0x6C) return {"date", "", 1.0, true, ValueHint::calendar};
      if (v == 0x6D) return {"date_time", "", 1.0, true, ValueHint::calendar};
      if (v == 0x6E) return {"hca_units", "", 1.0};
      return unknown();  // 0x6F reserved
    case 0xE:
      return {n < 4 ? "averaging_duration" : "actuality_duration", "s", kDurationSeconds[nn]};
    default:
      switch (v) {
        case 0x78:
          return {"fabrication_number", ""};
        case 0x79:
          return {"enhanced_identification", ""};
        case 0x7A:
          return {"bus_address", ""};
        case 0x7E:
          return {"any_vif", ""};
        case 0x7F:
          return {"manufacturer_specific", ""};
        default:
          return unknown();  // 0x7B/0x7D without their extension byte
      }
  }
}

VifInfo fd_vif(std::uint8_t v) {
  v &= 0x7F;
  const unsigned nn = v & 0x03;
  if (v <= 0x03) return {"credit", "currency", pow10(static_cast<int>(nn) - 3)};
  if (v <= 0x07) return {"debit", "currency", pow10(static_cast<int>(nn) - 3)};
  if (v >= 0x40 && v <= 0x4F) return {"voltage", "V", pow10(static_cast<int>(v & 0x0F) - 9)};
  if (v >= 0x50 && v <= 0x5F) return {"current", "A", pow10(static_cast<int>(v & 0x0F) - 12)};
  switch (v) {
    case 0x08:
      return {"access_number", ""};
    case 0x09:
      return {"medium", ""};
    case 0x0A:
      return {"manufacturer", ""};
    case 0x0B:
      return {"parameter_set_id", ""};
    case 0x0C:
      return {"model_version", ""};
    case 0x0D:
      return {"hardware_version", ""};
    case 0x0E:
      return {"firmware_version", ""};
    case 0x0F:
      return {"software_version", ""};
    case 0x10:
      return {"customer_location", ""};
    case 0x11:
      return {"customer", ""};
    case 0x12:
      return {"access_code_user", ""};
    case 0x13:
      return {"access_code_operator", ""};
    case 0x14:
      return {"access_code_system_operator", ""};
    case 0x15:
      return {"access_code_developer", ""};
    case 0x16:
      return {"password", ""};
    case 0x17:
      return {"error_flags", "", 1.0, true, ValueHint::bitfield};
    case 0x18:
      return {"error_mask", "", 1.0, true, ValueHint::bitfield};
    case 0x1A:
      return {"digital_output", "", 1.0, true, ValueHint::bitfield};
    case 0x1B:
      return {"digital_input", "", 1.0, true, ValueHint::bitfield};
    case 0x1C:
      return {"baud_rate", "Bd"};
    case 0x1D:
      return {"response_delay", "bit_times"};
    case 0x1E:
      return {"retry", ""};
    case 0x20:
      return {"first_cyclic_storage_number", ""};
    case 0x21:
      return {"last_cyclic_storage_number", ""};
    case 0x22:
      return {"storage_block_size", ""};
    case 0x24:
    case 0x25:
    case 0x26:
    case 0x27:
    case 0x28:
    case 0x29:
      return duration_ext("storage_interval", v - 0x24);
    case 0x2C:
    case 0x2D:
    case 0x2E:
    case 0x2F:
      return duration_ext("duration_since_last_readout", nn);
    case 0x30:
      return {"tariff_start", "", 1.0, true, ValueHint::calendar};
    case 0x31:
    case 0x32:
    case 0x33:
      return duration_ext("tariff_duration", nn);
    case 0x34:
    case 0x35:
    case 0x36:
    case 0x37:
    case 0x38:
    case 0x39:
      return duration_ext("tariff_period", v - 0x34);
    case 0x3A:
      return {"dimensionless", ""};
    case 0x60:
      return {"reset_counter", ""};
    case 0x61:
      return {"cumulation_counter", ""};
    case 0x62:
      return {"control_signal", ""};
    case 0x63:
      return {"day_of_week", ""};
    case 0x64:
      return {"week_number", ""};
    case 0x65:
      return {"day_change_time_point", ""};
    case 0x66:
      return {"parameter_activation_state", ""};
    case 0x67:
      return {"special_supplier_information", ""};
    case 0x68:
    case 0x69:
    case 0x6A:
    case 0x6B:
      return duration_ext("duration_since_last_cumulation", 2 + nn);
    case 0x6C:
    case 0x6D:
    case 0x6E:
    case 0x6F:
      return duration_ext("battery_operating_time", 2 + nn);
    case 0x70:
      return {"battery_change_time", "", 1.0, true, ValueHint::calendar};
    case 0x71:
      return {"rf_level", "dBm"};
    case 0x74:
      return {"remaining_battery_life", "s", 86400.0};
    default:
      return unknown();
  }
}

// Only the codes of the alternate table with a settled meaning; the rest stay raw.
VifInfo fb_vif(std::uint8_t v) {
  v &= 0x7F;
  const int n1 = v & 0x01;
  const unsigned nn = v & 0x03;
  switch (v) {
    case 0x00:
    case 0x01:
      return {"energy", "Wh", pow10(n1 + 5)};  // 0.1..1 MWh
    case 0x08:
    case 0x09:
      return {"energy", "J", pow10(n1 + 8)};  // 0.1..1 GJ
    case 0x10:
    case 0x11:
      return {"volume", "m3", pow10(n1 + 2)};  // 100..1000 m3
    case 0x18:
    case 0x19:
      return {"mass", "kg", pow10(n1 + 5)};  // 100..1000 t
    case 0x21:
      return {"volume", "ft3", 0.1};
    case 0x22:
    case 0x23:
      return {"volume", "gal_us", pow10(n1 - 1)};
    case 0x24:
      return {"volume_flow", "gal_us/min", 0.001};
    case 0x25:
      return {"volume_flow", "gal_us/min", 1.0};
    case 0x26:
      return {"volume_flow", "gal_us/h", 1.0};
    case 0x28:
    case 0x29:
      return {"power", "W", pow10(n1 + 5)};  // 0.1..1 MW
    case 0x30:
    case 0x31:
      return {"power", "J/h", pow10(n1 + 8)};  // 0.1..1 GJ/h
    default:
      break;
  }
  if (v >= 0x58 && v <= 0x5B) return {"flow_temperature", "degF", pow10(static_cast<int>(nn) - 3)};
  if (v >= 0x5C && v <= 0x5F) return {"return_temperature", "degF", pow10(static_cast<int>(nn) - 3)};
  if (v >= 0x60 && v <= 0x63) return {"temperature_difference", "degF", pow10(static_cast<int>(nn) - 3)};
  if (v >= 0x64 && v <= 0x67) return {"external_temperature", "degF", pow10(static_cast<int>(nn) - 3)};
  if (v >= 0x70 && v <= 0x73) return {"temperature_limit", "degF", pow10(static_cast<int>(nn) - 3)};
  if (v >= 0x74 && v <= 0x77) return {"temperature_limit", "degC", pow10(static_cast<int>(nn) - 3)};
  if (v >= 0x78) return {"cumulative_max_power_count", "W", pow10((v & 0x07) - 3)};
  return unknown();
}

VifeInfo combinable_vife(std::uint8_t v) {
  using K = VifeInfo::Kind;
  v &= 0x7F;
  static constexpr std::array<std::string_view, 32> kErrors{"none",
                                                            "too_many_difes",
                                                            "storage_number_not_implemented",
                                                            "unit_number_not_implemented",
                                                            "tariff_number_not_implemented",
                                                            "function_not_implemented",
                                                            "data_class_not_implemented",
                                                            "data_size_not_implemented",
                                                            "error_0x08",
                                                            "error_0x09",
                                                            "error_0x0A",
                                                            "too_many_vifes",
                                                            "illegal_vif_group",
                                                            "illegal_vif_exponent",
                                                            "vif_dif_mismatch",
                                                            "unimplemented_action",
                                                            "error_0x10",
                                                            "error_0x11",
                                                            "error_0x12",
                                                            "error_0x13",
                                                            "error_0x14",
                                                            "no_data_available",
                                                            "data_overflow",
                                                            "data_underflow",
                                                            "data_error",
                                                            "error_0x19",
                                                            "error_0x1A",
                                                            "error_0x1B",
                                                            "premature_end_of_record",
                                                            "error_0x1D",
                                                            "error_0x1E",
                                                            "error_0x1F"};
  if (v < 0x20) return {K::record_error, kErrors[v]};
  static constexpr std::array<std::string_view, 25> kPer{"per_second",
                                                         "per_minute",
                                                         "per_hour",
                                                         "per_day",
                                                         "per_week",
                                                         "per_month",
                                                         "per_year",
                                                         "per_revolution",
                                                         "per_input_pulse_0",
                                                         "per_input_pulse_1",
                                                         "per_output_pulse_0",
                                                         "per_output_pulse_1",
                                                         "per_litre",
                                                         "per_m3",
                                                         "per_kg",
                                                         "per_kelvin",
                                                         "per_kwh",
                                                         "per_gj",
                                                         "per_kw",
                                                         "per_kelvin_litre",
                                                         "per_volt",
                                                         "per_ampere",
                                                         "multiplied_by_s",
                                                         "multiplied_by_s_per_v",
                                                         "multiplied_by_s_per_a"};
  if (v <= 0x38) return {K::changes_meaning, kPer[v - 0x20]};
  switch (v) {
    case 0x39:
      return {K::calendar, "start_of"};
    case 0x3A:
      return {K::changes_meaning, "uncorrected_unit"};
    case 0x3B:
      return {K::neutral, "positive_contributions_only"};
    case 0x3C:
      return {K::reverse, "negative_contributions_only"};
    case 0x40:
      return {K::changes_meaning, "lower_limit"};
    case 0x48:
      return {K::changes_meaning, "upper_limit"};
    case 0x41:
      return {K::count, "lower_limit_exceed_count"};
    case 0x49:
      return {K::count, "upper_limit_exceed_count"};
    case 0x42:
      return {K::calendar, "begin_first_lower_limit_exceed"};
    case 0x43:
      return {K::calendar, "end_first_lower_limit_exceed"};
    case 0x46:
      return {K::calendar, "begin_last_lower_limit_exceed"};
    case 0x47:
      return {K::calendar, "end_last_lower_limit_exceed"};
    case 0x4A:
      return {K::calendar, "begin_first_upper_limit_exceed"};
    case 0x4B:
      return {K::calendar, "end_first_upper_limit_exceed"};
    case 0x4E:
      return {K::calendar, "begin_last_upper_limit_exceed"};
    case 0x4F:
      return {K::calendar, "end_last_upper_limit_exceed"};
    case 0x68:
      return {K::changes_meaning, "value_during_lower_limit_exceed"};
    case 0x6C:
      return {K::changes_meaning, "value_during_upper_limit_exceed"};
    case 0x69:
      return {K::changes_meaning, "leakage_value"};
    case 0x6D:
      return {K::changes_meaning, "overflow_value"};
    case 0x6A:
      return {K::calendar, "begin_first"};
    case 0x6B:
      return {K::calendar, "end_first"};
    case 0x6E:
      return {K::calendar, "begin_last"};
    case 0x6F:
      return {K::calendar, "end_last"};
    case 0x7C:
      return {K::extension, "combinable_extension"};
    case 0x7D:
      return {K::multiply, "correction_factor", 1000.0};
    case 0x7E:
      return {K::changes_meaning, "future_value"};
    case 0x7F:
      return {K::manufacturer, "manufacturer_specific_vife"};
    default:
      break;
  }
  if (v >= 0x50 && v <= 0x5F) {
    // E101 ufnn: duration of lower/upper (u), first/last (f) limit exceed, unit nn.
    static constexpr std::array<std::string_view, 4> kNames{
        "duration_first_lower_limit_exceed", "duration_last_lower_limit_exceed", "duration_first_upper_limit_exceed",
        "duration_last_upper_limit_exceed"};
    return {K::duration, kNames[(v >> 2) & 0x03], kDurationSeconds[v & 0x03]};
  }
  if (v >= 0x60 && v <= 0x67) {
    return {K::duration, (v & 0x04) ? "duration_last" : "duration_first", kDurationSeconds[v & 0x03]};
  }
  if (v >= 0x70 && v <= 0x77) return {K::multiply, "correction_factor", pow10((v & 0x07) - 6)};
  if (v >= 0x78 && v <= 0x7B) return {K::changes_meaning, "additive_correction"};
  return {K::reserved, "reserved_vife"};
}

}  // namespace uchet::codecs::mbus
