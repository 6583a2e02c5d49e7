// Duty cycle per sub-band over a rolling hour, with the region's limits: RU864 1 % (36 s an
// hour), EU868's 869.4–869.65 MHz sub-band 10 % and 868.7–869.2 MHz 0.1 %.
#include <catch2/catch.hpp>

#include "netserver/lorawan/region.h"
#include "netserver/scheduling/duty_cycle.h"

using namespace uchet;
using namespace uchet::netserver::scheduling;
using namespace std::chrono_literals;

namespace {

const lorawan::Region kRu864 = *lorawan::region_by_name("RU864");
const lorawan::Region kEu868 = *lorawan::region_by_name("EU868");
const DutyCycle::Time kT0 = DutyCycle::Time{} + 100h;

}  // namespace

TEST_CASE("The regions' sub-bands carry the regulated limits") {
  // RU864: the national ranges, each at the stricter of GKRCh's limit and RP002's 1 %.
  REQUIRE(kRu864.sub_bands().size() == 3);
  CHECK(kRu864.sub_band(869'100'000)->name == "868.7-869.2");
  CHECK(kRu864.sub_band(869'100'000)->duty_cycle == 0.01);
  CHECK(kRu864.sub_band(868'900'000) == kRu864.sub_band(869'100'000));
  CHECK(kRu864.sub_band(864'100'000)->name == "864.0-865.0");
  CHECK(kRu864.sub_band(864'900'000)->duty_cycle == 0.001);
  CHECK(kRu864.sub_band(867'100'000)->duty_cycle == 0.01);
  CHECK(kRu864.sub_band(865'500'000) == nullptr);  // not open to short-range devices
  CHECK(kRu864.sub_band(868'500'000) == nullptr);
  CHECK(kRu864.sub_band(869'200'000) == nullptr);  // half-open: 869.2 is outside
  CHECK(kRu864.sub_band(870'000'000) == nullptr);
  CHECK(kEu868.sub_band(869'525'000)->name == "869.4-869.65");
  CHECK(kEu868.sub_band(869'525'000)->duty_cycle == 0.10);
  CHECK(kEu868.sub_band(868'100'000)->duty_cycle == 0.01);
  CHECK(kEu868.sub_band(868'800'000)->duty_cycle == 0.001);
  CHECK(kEu868.sub_band(868'000'000)->name == "868.0-868.6");  // half-open: the edge belongs above
  CHECK(kEu868.sub_band(868'650'000) == nullptr);              // between g1 and g2
}

TEST_CASE("RU864 admits 36 s of airtime per hour, then nothing until the oldest leaves the hour") {
  DutyCycle dc(kRu864.sub_bands());
  // 36 transmissions of exactly one second, one a minute from kT0.
  for (int i = 0; i < 36; ++i) {
    const auto at = kT0 + std::chrono::minutes(i);
    REQUIRE(dc.admits(869'100'000, at, 1s) == DutyCycle::Verdict::Admitted);
    dc.add(static_cast<BookingId>(i + 1), 869'100'000, at, 1s);
  }
  CHECK(dc.admits(868'900'000, kT0 + 40min, 1us) == DutyCycle::Verdict::OverBudget);
  CHECK(dc.used(kT0 + 40min)[2] == 36s);  // the 868.7-869.2 MHz sub-band
  // At kT0 + 1 h the first one is an hour old and no longer counts.
  CHECK(dc.admits(869'100'000, kT0 + 1h, 1s) == DutyCycle::Verdict::Admitted);
  CHECK(dc.admits(869'100'000, kT0 + 1h, 1s + 1us) == DutyCycle::Verdict::OverBudget);
  // A transmission that did not go on air gives its airtime back.
  CHECK(dc.release(36));
  CHECK_FALSE(dc.release(36));
  CHECK(dc.used(kT0 + 1h)[2] == 34s);  // the first left the hour, the last was given back
  CHECK(dc.admits(869'100'000, kT0 + 1h, 2s) == DutyCycle::Verdict::Admitted);
}

TEST_CASE("A priority's share of the budget: housekeeping stops at half") {
  DutyCycle dc(kRu864.sub_bands());
  dc.add(1, 869'100'000, kT0, 18s);  // half of 36 s
  CHECK(dc.admits(869'100'000, kT0 + 1s, 1s, 0.5) == DutyCycle::Verdict::OverBudget);
  CHECK(dc.admits(869'100'000, kT0 + 1s, 1s, 0.9) == DutyCycle::Verdict::Admitted);
  CHECK(dc.admits(869'100'000, kT0 + 1s, 15s, 0.9) == DutyCycle::Verdict::OverBudget);  // 33 s > 32.4 s
  CHECK(dc.admits(869'100'000, kT0 + 1s, 15s, 1.0) == DutyCycle::Verdict::Admitted);
}

TEST_CASE("EU868 sub-bands are accounted apart, a frequency outside all of them is refused") {
  DutyCycle dc(kEu868.sub_bands());
  dc.add(1, 868'100'000, kT0, 36s);  // g1 (1 %) full
  CHECK(dc.admits(868'300'000, kT0, 1ms) == DutyCycle::Verdict::OverBudget);
  CHECK(dc.admits(869'525'000, kT0, 360s) == DutyCycle::Verdict::Admitted);  // RX2 sub-band: 10 %
  CHECK(dc.admits(869'525'000, kT0, 360s + 1us) == DutyCycle::Verdict::OverBudget);
  CHECK(dc.admits(868'800'000, kT0, 3600ms) == DutyCycle::Verdict::Admitted);  // 0.1 %
  CHECK(dc.admits(868'800'000, kT0, 3601ms) == DutyCycle::Verdict::OverBudget);
  CHECK(dc.admits(868'650'000, kT0, 1ms) == DutyCycle::Verdict::NoSubBand);
  const auto used = dc.used(kT0);
  REQUIRE(used.size() == kEu868.sub_bands().size());
  CHECK(used[2] == 36s);
}

TEST_CASE("RU864's extra channels at 864-865 MHz have the national 0.1 %, apart from the default channels") {
  DutyCycle dc(kRu864.sub_bands());
  CHECK(dc.admits(864'100'000, kT0, 3600ms) == DutyCycle::Verdict::Admitted);
  dc.add(1, 864'100'000, kT0, 3600ms);
  CHECK(dc.admits(864'900'000, kT0 + 1s, 1ms) == DutyCycle::Verdict::OverBudget);
  CHECK(dc.admits(869'100'000, kT0 + 1s, 36s) == DutyCycle::Verdict::Admitted);  // 868.7-869.2 untouched
  CHECK(dc.admits(865'500'000, kT0 + 1s, 1ms) == DutyCycle::Verdict::NoSubBand);
}

TEST_CASE("A configured limit replaces the region's") {
  std::vector<lorawan::SubBand> bands(kRu864.sub_bands().begin(), kRu864.sub_bands().end());
  REQUIRE(bands[2].name == "868.7-869.2");
  bands[2].duty_cycle = 0.10;  // GKRCh 868.7–869.2 MHz: 10 %
  DutyCycle dc(bands);
  CHECK(dc.admits(869'100'000, kT0, 360s) == DutyCycle::Verdict::Admitted);
  CHECK(dc.admits(869'100'000, kT0, 361s) == DutyCycle::Verdict::OverBudget);
}
