#include "codecs/mbus_records.h"

#include <cmath>
#include <cstdio>

#include "codecs/mbus_vif_tables.h"
#include "codecs/scale.h"
#include "common/byte_reader.h"

namespace uchet::codecs::mbus {

std::string_view function_name(Function f) {
  switch (f) {
    case Function::instantaneous:
      return "instantaneous";
    case Function::maximum:
      return "maximum";
    case Function::minimum:
      return "minimum";
    case Function::error:
      return "error";
  }
  return "instantaneous";
}

namespace {

constexpr auto fail = [](const char* format, auto... args) { return failf(format, args...); };

// How a variable-length (DIF data field 0x0D) record's LVAR byte says to read the data.
enum class LvarKind { text, bcd, negative_bcd, binary, real };

struct Lvar {
  LvarKind kind;
  std::size_t length;
};

std::expected<Lvar, std::string> classify_lvar(std::uint8_t lvar, std::size_t index) {
  if (lvar <= 0xBF) return Lvar{LvarKind::text, lvar};
  if (lvar >= 0xC0 && lvar <= 0xC9) return Lvar{LvarKind::bcd, std::size_t(lvar - 0xC0)};
  if (lvar >= 0xD0 && lvar <= 0xD9) return Lvar{LvarKind::negative_bcd, std::size_t(lvar - 0xD0)};
  if (lvar >= 0xE0 && lvar <= 0xEF) return Lvar{LvarKind::binary, std::size_t(lvar - 0xE0)};
  if (lvar >= 0xF0 && lvar <= 0xFA) return Lvar{LvarKind::real, std::size_t(lvar - 0xF0)};
  return fail("record %zu: reserved LVAR 0x%02X, record length unknown", index, lvar);
}

// Fixed data lengths by DIF data field (0x0D variable and 0x0F special handled apart).
constexpr std::size_t kDataLength[16] = {0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, 0, 6, 0};

struct ValueSpec {
  double factor = 1.0;
  ValueHint hint = ValueHint::number;
};

void set_calendar(Record& rec, std::span<const std::uint8_t> d) {
  switch (d.size()) {
    case 2:
      rec.calendar = decode_type_g(d);
      break;
    case 3:
      rec.calendar = decode_type_j(d);
      break;
    case 4:
      rec.calendar = decode_type_f(d);
      break;
    case 6:
      rec.calendar = decode_type_i(d);
      break;
    default:
      rec.value_kind = ValueKind::bytes;
      rec.value_note = "date/time in an unsupported data size";
      return;
  }
  rec.value_kind = ValueKind::calendar;
  if (!rec.calendar.valid) rec.value_note = "invalid or unset date/time";
}

// Every numeric value of a record passes here: a value that is not a finite number (an IEEE
// NaN or infinity sent by the meter, or a product that overflows) never becomes a number; the
// record keeps its bytes and says why, as an invalid BCD digit does.
void set_number(Record& rec, double value) {
  if (!std::isfinite(value)) {
    rec.value_kind = ValueKind::bytes;
    rec.value_note = "not a finite number (NaN or infinity)";
    return;
  }
  rec.value_kind = ValueKind::number;
  rec.number = value;
}

void set_bcd(Record& rec, std::span<const std::uint8_t> d, double factor, bool negative) {
  const auto v = decode_bcd(d);
  if (!v) {
    rec.value_kind = ValueKind::bytes;
    rec.value_note = "invalid BCD digit";
    return;
  }
  set_number(rec, scale_value(static_cast<double>(negative ? -*v : *v), factor));
}

void set_integer(Record& rec, std::span<const std::uint8_t> d, const ValueSpec& spec) {
  set_number(rec, spec.hint == ValueHint::bitfield ? scale_value(static_cast<double>(decode_unsigned(d)), spec.factor)
                                                   : scale_value(static_cast<double>(decode_signed(d)), spec.factor));
}

void decode_value(Record& rec, std::uint8_t field, const Lvar* lvar, const ValueSpec& spec) {
  const std::span<const std::uint8_t> d(rec.data);
  if (field == 0x0 || field == 0x8) return;  // no data / selection for readout
  if (spec.hint == ValueHint::calendar && field != 0x0D && field != 0x05 && field < 0x09) {
    set_calendar(rec, d);
    return;
  }
  switch (field) {
    case 0x5:
      set_number(rec, scale_value(decode_real(d), spec.factor));
      return;
    case 0x9:
    case 0xA:
    case 0xB:
    case 0xC:
    case 0xE:
      set_bcd(rec, d, spec.factor, false);
      return;
    case 0xD:
      switch (lvar->kind) {
        case LvarKind::text:
          rec.value_kind = ValueKind::text;
          rec.text = decode_text(d);
          return;
        case LvarKind::bcd:
          set_bcd(rec, d, spec.factor, false);
          return;
        case LvarKind::negative_bcd:
          set_bcd(rec, d, spec.factor, true);
          return;
        case LvarKind::binary:
          if (!d.empty() && d.size() <= 8) {
            set_integer(rec, d, spec);
          } else {
            rec.value_kind = ValueKind::bytes;
          }
          return;
        case LvarKind::real:
          if (d.size() == 4 || d.size() == 8) {
            set_number(rec, scale_value(decode_real(d), spec.factor));
          } else {
            rec.value_kind = ValueKind::bytes;
            rec.value_note = "floating point of unsupported size";
          }
          return;
      }
      return;
    default:
      set_integer(rec, d, spec);
      return;
  }
}

// Reads VIF, VIFEs and a plain-text unit; fills the meaning fields of `rec`.
std::expected<ValueSpec, std::string> read_vib(common::ByteReader& r, Record& rec, std::size_t index) {
  const auto vif = r.u8();
  if (!vif) return fail("record %zu: premature end of data at VIF", index);
  rec.vib.push_back(*vif);
  std::size_t nvife = 0;
  auto next_vife = [&]() -> std::expected<std::uint8_t, std::string> {
    if (nvife >= kMaxVifes) return fail("record %zu: too many VIFEs (more than %zu)", index, kMaxVifes);
    const auto v = r.u8();
    if (!v) return fail("record %zu: premature end of data at VIFE", index);
    rec.vib.push_back(*v);
    ++nvife;
    return *v;
  };

  const std::uint8_t code = *vif & 0x7F;
  bool more = (*vif & 0x80) != 0;
  VifInfo info;
  if (code == 0x7C) {
    const auto len = r.u8();
    if (!len) return fail("record %zu: premature end of data at plain-text VIF length", index);
    // The plain-text unit is an LVAR string, and strings end at LVAR 0xBF.
    if (*len > 0xBF) return fail("record %zu: plain-text VIF too long (length 0x%02X > 0xBF)", index, *len);
    const auto txt = r.take(*len);
    if (!txt) {
      return fail("record %zu: premature end of data in plain-text VIF (needs %u bytes, %zu left)", index,
                  unsigned(*len), r.remaining());
    }
    rec.plain_text_unit = decode_text(*txt);
    info = VifInfo{"plain_text", "", 1.0};
  } else if (code == 0x7B || code == 0x7D) {
    if (more) {
      const auto ext = next_vife();
      if (!ext) return std::unexpected(ext.error());
      info = code == 0x7D ? fd_vif(*ext) : fb_vif(*ext);
      more = (*ext & 0x80) != 0;
    } else {
      info = primary_vif(code);  // extension marker without its table byte: unknown
    }
  } else {
    info = primary_vif(code);
  }
  rec.quantity = std::string(info.quantity);
  rec.unit = code == 0x7C ? rec.plain_text_unit : std::string(info.unit);
  rec.known = info.known;

  ValueSpec spec{info.scale, info.hint};
  // After a manufacturer-specific VIF or VIFE 0x7F, further VIFEs are the manufacturer's.
  bool opaque = code == 0x7F;
  while (more) {
    const auto e = next_vife();
    if (!e) return std::unexpected(e.error());
    more = (*e & 0x80) != 0;
    if (opaque) continue;
    const VifeInfo vi = combinable_vife(*e);
    using K = VifeInfo::Kind;
    switch (vi.kind) {
      case K::multiply:
        spec.factor *= vi.factor;
        break;
      case K::neutral:
        rec.qualifiers.emplace_back(vi.name);
        break;
      case K::reverse:
        rec.reverse = true;
        rec.qualifiers.emplace_back(vi.name);
        break;
      case K::changes_meaning:
        rec.changes_meaning = true;
        rec.qualifiers.emplace_back(vi.name);
        break;
      case K::calendar:
        rec.changes_meaning = true;
        rec.qualifiers.emplace_back(vi.name);
        spec.hint = ValueHint::calendar;
        rec.unit.clear();
        break;
      case K::duration:
        rec.changes_meaning = true;
        rec.qualifiers.emplace_back(vi.name);
        spec = ValueSpec{vi.factor, ValueHint::number};
        rec.unit = "s";
        break;
      case K::count:
        rec.changes_meaning = true;
        rec.qualifiers.emplace_back(vi.name);
        spec = ValueSpec{1.0, ValueHint::number};
        rec.unit.clear();
        break;
      case K::record_error:
        if ((*e & 0x7F) != 0) {
          rec.record_error = std::string(vi.name);
          rec.qualifiers.push_back("error:" + rec.record_error);
        }
        break;
      case K::extension: {
        rec.changes_meaning = true;
        if (more) {
          const auto x = next_vife();
          if (!x) return std::unexpected(x.error());
          more = (*x & 0x80) != 0;
          char name[40];
          std::snprintf(name, sizeof name, "combinable_extension_0x%02X", *x & 0x7F);
          rec.qualifiers.emplace_back(name);
        } else {
          rec.qualifiers.emplace_back(vi.name);
        }
        break;
      }
      case K::manufacturer:
        rec.manufacturer_vife = true;
        rec.qualifiers.emplace_back(vi.name);
        opaque = true;
        break;
      case K::reserved: {
        rec.changes_meaning = true;
        char name[32];
        std::snprintf(name, sizeof name, "reserved_vife_0x%02X", *e & 0x7F);
        rec.qualifiers.emplace_back(name);
        break;
      }
    }
  }
  return spec;
}

}  // namespace

std::expected<std::vector<Record>, std::string> decode_records(std::span<const std::uint8_t> area) {
  common::ByteReader r(area);
  std::vector<Record> out;
  while (!r.at_end()) {
    const std::size_t offset = r.position();
    const std::uint8_t dif = *r.u8();
    if (dif == 0x2F) continue;  // idle filler
    const std::size_t index = out.size();
    if (index >= kMaxRecords) return fail("too many records (more than %zu)", kMaxRecords);

    Record rec;
    rec.dif = dif;
    if ((dif & 0x0F) == 0x0F) {
      if (dif != 0x0F && dif != 0x1F) {
        return fail("record %zu: reserved special-function DIF 0x%02X at offset %zu", index, unsigned(dif), offset);
      }
      rec.kind = dif == 0x1F ? Record::Kind::more_records_follow : Record::Kind::manufacturer_data;
      const auto rest = r.rest();
      rec.data.assign(rest.begin(), rest.end());
      rec.value_kind = ValueKind::bytes;
      rec.quantity = "manufacturer_data";
      out.push_back(std::move(rec));
      break;
    }

    rec.function = static_cast<Function>((dif >> 4) & 0x03);
    rec.storage = (dif >> 6) & 0x01;
    bool ext = (dif & 0x80) != 0;
    while (ext) {
      const std::size_t i = rec.difes.size();
      if (i >= kMaxDifes) return fail("record %zu: too many DIFEs (more than %zu)", index, kMaxDifes);
      const auto dife = r.u8();
      if (!dife) return fail("record %zu: premature end of data at DIFE", index);
      rec.difes.push_back(*dife);
      rec.storage |= std::uint64_t(*dife & 0x0F) << (1 + 4 * i);
      rec.tariff |= std::uint32_t((*dife >> 4) & 0x03) << (2 * i);
      rec.subunit |= std::uint32_t((*dife >> 6) & 0x01) << i;
      ext = (*dife & 0x80) != 0;
    }

    const auto spec = read_vib(r, rec, index);
    if (!spec) return std::unexpected(spec.error());

    const std::uint8_t field = dif & 0x0F;
    Lvar lvar{LvarKind::binary, kDataLength[field]};
    if (field == 0x0D) {
      const auto byte = r.u8();
      if (!byte) return fail("record %zu: premature end of data at LVAR", index);
      const auto c = classify_lvar(*byte, index);
      if (!c) return std::unexpected(c.error());
      lvar = *c;
    }
    const auto data = r.take(lvar.length);
    if (!data) {
      return fail("record %zu: premature end of data (needs %zu data bytes, %zu left)", index, lvar.length,
                  r.remaining());
    }
    rec.data.assign(data->begin(), data->end());
    decode_value(rec, field, &lvar, *spec);
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace uchet::codecs::mbus
