#pragma once
// KARAT-926LW uplink payloads built byte by byte from docs/karat-payloads.md, for tests that
// play a module (little-endian fields; one cold-water channel).
#include <cstdint>
#include <vector>

namespace uchet::test::karat {

using Bytes = std::vector<std::uint8_t>;

inline void put_u16(Bytes& b, std::uint16_t v) {
  b.push_back(v & 0xFF);
  b.push_back(v >> 8);
}

inline void put_u32(Bytes& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back((v >> (8 * i)) & 0xFF);
}

// CURRENT (type 0x01) or ALARM (type 0x03): battery 90 %, 20 °C, channel 1 cold water.
inline Bytes current(std::uint32_t device_time, std::uint32_t litres, std::uint16_t flags = 0,
                     std::uint8_t type = 0x01) {
  Bytes b{type, 90};
  put_u32(b, device_time);
  put_u16(b, flags);
  b.push_back(20);
  b.push_back(1);
  b.push_back(0x01);
  put_u32(b, litres);
  return b;
}

// HOURLY ARCHIVE (type 0x02) of cold water from `start`.
inline Bytes archive(std::uint32_t start, std::uint32_t litres, const std::vector<std::uint16_t>& increments) {
  Bytes b{0x02};
  put_u32(b, start);
  b.push_back(0x01);
  put_u32(b, litres);
  b.push_back(static_cast<std::uint8_t>(increments.size()));
  for (auto i : increments) put_u16(b, i);
  return b;
}

// TIME REQUEST (fPort 4): 0xFF and the device clock.
inline Bytes time_request(std::uint32_t device_time) {
  Bytes b{0xFF};
  put_u32(b, device_time);
  return b;
}

}  // namespace uchet::test::karat
