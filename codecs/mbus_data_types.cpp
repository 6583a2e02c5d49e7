#include "codecs/mbus_data_types.h"

#include <cstdio>
#include <cstring>

#include "common/civil_time.h"

namespace uchet::codecs::mbus {

std::uint64_t decode_unsigned(ByteSpan data) {
  std::uint64_t v = 0;
  const std::size_t n = data.size() > 8 ? 8 : data.size();
  for (std::size_t i = n; i > 0; --i) v = (v << 8) | data[i - 1];
  return v;
}

std::int64_t decode_signed(ByteSpan data) {
  const std::size_t n = data.size() > 8 ? 8 : data.size();
  if (n == 0) return 0;
  std::uint64_t v = decode_unsigned(data.first(n));
  if (n < 8 && (data[n - 1] & 0x80)) v |= ~std::uint64_t{0} << (8 * n);  // sign-extend
  return static_cast<std::int64_t>(v);
}

std::optional<std::int64_t> decode_bcd(ByteSpan data) {
  if (data.empty() || data.size() > 9) return std::nullopt;
  std::int64_t v = 0;
  bool negative = false;
  for (std::size_t i = data.size(); i > 0; --i) {
    const unsigned hi = data[i - 1] >> 4, lo = data[i - 1] & 0x0F;
    if (i == data.size() && hi == 0xF) {
      negative = true;  // EN 13757-3: 0xF in the most significant nibble = minus sign
    } else if (hi > 9) {
      return std::nullopt;
    } else {
      v = v * 10 + hi;
    }
    if (lo > 9) return std::nullopt;
    v = v * 10 + lo;
  }
  return negative ? -v : v;
}

double decode_real(ByteSpan data) {
  if (data.size() == 4) {
    const auto bits = static_cast<std::uint32_t>(decode_unsigned(data));
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  if (data.size() == 8) {
    const std::uint64_t bits = decode_unsigned(data);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  return 0.0;
}

namespace {

// Two-digit years: EN 13757-3 keeps a century field, but meters in the field leave it 0 and
// mean 20xx; 81..99 are read as 19xx as every common decoder does. 100..127 are not years
// (OMS uses 127 as an "every year" wildcard), so such dates are reported invalid.
bool resolve_year(unsigned yy, unsigned century_bits, int& year) {
  if (yy > 99) return false;
  if (century_bits != 0) {
    year = 1900 + 100 * static_cast<int>(century_bits) + static_cast<int>(yy);
  } else {
    year = yy <= 80 ? 2000 + static_cast<int>(yy) : 1900 + static_cast<int>(yy);
  }
  return true;
}

void finish_date(CalendarValue& c, unsigned yy, unsigned century_bits) {
  c.valid = resolve_year(yy, century_bits, c.year) && common::is_valid_date(c.year, c.month, c.day);
}

}  // namespace

CalendarValue decode_type_g(ByteSpan d) {
  CalendarValue c;
  if (d.size() != 2) return c;
  c.day = d[0] & 0x1F;
  c.month = d[1] & 0x0F;
  finish_date(c, ((d[0] & 0xE0) >> 5) | ((d[1] & 0xF0) >> 1), 0);
  return c;
}

CalendarValue decode_type_f(ByteSpan d) {
  CalendarValue c;
  if (d.size() != 4) return c;
  c.has_time = true;
  c.minute = d[0] & 0x3F;
  c.hour = d[1] & 0x1F;
  c.day = d[2] & 0x1F;
  c.month = d[3] & 0x0F;
  c.summer_time = (d[1] & 0x80) != 0;
  finish_date(c, ((d[2] & 0xE0) >> 5) | ((d[3] & 0xF0) >> 1), (d[1] >> 5) & 0x03);
  if ((d[0] & 0x80) != 0 || c.minute > 59 || c.hour > 23) c.valid = false;  // IV bit
  return c;
}

CalendarValue decode_type_i(ByteSpan d) {
  CalendarValue c;
  if (d.size() != 6) return c;
  c.has_time = true;
  c.second = d[0] & 0x3F;
  c.minute = d[1] & 0x3F;
  c.hour = d[2] & 0x1F;
  c.day = d[3] & 0x1F;
  c.month = d[4] & 0x0F;
  finish_date(c, ((d[3] & 0xE0) >> 5) | ((d[4] & 0xF0) >> 1), 0);
  if ((d[1] & 0x80) != 0 || c.second > 59 || c.minute > 59 || c.hour > 23) c.valid = false;
  return c;
}

CalendarValue decode_type_j(ByteSpan d) {
  CalendarValue c;
  if (d.size() != 3) return c;
  c.has_date = false;
  c.has_time = true;
  c.second = d[0] & 0x3F;
  c.minute = d[1] & 0x3F;
  c.hour = d[2] & 0x1F;
  c.valid = c.second <= 59 && c.minute <= 59 && c.hour <= 23;
  return c;
}

std::string CalendarValue::text() const {
  if (!valid) return {};
  char buf[40];
  if (!has_date) {
    std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", hour, minute, second);
  } else if (!has_time) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year, month, day);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u", year, month, day, hour, minute, second);
  }
  return buf;
}

std::string decode_text(ByteSpan data) {
  std::string out;
  out.reserve(data.size());
  for (std::size_t i = data.size(); i > 0; --i) {
    const std::uint8_t ch = data[i - 1];
    if (ch < 0x80) {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back(static_cast<char>(0xC0 | (ch >> 6)));
      out.push_back(static_cast<char>(0x80 | (ch & 0x3F)));
    }
  }
  return out;
}

}  // namespace uchet::codecs::mbus
