#pragma once
// How long a Transmission keeps the gateway's radio busy, as the gateway sends it (its preamble,
// coding rate and CRC setting included). Used by the network server's transmit timeline and by
// backends that must bound how long a confirmation may take. Pure, any thread.
#include <chrono>

#include "gateway-bridge/backend.h"

namespace uchet::gateway_bridge {

std::chrono::microseconds transmission_airtime(const Transmission& transmission);

}  // namespace uchet::gateway_bridge
