#include "netserver/lorawan/encoding.h"

#include <openssl/evp.h>

#include <algorithm>
#include <string>

namespace uchet::lorawan {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Bytes> parse_fixed_hex(std::string_view text, std::size_t digits, std::string_view what) {
  if (text.size() != digits) {
    return std::unexpected(std::string(what) + " must be " + std::to_string(digits) + " hex digits, got " +
                           std::to_string(text.size()) + " characters");
  }
  auto bytes = parse_hex(text);
  if (!bytes) return std::unexpected(std::string(what) + ": " + bytes.error());
  return bytes;
}

std::uint64_t big_endian_value(const Bytes& bytes) {
  std::uint64_t v = 0;
  for (auto b : bytes) v = (v << 8) | b;
  return v;
}

std::string fixed_hex(std::uint64_t value, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kDigits[value & 0xF];
  return out;
}

}  // namespace

std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

Result<Bytes> parse_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::unexpected("odd number of hex digits");
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]);
    int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return std::unexpected("not a hex digit at position " + std::to_string(hi < 0 ? i + 1 : i + 2));
    }
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

Result<Eui64> parse_eui64(std::string_view text, std::string_view what) {
  auto bytes = parse_fixed_hex(text, 16, what);
  if (!bytes) return std::unexpected(bytes.error());
  return big_endian_value(*bytes);
}

Result<DevAddr> parse_dev_addr(std::string_view text, std::string_view what) {
  auto bytes = parse_fixed_hex(text, 8, what);
  if (!bytes) return std::unexpected(bytes.error());
  return static_cast<DevAddr>(big_endian_value(*bytes));
}

Result<Key> parse_key(std::string_view text, std::string_view what) {
  auto bytes = parse_fixed_hex(text, 32, what);
  if (!bytes) return std::unexpected(bytes.error());
  Key key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

std::string eui64_to_string(Eui64 eui) { return fixed_hex(eui, 16); }
std::string dev_addr_to_string(DevAddr addr) { return fixed_hex(addr, 8); }
std::string key_to_string(const Key& key) { return to_hex(key); }

std::string to_base64(ByteView bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Padding is optional; otherwise only the canonical text is accepted (see the end).
Result<Bytes> parse_base64(std::string_view text) {
  std::string padded(text);
  while (padded.size() % 4 != 0) padded.push_back('=');
  // EVP_DecodeBlock ignores nothing and checks the alphabet; it cannot report padding, so the
  // number of trailing '=' is subtracted by hand.
  Bytes out(3 * padded.size() / 4);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(padded.data()),
                          static_cast<int>(padded.size()));
  if (n < 0) return std::unexpected("invalid Base64");
  std::size_t pad = 0;
  for (auto it = padded.rbegin(); it != padded.rend() && *it == '=' && pad < 2; ++it) ++pad;
  if (padded.size() >= 4 && padded.find('=') < padded.size() - pad) return std::unexpected("invalid Base64 padding");
  out.resize(static_cast<std::size_t>(n) - pad);
  // EVP_DecodeBlock skips surrounding white space and ignores the unused low bits of the last
  // character, so several texts decode to the same bytes. Only the canonical one (what
  // to_base64 writes, padding optional) is accepted: one payload, one spelling.
  auto unpadded = [](std::string_view t) {
    while (!t.empty() && t.back() == '=') t.remove_suffix(1);
    return t;
  };
  const auto canonical = to_base64(out);
  if (unpadded(canonical) != unpadded(text)) {
    return std::unexpected("invalid Base64: not in canonical form (white space, or bits set beyond the data)");
  }
  return out;
}

}  // namespace uchet::lorawan
