// DevStatusReq / DevStatusAns: asked once per interval within the network's budget; the
// answer becomes a status event with the battery in percent.
#include <catch2/catch.hpp>

#include "netserver/maccommand/dev_status.h"

using namespace uchet;
using namespace uchet::netserver;
using namespace std::chrono_literals;

TEST_CASE("DevStatusAns becomes a status event: external power, unknown battery, or a level in percent") {
  const auto now = std::chrono::system_clock::now();
  auto e = maccommand::dev_status_event(lorawan::DevStatusAns{254, -3}, nullptr, now);
  CHECK(e.time == now);
  CHECK(e.margin == -3);
  CHECK_FALSE(e.external_power_source);
  CHECK(e.battery_level_percent == 100.0);
  e = maccommand::dev_status_event(lorawan::DevStatusAns{127, 5}, nullptr, now);
  CHECK(e.battery_level_percent == 50.0);
  e = maccommand::dev_status_event(lorawan::DevStatusAns{lorawan::DevStatusAns::kExternalPower, 0}, nullptr, now);
  CHECK(e.external_power_source);
  CHECK_FALSE(e.battery_level_percent);
  e = maccommand::dev_status_event(lorawan::DevStatusAns{lorawan::DevStatusAns::kBatteryUnknown, 0}, nullptr, now);
  CHECK_FALSE(e.external_power_source);
  CHECK_FALSE(e.battery_level_percent);
}

TEST_CASE("DevStatusReq is asked once per interval, never with interval 0, and deferred over budget") {
  TokenBucket budget(1e-9, 1);  // one token, practically no refill
  MacState mac;
  std::uint64_t deferred = 0;
  CHECK_FALSE(maccommand::dev_status_request(0s, budget, mac, 1000, deferred));
  REQUIRE(maccommand::dev_status_request(100s, budget, mac, 1000, deferred));
  CHECK(mac.last_dev_status_request == 1000);
  CHECK_FALSE(maccommand::dev_status_request(100s, budget, mac, 1099, deferred));  // not yet due
  CHECK(deferred == 0);
  CHECK_FALSE(maccommand::dev_status_request(100s, budget, mac, 1100, deferred));  // due, no token left
  CHECK(deferred == 1);
  CHECK(mac.last_dev_status_request == 1000);
}
