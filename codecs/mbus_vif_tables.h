// Contract: EN 13757-3 value information tables as lookups. Primary VIF (Table 10), the 0xFD
// main extension (Table 12), the 0xFB alternate extension (Table 14) and the combinable
// (orthogonal) VIFE codes (Table 15/17). Each lookup returns what the code means; codes the
// standard reserves come back with known == false so the record is kept raw, not dropped.
#pragma once

#include <cstdint>
#include <string_view>

namespace uchet::codecs::mbus {

// How the record's data bytes are to be read, beyond what the DIF says.
enum class ValueHint : std::uint8_t {
  number,    // scaled numeric value
  bitfield,  // unsigned integer (error flags, digital I/O): never sign-extended
  calendar,  // date / date-time / time of day (type G/F/I/J chosen by data length)
};

struct VifInfo {
  std::string_view quantity;  // uchet name, e.g. "volume", "fabrication_number"
  std::string_view unit;      // base unit the scaled value is in, e.g. "Wh", "m3", "s", ""
  double scale = 1.0;         // raw value * scale = value in `unit`
  bool known = true;          // false: reserved / undefined code
  ValueHint hint = ValueHint::number;
};

// `code` is the VIF or extension VIFE without its extension bit (0x00..0x7F).
VifInfo primary_vif(std::uint8_t code);
VifInfo fd_vif(std::uint8_t code);
VifInfo fb_vif(std::uint8_t code);

// A combinable VIFE qualifies the primary meaning.
struct VifeInfo {
  enum class Kind : std::uint8_t {
    multiply,         // value *= factor (multiplicative correction factor)
    neutral,          // annotation that leaves quantity and value as they are
    reverse,          // accumulation of negative contributions only
    changes_meaning,  // the record no longer is the plain quantity (per-unit, limit, ...)
    calendar,         // the value is the date/time of the qualified event
    duration,         // the value is a duration of the qualified event; factor = seconds per unit
    count,            // the value is a dimensionless count of the qualified event
    record_error,     // slave-reported error code for this record (0 = none)
    extension,        // 0x7C: the next VIFE is from the combinable extension table
    manufacturer,     // 0x7F: the following VIFEs and the data are manufacturer specific
    reserved,
  };
  Kind kind = Kind::reserved;
  std::string_view name;  // qualifier name recorded on the record
  double factor = 1.0;
};

VifeInfo combinable_vife(std::uint8_t code);

}  // namespace uchet::codecs::mbus
