#include <catch2/catch.hpp>

#include <set>

#include "netserver/dev_addr_allocator.h"

using namespace uchet::netserver;

TEST_CASE("DevAddr prefixes follow the NetID type (Backend Interfaces, DevAddr assignment)") {
  // Type 0, NwkID 0x1A: 0 | 011010 | 25 bits.
  auto t0 = dev_addr_prefix(0x00001A);
  CHECK(t0.nwk_addr_bits == 25);
  CHECK(t0.value == 0x34000000u);
  // Type 1 (NetID 0x2xxxxx): 10 | 6-bit NwkID | 24 bits.
  auto t1 = dev_addr_prefix(0x200005);
  CHECK(t1.nwk_addr_bits == 24);
  CHECK(t1.value == (0x80000000u | (5u << 24)));
  // Type 3: 1110 | 11-bit NwkID | 17 bits.
  auto t3 = dev_addr_prefix(0x600123);
  CHECK(t3.nwk_addr_bits == 17);
  CHECK(t3.value == (0xE0000000u | (0x123u << 17)));
  // Type 7: 11111110 | 17-bit NwkID | 7 bits.
  auto t7 = dev_addr_prefix(0xE00001);
  CHECK(t7.nwk_addr_bits == 7);
  CHECK(t7.value == (0xFE000000u | (1u << 7)));
}

TEST_CASE("allocated DevAddrs keep the prefix and avoid addresses in use") {
  std::mt19937_64 rng(42);
  auto prefix = dev_addr_prefix(0x00001A);
  std::set<uint32_t> used;
  for (int i = 0; i < 1000; ++i) {
    auto addr = allocate_dev_addr(prefix, rng, [&](uint32_t a) { return used.count(a) > 0; });
    CHECK((addr & 0xFE000000u) == prefix.value);
    CHECK(used.insert(addr).second);
  }
  // A space with 128 addresses, all taken: the allocator still answers (the MIC separates sessions).
  auto tiny = dev_addr_prefix(0xE00001);
  auto addr = allocate_dev_addr(tiny, rng, [](uint32_t) { return true; });
  CHECK((addr & 0xFFFFFF80u) == tiny.value);
}
