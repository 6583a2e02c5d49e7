// The scheduler books on a gateway's counter with the airtime of the transmission as sent,
// checks the duty cycle at the priority's share, estimates the counter for class C from the
// latest reception, and keeps each gateway's timeline to itself.
#include <catch2/catch.hpp>

#include "netserver/lorawan/airtime.h"
#include "netserver/lorawan/region.h"
#include "netserver/scheduling/downlink_scheduler.h"

using namespace uchet;
using namespace uchet::netserver::scheduling;
using namespace std::chrono_literals;

namespace {

const lorawan::Region kRu864 = *lorawan::region_by_name("RU864");
const DownlinkScheduler::Time kT0 = DownlinkScheduler::Time{} + 100h;
constexpr lorawan::Eui64 kGw1 = 0xAA555A0000000001, kGw2 = 0xAA555A0000000002;

std::vector<lorawan::SubBand> ru864_bands() { return {kRu864.sub_bands().begin(), kRu864.sub_bands().end()}; }

gateway_bridge::Transmission sf12(gateway_bridge::TxTiming timing, std::size_t size = 13) {
  gateway_bridge::Transmission t;
  t.timing = timing;
  t.frequency_hz = 869'100'000;
  t.data_rate = gateway_bridge::LoraRate{12, 125};
  t.phy_payload.assign(size, 0);
  return t;
}

gateway_bridge::CounterTime at(std::uint64_t us) { return {us, 0}; }

}  // namespace

TEST_CASE("A transmission's airtime is the core's for its data rate, payload and preamble") {
  CHECK(transmission_airtime(sf12(at(0))) == lorawan::time_on_air(lorawan::DataRate::lora(12, 125), 13, false));
  auto longer = sf12(at(0));
  longer.preamble_symbols = 16;
  CHECK(transmission_airtime(longer) > transmission_airtime(sf12(at(0))) + 8 * 32ms);
}

TEST_CASE("RX1 taken, RX2 free, each gateway's counter is its own") {
  DownlinkScheduler s(ru864_bands());
  s.heard(kGw1, 10'000'000, kT0);
  s.heard(kGw2, 77'000'000, kT0);
  REQUIRE(s.book(kGw1, sf12(at(11'000'000)), DownlinkPriority::Answer, kT0));
  auto clash = s.book(kGw1, sf12(at(11'500'000)), DownlinkPriority::Answer, kT0);
  REQUIRE_FALSE(clash);
  CHECK(clash.error() == Refusal::SlotTaken);
  CHECK(s.book(kGw1, sf12(at(12'500'000)), DownlinkPriority::Answer, kT0));
  CHECK(s.book(kGw2, sf12(at(11'500'000)), DownlinkPriority::Answer, kT0));
  CHECK(s.counters(kGw1).planned == 2);
  CHECK(s.counters(kGw2).planned == 1);
}

TEST_CASE("A released booking frees its slot and its airtime") {
  DownlinkScheduler s(ru864_bands());
  s.heard(kGw1, 0, kT0);
  auto first = s.book(kGw1, sf12(at(1'000'000)), DownlinkPriority::Answer, kT0);
  REQUIRE(first);
  REQUIRE_FALSE(s.book(kGw1, sf12(at(1'200'000)), DownlinkPriority::Answer, kT0));
  s.release(kGw1, *first);
  CHECK(s.book(kGw1, sf12(at(1'200'000)), DownlinkPriority::Answer, kT0));
  const auto figures = s.figures(kT0 + 2s);
  REQUIRE(figures.size() == 1);
  // RU864's third sub-band, 868.7-869.2 MHz, holds the default channels the bookings used.
  REQUIRE(figures[0].airtime_last_hour.at(2).first == "868.7-869.2");
  CHECK(figures[0].airtime_last_hour.at(2).second == transmission_airtime(sf12(at(0))));
}

TEST_CASE("Housekeeping stops at half the budget, answers go on until it is spent") {
  DownlinkScheduler s(ru864_bands());
  s.heard(kGw1, 0, kT0);
  const auto one = transmission_airtime(sf12(at(0)));  // ~1.16 s: 36 s hold 31 of them
  int housekeeping = 0, answers = 0;
  std::uint64_t t = 1'000'000;
  for (int i = 0; i < 40; ++i, t += 2'000'000) {
    if (s.book(kGw1, sf12(at(t)), DownlinkPriority::Housekeeping, kT0)) ++housekeeping;
  }
  for (int i = 0; i < 40; ++i, t += 2'000'000) {
    if (s.book(kGw1, sf12(at(t)), DownlinkPriority::Answer, kT0)) ++answers;
  }
  CHECK(housekeeping == static_cast<int>(18s / one));
  CHECK(housekeeping + answers == static_cast<int>(36s / one));
  auto refused = s.book(kGw1, sf12(at(t)), DownlinkPriority::Answer, kT0);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == Refusal::DutyCycle);
}

TEST_CASE("Class C is booked at the counter estimated from the latest reception") {
  DownlinkScheduler s(ru864_bands());
  CHECK(s.book(kGw1, sf12(gateway_bridge::Immediately{}), DownlinkPriority::Answer, kT0).error() ==
        Refusal::UnknownClock);
  s.heard(kGw1, 50'000'000, kT0);
  // 2 s after that reception the counter is about 52 s: a class A window at 52.5 s collides with
  // an immediate SF12 transmission (~1.16 s plus the allowance), one at 54 s does not.
  REQUIRE(s.book(kGw1, sf12(gateway_bridge::Immediately{}), DownlinkPriority::Answer, kT0 + 2s));
  CHECK(s.book(kGw1, sf12(at(52'500'000)), DownlinkPriority::Answer, kT0 + 2s).error() == Refusal::SlotTaken);
  CHECK(s.book(kGw1, sf12(at(54'000'000)), DownlinkPriority::Answer, kT0 + 2s));
}

TEST_CASE("A downlink's tier is the highest of what it carries") {
  CHECK(priority_of({}) == DownlinkPriority::Housekeeping);
  CHECK(priority_of({.device_time = true}) == DownlinkPriority::ClockCorrection);
  CHECK(priority_of({.queued_clock_correction = true}) == DownlinkPriority::ClockCorrection);
  CHECK(priority_of({.ack = true, .queued_clock_correction = true}) == DownlinkPriority::Answer);
  CHECK(priority_of({.queue_item = true}) == DownlinkPriority::Answer);
  CHECK(priority_of({.join_accept = true}) == DownlinkPriority::Answer);
  CHECK(budget_share(DownlinkPriority::ClockCorrection) == 0.9);
}
