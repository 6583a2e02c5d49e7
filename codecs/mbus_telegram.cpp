#include "codecs/mbus_telegram.h"

#include <cstdio>

#include "codecs/format.h"
#include "common/byte_reader.h"

namespace uchet::codecs::mbus {

namespace {

constexpr auto fail = [](const char* format, auto... args) { return failf(format, args...); };

// Identification numbers are 8 BCD digits sent least significant byte first; a non-decimal
// nibble is shown as a hex digit rather than rejected, because wildcards (0xF) occur.
std::string bcd_id(std::span<const std::uint8_t> b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s;
  for (std::size_t i = b.size(); i > 0; --i) {
    s.push_back(kDigits[b[i - 1] >> 4]);
    s.push_back(kDigits[b[i - 1] & 0x0F]);
  }
  return s;
}

std::string manufacturer_letters(std::uint16_t m) {
  std::string s(3, '?');
  s[0] = static_cast<char>(((m >> 10) & 0x1F) + 64);
  s[1] = static_cast<char>(((m >> 5) & 0x1F) + 64);
  s[2] = static_cast<char>((m & 0x1F) + 64);
  return s;
}

const char* application_error_text(std::optional<std::uint8_t> code) {
  if (!code) return "unspecified application error (no error code sent)";
  switch (*code) {
    case 0x00:
      return "unspecified error";
    case 0x01:
      return "unimplemented CI field";
    case 0x02:
      return "buffer too long, truncated";
    case 0x03:
      return "too many records";
    case 0x04:
      return "premature end of record";
    case 0x05:
      return "more than 10 DIFEs";
    case 0x06:
      return "more than 10 VIFEs";
    case 0x07:
      return "reserved error code";
    case 0x08:
      return "application busy";
    case 0x09:
      return "too many readouts";
    default:
      return "unknown error code";
  }
}

// Long frames carry the application data between CI and checksum.
std::expected<Telegram, std::string> unwrap_long_frame(std::span<const std::uint8_t> b) {
  if (b.size() < 4) return fail("long frame truncated: %zu bytes, header needs 4", b.size());
  if (b[1] != b[2]) return fail("long frame length bytes differ (0x%02X vs 0x%02X)", b[1], b[2]);
  if (b[3] != 0x68) return fail("long frame second start byte is 0x%02X, expected 0x68", b[3]);
  const std::size_t len = b[1];
  if (len < 3) return fail("long frame length %zu too small (C, A and CI need 3)", len);
  if (b.size() != len + 6) {
    return fail("long frame length mismatch: L=%zu announces %zu bytes, got %zu", len, len + 6, b.size());
  }
  if (b[len + 5] != 0x16) return fail("long frame stop byte is 0x%02X, expected 0x16", b[len + 5]);
  std::uint8_t sum = 0;
  for (std::size_t i = 4; i < 4 + len; ++i) sum = static_cast<std::uint8_t>(sum + b[i]);
  if (sum != b[len + 4])
    return fail("long frame checksum mismatch: computed 0x%02X, frame says 0x%02X", sum, b[len + 4]);
  const std::uint8_t c = b[4];
  if ((c & 0x40) != 0) return fail("C field 0x%02X is master-to-slave, not a meter response", c);
  if ((c & 0x0F) != 0x08) return fail("C field 0x%02X is not RSP_UD", c);
  Telegram t;
  t.framed = true;
  t.c_field = c;
  t.a_field = b[5];
  t.body = b.subspan(6, len - 2);  // CI .. last data byte
  return t;
}

}  // namespace

std::string medium_name(std::uint8_t m) {
  switch (m) {
    case 0x00:
      return "other";
    case 0x01:
      return "oil";
    case 0x02:
      return "electricity";
    case 0x03:
      return "gas";
    case 0x04:
    case 0x0C:
      return "heat";
    case 0x05:
      return "steam";
    case 0x06:
      return "hot_water";
    case 0x07:
      return "water";
    case 0x08:
      return "heat_cost_allocator";
    case 0x09:
      return "compressed_air";
    case 0x0A:
    case 0x0B:
      return "cooling";
    case 0x0D:
      return "heat_cooling";
    case 0x0E:
      return "bus_system";
    case 0x16:
      return "cold_water";
    case 0x17:
      return "dual_water";
    case 0x18:
      return "pressure";
    case 0x19:
      return "ad_converter";
    default:
      return "unknown";
  }
}

std::expected<Telegram, std::string> parse_telegram(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return fail("empty payload");
  Telegram t;
  std::span<const std::uint8_t> app = payload;
  switch (payload[0]) {
    case 0x68: {
      auto framed = unwrap_long_frame(payload);
      if (!framed) return framed;
      t = *framed;
      app = t.body;
      break;
    }
    case 0x10:
      return fail("short frame (0x10) carries no application data");
    case 0xE5:
      return fail("single-character ACK (0xE5) carries no application data");
    default:
      break;
  }

  common::ByteReader r(app);
  t.ci = *r.u8();  // app is never empty: a long frame has L >= 3, else payload is non-empty
  switch (t.ci) {
    case 0x70: {
      const auto code = r.u8();
      return fail("meter reported an application error: %s", application_error_text(code));
    }
    case 0x72: {
      const auto h = r.take(12);
      if (!h) return fail("long header truncated: needs 12 bytes after CI 0x72, %zu left", r.remaining());
      const auto& b = *h;
      t.header.kind = Header::Kind::long_header;
      t.header.id = bcd_id(b.first(4));
      const auto m = static_cast<std::uint16_t>(b[4] | (b[5] << 8));
      t.header.manufacturer_code = m;
      t.header.manufacturer = manufacturer_letters(m);
      t.header.version = b[6];
      t.header.medium = b[7];
      t.header.access_number = b[8];
      t.header.status = b[9];
      t.header.signature = static_cast<std::uint16_t>(b[10] | (b[11] << 8));
      break;
    }
    case 0x7A: {
      const auto h = r.take(4);
      if (!h) return fail("short header truncated: needs 4 bytes after CI 0x7A, %zu left", r.remaining());
      t.header.kind = Header::Kind::short_header;
      t.header.access_number = (*h)[0];
      t.header.status = (*h)[1];
      t.header.signature = static_cast<std::uint16_t>((*h)[2] | ((*h)[3] << 8));
      break;
    }
    case 0x78:
      t.header.kind = Header::Kind::none;
      break;
    case 0x73: {
      // EN 1434-3 fixed structure: ID(4) access(1) status(1) units(2) counters(8).
      if (r.remaining() != 16) {
        return fail("fixed data structure (CI 0x73) must be 16 bytes, got %zu", r.remaining());
      }
      const auto b = r.take(6);
      t.header.kind = Header::Kind::fixed;
      t.header.id = bcd_id(b->first(4));
      t.header.access_number = (*b)[4];
      t.header.status = (*b)[5];
      // The medium is spread over the top two bits of the two unit bytes.
      t.header.medium = static_cast<std::uint8_t>((app[7] >> 6) | ((app[8] >> 6) << 2));
      break;
    }
    case 0x76:
    case 0x77:
      return fail("CI 0x%02X (most significant byte first) is not supported", t.ci);
    default:
      return fail("unimplemented CI 0x%02X", t.ci);
  }
  t.body = r.rest();
  return t;
}

}  // namespace uchet::codecs::mbus
