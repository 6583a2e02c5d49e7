#include <catch2/catch.hpp>

#include "netserver/token_bucket.h"

using uchet::netserver::TokenBucket;
using namespace std::chrono_literals;

TEST_CASE("a token bucket lets a burst through, then its rate") {
  TokenBucket bucket(5.0, 5.0);
  const TokenBucket::Time t0{10s};
  int granted = 0;
  for (int i = 0; i < 100; ++i) granted += bucket.take(t0);
  CHECK(granted == 5);                   // the burst, all at one instant
  CHECK_FALSE(bucket.take(t0 + 100ms));  // half a token refilled
  CHECK(bucket.take(t0 + 200ms));        // one token
  CHECK_FALSE(bucket.take(t0 + 200ms));
  // Ten seconds later the bucket is full again, not fuller.
  granted = 0;
  for (int i = 0; i < 100; ++i) granted += bucket.take(t0 + 10s);
  CHECK(granted == 5);
}

TEST_CASE("a token bucket grants the rate over a long run") {
  TokenBucket bucket(5.0, 2.0);
  const TokenBucket::Time t0{};
  int granted = 0;
  // 10,000 requests spread over 60 s (one every 6 ms): the two starting tokens, then 5/s.
  for (int i = 0; i < 10'000; ++i) granted += bucket.take(t0 + std::chrono::microseconds(6'000 * i));
  CHECK(granted >= 300);
  CHECK(granted <= 302);
}

TEST_CASE("a token bucket refills nothing when time goes backwards") {
  TokenBucket bucket(1.0, 1.0);
  const TokenBucket::Time t0{100s};
  CHECK(bucket.take(t0));
  CHECK_FALSE(bucket.take(t0 - 50s));
  CHECK_FALSE(bucket.take(t0 + 500ms));
  CHECK(bucket.take(t0 + 1s));
}
