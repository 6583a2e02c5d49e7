#pragma once
// Contract: bounds-checked reading of bytes from outside (payloads, TZif files). Every accessor
// reports a short buffer as std::nullopt instead of reading past the end, so a parser built on
// it cannot overrun whatever garbage a radio or a file delivers. Little-endian (LoRaWAN, M-Bus,
// KARAT) and big-endian (TZif) integers both.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace uchet::common {

// Unsigned little-endian integer of n (1..8) bytes at offset; nullopt if it does not fit.
inline std::optional<std::uint64_t> le_uint(std::span<const std::uint8_t> b, std::size_t offset, std::size_t n) {
  if (n == 0 || n > 8 || offset > b.size() || b.size() - offset < n) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = n; i > 0; --i) v = (v << 8) | b[offset + i - 1];
  return v;
}

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }
  bool at_end() const { return pos_ >= bytes_.size(); }

  std::optional<std::uint8_t> peek() const {
    if (at_end()) return std::nullopt;
    return bytes_[pos_];
  }
  std::optional<std::uint8_t> u8() {
    if (at_end()) return std::nullopt;
    return bytes_[pos_++];
  }
  std::optional<std::span<const std::uint8_t>> take(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::span<const std::uint8_t> rest() {
    auto s = bytes_.subspan(pos_);
    pos_ = bytes_.size();
    return s;
  }
  // Two's-complement big-endian integer of n (1..8) bytes, sign-extended.
  std::optional<std::int64_t> be_signed(std::size_t n) {
    if (n == 0 || n > 8) return std::nullopt;
    const auto b = take(n);
    if (!b) return std::nullopt;
    std::uint64_t v = 0;
    for (std::uint8_t byte : *b) v = v << 8 | byte;
    if (n < 8 && (v >> (n * 8 - 1))) v |= ~std::uint64_t{0} << (n * 8);
    return static_cast<std::int64_t>(v);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

}  // namespace uchet::common
