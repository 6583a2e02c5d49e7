#include <catch2/catch.hpp>

#include "netserver/deduplicator.h"

using namespace uchet::netserver;
using namespace std::chrono_literals;

namespace {

uchet::gateway_bridge::Reception reception(uint64_t gateway, std::vector<uint8_t> payload) {
  uchet::gateway_bridge::Reception rx;
  rx.gateway_eui = gateway;
  rx.phy_payload = std::move(payload);
  return rx;
}

}  // namespace

TEST_CASE("copies within the window become one frame with every reception") {
  Deduplicator d(200ms);
  SteadyTime t0{};
  CHECK(d.add(reception(1, {0x40, 1, 2}), t0) == Deduplicator::Outcome::NewFrame);
  CHECK(d.add(reception(2, {0x40, 1, 2}), t0 + 50ms) == Deduplicator::Outcome::CopyAdded);
  CHECK(d.add(reception(3, {0x40, 9, 9}), t0 + 60ms) == Deduplicator::Outcome::NewFrame);
  CHECK(d.next_deadline() == t0 + 200ms);
  CHECK(d.close_due(t0 + 199ms).empty());
  auto first = d.close_due(t0 + 200ms);
  REQUIRE(first.size() == 1);
  CHECK(first[0].phy_payload == std::vector<uint8_t>{0x40, 1, 2});
  REQUIRE(first[0].receptions.size() == 2);
  CHECK(first[0].receptions[0].gateway_eui == 1);
  CHECK(first[0].receptions[1].gateway_eui == 2);
  CHECK(d.next_deadline() == t0 + 260ms);
  auto second = d.close_due(t0 + 300ms);
  REQUIRE(second.size() == 1);
  CHECK(second[0].receptions[0].gateway_eui == 3);
  CHECK(d.open_frames() == 0);
}

TEST_CASE("a copy after the window closes is a late copy until the horizon, then a new frame") {
  Deduplicator d(200ms, 2s);
  SteadyTime t0{};
  d.add(reception(1, {0x40, 1}), t0);
  REQUIRE(d.close_due(t0 + 200ms).size() == 1);
  CHECK(d.add(reception(2, {0x40, 1}), t0 + 500ms) == Deduplicator::Outcome::LateCopy);
  CHECK(d.add(reception(2, {0x40, 1}), t0 + 1999ms) == Deduplicator::Outcome::LateCopy);
  CHECK(d.add(reception(2, {0x40, 1}), t0 + 2001ms) == Deduplicator::Outcome::NewFrame);
}

TEST_CASE("thousands of frames in flight keep their copies, order and late-copy memory") {
  // Enough frames that the table rehashes several times while windows are open and closed.
  Deduplicator d(200ms, 2s);
  SteadyTime t0{};
  auto payload = [](int n) { return std::vector<uint8_t>{0x40, uint8_t(n), uint8_t(n >> 8), 0xAA}; };
  for (int n = 0; n < 5000; ++n) {
    const auto at = t0 + std::chrono::microseconds(n * 100);  // 5,000 frames in 0.5 s
    REQUIRE(d.add(reception(1, payload(n)), at) == Deduplicator::Outcome::NewFrame);
    if (n >= 10) REQUIRE(d.add(reception(2, payload(n - 10)), at) == Deduplicator::Outcome::CopyAdded);
  }
  auto closed = d.close_due(t0 + 300ms);  // windows of frames 0..999 ended (opened before 100 ms)
  REQUIRE(closed.size() == 1001);
  for (int n = 0; n < 1001; ++n) {
    REQUIRE(closed[n].phy_payload == payload(n));
    REQUIRE(closed[n].receptions.size() == 2);
  }
  CHECK(d.open_frames() == 3999);
  CHECK(d.add(reception(3, payload(7)), t0 + 400ms) == Deduplicator::Outcome::LateCopy);
  CHECK(d.add(reception(3, payload(4000)), t0 + 400ms) == Deduplicator::Outcome::CopyAdded);
  auto rest = d.close_due(t0 + 1s);
  REQUIRE(rest.size() == 3999);
  CHECK(rest.front().phy_payload == payload(1001));
  CHECK(rest[4000 - 1001].receptions.size() == 3);
  // Past every frame's horizon all is forgotten: the same bytes open new frames.
  CHECK(d.add(reception(1, payload(7)), t0 + 3s) == Deduplicator::Outcome::NewFrame);
  CHECK(d.add(reception(1, payload(4999)), t0 + 3s) == Deduplicator::Outcome::NewFrame);
  CHECK(d.open_frames() == 2);
}

TEST_CASE("a window longer than the late-copy horizon leaves no late-copy memory") {
  Deduplicator d(3s, 2s);
  SteadyTime t0{};
  d.add(reception(1, {0x40, 5}), t0);
  CHECK(d.add(reception(2, {0x40, 5}), t0 + 2500ms) == Deduplicator::Outcome::CopyAdded);
  REQUIRE(d.close_due(t0 + 3s).size() == 1);
  CHECK(d.add(reception(2, {0x40, 5}), t0 + 3s) == Deduplicator::Outcome::NewFrame);
}
