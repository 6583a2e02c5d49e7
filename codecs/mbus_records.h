// Contract: EN 13757-3 variable data records (DIF/DIFE, VIF/VIFE, data) -> Record list.
// decode_records() walks the record area after the CI/header. It rejects structurally broken
// input with a reason (premature end at DIF/DIFE/VIF/data, more than 10 DIFEs or VIFEs, a
// plain-text VIF longer than 0xBF, reserved LVAR, too many records), because after such a
// fault the record boundaries are unknown. A record whose VIF is merely unknown or reserved
// is kept (known == false, raw bytes preserved) and decoding continues after it.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/format.h"
#include "codecs/mbus_data_types.h"

namespace uchet::codecs::mbus {

inline constexpr std::size_t kMaxDifes = 10;
inline constexpr std::size_t kMaxVifes = 10;
inline constexpr std::size_t kMaxRecords = 255;

enum class Function : std::uint8_t { instantaneous, maximum, minimum, error };
std::string_view function_name(Function f);

enum class ValueKind : std::uint8_t { none, number, text, calendar, bytes };

struct Record {
  enum class Kind : std::uint8_t {
    data,                 // ordinary data record
    manufacturer_data,    // DIF 0x0F: the rest of the telegram is manufacturer specific
    more_records_follow,  // DIF 0x1F: as 0x0F, and the meter has more data to send
  };
  Kind kind = Kind::data;

  // Data information block.
  std::uint8_t dif = 0;
  std::vector<std::uint8_t> difes;
  Function function = Function::instantaneous;
  std::uint64_t storage = 0;
  std::uint32_t tariff = 0;
  std::uint32_t subunit = 0;

  // Value information block.
  std::vector<std::uint8_t> vib;        // VIF and VIFE bytes as sent (plain-text bytes excluded)
  std::string plain_text_unit;          // VIF 0x7C/0xFC: the unit/quantity text, in reading order
  std::string quantity;                 // see mbus_vif_tables; "plain_text" for VIF 0x7C/0xFC
  std::string unit;                     // unit of `number`
  bool known = true;                    // false: VIF (or extension code) unknown/reserved
  bool changes_meaning = false;         // a combinable VIFE turned it into something else
  bool reverse = false;                 // accumulation of negative contributions only
  bool manufacturer_vife = false;       // VIFE 0x7F: meaning is manufacturer specific
  std::vector<std::string> qualifiers;  // names of the combinable VIFEs, in order
  std::string record_error;             // non-empty: the meter flagged this record (VIFE 0x01..0x1F)

  // Value.
  ValueKind value_kind = ValueKind::none;
  double number = 0.0;             // scaled into `unit`
  std::string text;                // ValueKind::text
  CalendarValue calendar;          // ValueKind::calendar
  std::string value_note;          // why a value could not be read (e.g. invalid BCD)
  std::vector<std::uint8_t> data;  // the record's data bytes as sent
};

std::expected<std::vector<Record>, std::string> decode_records(std::span<const std::uint8_t> area);

using codecs::hex_string;

}  // namespace uchet::codecs::mbus
