#include <catch2/catch.hpp>

#include "netserver/deduplicator.h"

using namespace uchet::netserver;
using namespace std::chrono_literals;

namespace {

uchet::bridge::UplinkRx reception(uint64_t gateway, std::vector<uint8_t> payload) {
  uchet::bridge::UplinkRx rx;
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
