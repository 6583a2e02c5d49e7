// The transmit timeline keeps kTurnaroundMargin (43.5 ms: lora_pkt_fwd's JIT start delay and
// margin, its inclusive bound and its rounding of the airtime) between bookings of one gateway,
// releases and prunes; whatever it admits, the forwarder's JIT queue (tools/sim/jit_queue.h)
// accepts.
#include <catch2/catch.hpp>

#include "netserver/lorawan/airtime.h"
#include "netserver/scheduling/transmit_timeline.h"
#include "tools/sim/jit_queue.h"

using namespace uchet;
using namespace uchet::netserver::scheduling;
using namespace std::chrono_literals;

TEST_CASE("A booking keeps the turnaround margin from the ones before and after it") {
  TransmitTimeline t;
  REQUIRE(t.book(1, 1'000'000, 100'000us));     // on air 1.0–1.1 s
  CHECK_FALSE(t.is_free(1'050'000, 10'000us));  // inside
  CHECK_FALSE(t.is_free(900'000, 100'000us));   // ends at 1.0 s exactly: no margin
  CHECK_FALSE(t.is_free(1'100'000 + 43'499, 10'000us));
  CHECK(t.is_free(1'100'000 + 43'500, 10'000us));           // starts 43.5 ms after the end
  CHECK(t.is_free(1'000'000 - 43'500 - 10'000, 10'000us));  // ends 43.5 ms before the start
  CHECK_FALSE(t.is_free(1'000'000 - 43'500 - 10'000 + 1, 10'000us));
}

TEST_CASE("What the timeline admits next to a booking, lora_pkt_fwd's JIT queue accepts too") {
  // The synchronised-fleet benchmark (BENCHMARKS.md) had 2 COLLISION_PACKET refusals in 389
  // downlinks with a 42.5 ms margin: the queue refuses a gap of exactly 42.5 ms and reserves the
  // airtime rounded to whole milliseconds. Every DR and a spread of lengths (airtimes with every
  // kind of sub-millisecond remainder), the neighbour placed as close as the timeline allows,
  // after the booking and before it.
  constexpr std::uint64_t kT = 10'000'000;
  for (std::uint8_t sf = 7; sf <= 12; ++sf) {
    for (std::size_t length = 12; length <= 60; length += 3) {
      const auto airtime = lorawan::time_on_air(lorawan::DataRate::lora(sf, 125), length, false);
      const auto airtime_us = static_cast<std::uint64_t>(airtime.count());
      TransmitTimeline t;
      REQUIRE(t.book(1, kT, airtime));
      const std::uint64_t after = kT + airtime_us + static_cast<std::uint64_t>(kTurnaroundMargin.count());
      const std::uint64_t before = kT - static_cast<std::uint64_t>(kTurnaroundMargin.count()) - airtime_us;
      REQUIRE(t.is_free(after, airtime));
      REQUIRE_FALSE(t.is_free(after - 1, airtime));
      REQUIRE(t.is_free(before, airtime));
      REQUIRE_FALSE(t.is_free(before + 1, airtime));
      for (const std::uint64_t neighbour : {after, before}) {
        INFO("SF" << int(sf) << ", " << length << " bytes, " << airtime_us << " us, neighbour at " << neighbour);
        uchet::sim::JitQueue jit;
        const auto now = static_cast<std::uint32_t>(kT - 5'000'000);
        const auto us = static_cast<std::uint32_t>(airtime_us);
        REQUIRE(jit.enqueue(now, 1, static_cast<std::uint32_t>(kT), us).verdict == uchet::sim::JitVerdict::Scheduled);
        CHECK(jit.enqueue(now, 2, static_cast<std::uint32_t>(neighbour), us).verdict ==
              uchet::sim::JitVerdict::Scheduled);
      }
    }
  }
}

TEST_CASE("The issue's case: an RX1 answer timed inside another device's SF12 ACK is refused") {
  // The SF12 ACK (13-byte PHYPayload, no CRC) starts at 2.0 s on the gateway's counter; an
  // uplink heard 148 ms before it started wants its RX1 answer 1 s later, at 2.852 s.
  const auto sf12_ack = lorawan::time_on_air(lorawan::DataRate::lora(12, 125), 13, false);
  REQUIRE(sf12_ack > 900ms);
  TransmitTimeline t;
  REQUIRE(t.book(1, 2'000'000, sf12_ack));
  const std::uint64_t rx1 = 2'000'000 - 148'000 + 1'000'000;
  CHECK_FALSE(t.book(2, rx1, lorawan::time_on_air(lorawan::DataRate::lora(12, 125), 13, false)));
  // Its RX2, one second later, is after the ACK ended (+ margin): free.
  CHECK(t.book(3, rx1 + 1'000'000, lorawan::time_on_air(lorawan::DataRate::lora(12, 125), 13, false)));
  CHECK(t.bookings().size() == 2);
}

TEST_CASE("Bookings stay sorted, a released one frees its slot, ended ones are pruned") {
  TransmitTimeline t;
  REQUIRE(t.book(1, 5'000'000, 50'000us));
  REQUIRE(t.book(2, 1'000'000, 50'000us));
  REQUIRE(t.book(3, 3'000'000, 50'000us));
  REQUIRE(t.bookings().size() == 3);
  CHECK(t.bookings()[0].id == 2);
  CHECK(t.bookings()[1].id == 3);
  CHECK(t.bookings()[2].id == 1);
  CHECK_FALSE(t.book(4, 3'020'000, 50'000us));
  CHECK(t.release(3));
  CHECK_FALSE(t.release(3));
  CHECK(t.book(4, 3'020'000, 50'000us));
  t.prune(3'000'000);  // booking 2 ended at 1.05 s
  REQUIRE(t.bookings().size() == 2);
  CHECK(t.bookings()[0].id == 4);
  t.prune(10'000'000);
  CHECK(t.bookings().empty());
}
