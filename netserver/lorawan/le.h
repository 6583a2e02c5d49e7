#pragma once
// Little-endian field access for the frame codecs (every LoRaWAN multi-byte field is LE on air).
// Internal to the core. Readers do no bounds checks: the calling parser has checked the length.
#include <cstddef>
#include <cstdint>

#include "netserver/lorawan/types.h"

namespace uchet::lorawan::le {

inline void put(Bytes& out, std::uint64_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

inline std::uint64_t get(ByteView in, std::size_t offset, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = width; i-- > 0;) value = (value << 8) | in[offset + i];
  return value;
}

}  // namespace uchet::lorawan::le
