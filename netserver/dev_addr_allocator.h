#pragma once
// DevAddrs for OTAA joins. A DevAddr starts with the NetID's type prefix and NwkID (LoRaWAN
// Backend Interfaces §13) so that roaming partners can route by it; the rest (NwkAddr) is
// chosen at random, avoiding addresses that active sessions use, so that the MIC rarely has to
// decide between several sessions.
#include <cstdint>
#include <functional>
#include <random>

#include "netserver/lorawan/types.h"

namespace uchet::netserver {

struct DevAddrPrefix {
  lorawan::DevAddr value = 0;  // the fixed high bits, low bits zero
  int nwk_addr_bits = 25;      // how many low bits are free
};

// The prefix for a NetID of type 0..7 (its 3 most significant bits).
DevAddrPrefix dev_addr_prefix(lorawan::NetId net_id);

// Draws addresses until `in_use` says no (at most `attempts` times), else returns the last draw:
// a shared DevAddr still works, the MIC tells the sessions apart.
lorawan::DevAddr allocate_dev_addr(const DevAddrPrefix& prefix, std::mt19937_64& rng,
                                   const std::function<bool(lorawan::DevAddr)>& in_use, int attempts = 16);

}  // namespace uchet::netserver
