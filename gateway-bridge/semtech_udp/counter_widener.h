#pragma once
// Semtech's tmst, widened to the contract's 64-bit counter (gateway-bridge/backend.h).
//
// lora_pkt_fwd reports the concentrator's µs counter in 32 bits ("tmst"), which wrap every 71.6
// minutes; the network server gets 64 bits that do not. Chosen over handing the network server
// an opaque context plus "delay after it" because a per-gateway transmit timeline needs times
// it can order and subtract, and the widening is this backend's business (Basics Station's
// xtime is 64 bits already). The low 32 bits of a widened value are always the tmst, so a
// txpk's "tmst" is the widened time truncated, exactly what the gateway expects.
//
// Per gateway, the last widened value and when it arrived (server steady clock) predict the
// counter now; the widened value is the one with the reported low 32 bits nearest to that
// prediction. So receptions slightly out of order stay in order, a silence longer than a wrap
// does not lose a wrap, and a forwarder restart (the counter starts again near 0) becomes a
// jump of less than 2^31 µs, never a value below 0. A gateway's first tmst is taken as is.
//
// Pure apart from its memory (one entry per gateway ever seen, the known gateways only, as
// the endpoint asks the registry first). One thread: the endpoint's.
#include <chrono>
#include <cstdint>
#include <unordered_map>

#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

class CounterWidener {
 public:
  using Clock = std::chrono::steady_clock;
  std::uint64_t widen(lorawan::Eui64 gateway_eui, std::uint32_t tmst, Clock::time_point received_at);

 private:
  struct Last {
    std::uint64_t counter_us = 0;
    Clock::time_point at{};
  };
  std::unordered_map<lorawan::Eui64, Last> last_;
};

}  // namespace uchet::gateway_bridge::semtech_udp
