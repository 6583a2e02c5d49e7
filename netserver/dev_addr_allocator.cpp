#include "netserver/dev_addr_allocator.h"

namespace uchet::netserver {

DevAddrPrefix dev_addr_prefix(lorawan::NetId net_id) {
  // Type t: a prefix of t one-bits and a zero (t+1 bits), then the NwkID, then the NwkAddr.
  static constexpr int kNwkIdBits[8] = {6, 6, 9, 11, 12, 13, 15, 17};
  const int type = static_cast<int>((net_id >> 21) & 0x7);
  const int prefix_bits = type + 1;
  const int nwk_id_bits = kNwkIdBits[type];
  const int nwk_addr_bits = 32 - prefix_bits - nwk_id_bits;
  const std::uint32_t type_prefix = type == 0 ? 0u : 0xFFFFFFFFu << (33 - prefix_bits);  // t ones, then a zero
  const std::uint32_t nwk_id = net_id & ((1u << nwk_id_bits) - 1);
  return DevAddrPrefix{type_prefix | (nwk_id << nwk_addr_bits), nwk_addr_bits};
}

lorawan::DevAddr allocate_dev_addr(const DevAddrPrefix& prefix, std::mt19937_64& rng,
                                   const std::function<bool(lorawan::DevAddr)>& in_use, int attempts) {
  const std::uint32_t mask = (1u << prefix.nwk_addr_bits) - 1;
  lorawan::DevAddr addr = 0;
  for (int i = 0; i < attempts; ++i) {
    addr = prefix.value | (static_cast<std::uint32_t>(rng()) & mask);
    if (!in_use(addr)) break;
  }
  return addr;
}

}  // namespace uchet::netserver
