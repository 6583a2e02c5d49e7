#include "codecs/mbus_fixed.h"

#include <cstdio>

#include "codecs/scale.h"

namespace uchet::codecs::mbus {

namespace {

struct FixedUnit {
  const char* quantity;
  const char* unit;
  double scale;
  bool known;
};

constexpr double pow10(int e) { return decimal_factor(e); }

// EN 1434-3 unit codes, expressed in the same base units as the variable-format VIF table.
FixedUnit fixed_unit(std::uint8_t code) {
  code &= 0x3F;
  if (code >= 0x02 && code <= 0x0A) return {"energy", "Wh", pow10(code - 0x02), true};
  if (code >= 0x0B && code <= 0x13) return {"energy", "J", pow10(code - 0x0B + 3), true};
  if (code >= 0x14 && code <= 0x1C) return {"power", "W", pow10(code - 0x14), true};
  if (code >= 0x1D && code <= 0x25) return {"power", "J/h", pow10(code - 0x1D + 3), true};
  if (code >= 0x26 && code <= 0x2E) return {"volume", "m3", pow10(code - 0x26 - 6), true};
  if (code >= 0x2F && code <= 0x37) return {"volume_flow", "m3/h", pow10(code - 0x2F - 6), true};
  if (code == 0x38) return {"flow_temperature", "degC", 1e-3, true};
  if (code == 0x39) return {"hca_units", "", 1.0, true};
  if (code == 0x3F) return {"dimensionless", "", 1.0, true};
  return {"unknown", "", 1.0, false};  // time/date codes 0/1, reserved and "historic"
}

}  // namespace

std::expected<std::vector<Record>, std::string> decode_fixed_counters(std::span<const std::uint8_t> body,
                                                                      std::uint8_t status) {
  if (body.size() != 10) return std::unexpected(std::string("fixed data structure: counters truncated"));
  const bool binary = (status & 0x80) != 0;
  const bool stored = (status & 0x40) != 0;
  std::vector<Record> out;
  for (int i = 0; i < 2; ++i) {
    Record rec;
    const FixedUnit u = fixed_unit(body[i]);
    rec.quantity = u.quantity;
    rec.unit = u.unit;
    rec.known = u.known;
    rec.storage = stored ? 1 : 0;  // "stored at fixed date" vs actual value
    rec.vib.push_back(body[i]);
    const auto d = body.subspan(2 + 4 * i, 4);
    rec.data.assign(d.begin(), d.end());
    if (binary) {
      rec.value_kind = ValueKind::number;
      rec.number = scale_value(static_cast<double>(decode_signed(d)), u.scale);
    } else if (const auto v = decode_bcd(d)) {
      rec.value_kind = ValueKind::number;
      rec.number = scale_value(static_cast<double>(*v), u.scale);
    } else {
      rec.value_kind = ValueKind::bytes;
      rec.value_note = "invalid BCD digit";
    }
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace uchet::codecs::mbus
