#pragma once
// At most `rate_per_s` events per second on average and `burst` at once. The network server
// spends it on the MAC requests no one is waiting for (DevStatusReq): after a mass join, every
// device's first uplink would otherwise carry one, and each is a downlink on the gateway's
// scarce airtime and a commit of its own (BENCHMARKS.md, run L: 10,000 of them in the first
// half-second of the benchmark's uplinks). A request that finds the bucket empty waits for the
// device's next uplink. Pure: time is passed in.
#include <chrono>

namespace uchet::netserver {

class TokenBucket {
 public:
  using Time = std::chrono::steady_clock::time_point;

  // rate_per_s > 0, burst >= 1. Starts full.
  TokenBucket(double rate_per_s, double burst) : rate_per_s_(rate_per_s), burst_(burst), tokens_(burst) {}

  // Spends one token and returns true, or returns false when none is left.
  bool take(Time now);

 private:
  double rate_per_s_, burst_, tokens_;
  Time last_{};
  bool started_ = false;
};

}  // namespace uchet::netserver
