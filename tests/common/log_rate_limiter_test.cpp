// The log rate limiter, driven by a fake clock.
#include <catch2/catch.hpp>

#include "common/log_rate_limiter.h"

using namespace uchet::common;
using namespace std::chrono_literals;

TEST_CASE("one line per key per minute, then the number suppressed") {
  LogRateLimiter limiter;
  const auto t0 = LogRateLimiter::Clock::time_point{} + 1000h;
  CHECK(limiter.admit("malformed/aa555a0000000001", t0) == 0u);
  CHECK_FALSE(limiter.admit("malformed/aa555a0000000001", t0 + 1s));
  CHECK_FALSE(limiter.admit("malformed/aa555a0000000001", t0 + 59s));
  // Other gateway, other reason: independent.
  CHECK(limiter.admit("malformed/aa555a0000000002", t0 + 2s) == 0u);
  CHECK(limiter.admit("rxpk_rejected/aa555a0000000001", t0 + 2s) == 0u);
  CHECK(limiter.admit("malformed/aa555a0000000001", t0 + 60s) == 2u);
  CHECK_FALSE(limiter.admit("malformed/aa555a0000000001", t0 + 61s));
  CHECK(limiter.admit("malformed/aa555a0000000001", t0 + 10min) == 1u);
}

TEST_CASE("the number of remembered keys is bounded") {
  LogRateLimiter limiter(1min, 3);
  const auto t0 = LogRateLimiter::Clock::time_point{} + 1000h;
  CHECK(limiter.admit("a", t0));
  CHECK(limiter.admit("b", t0));
  CHECK(limiter.admit("c", t0));
  CHECK_FALSE(limiter.admit("d", t0 + 1s));  // full, nothing expired: suppressed
  CHECK(limiter.tracked_keys() == 3);
  CHECK(limiter.admit("d", t0 + 61s));  // a, b, c swept
  CHECK(limiter.tracked_keys() == 1);
}
