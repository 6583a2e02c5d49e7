// The transmit timeline keeps kTurnaroundMargin (42.5 ms, lora_pkt_fwd's JIT start delay and
// margin) between bookings of one gateway, releases and prunes.
#include <catch2/catch.hpp>

#include "netserver/lorawan/airtime.h"
#include "netserver/scheduling/transmit_timeline.h"

using namespace uchet;
using namespace uchet::netserver::scheduling;
using namespace std::chrono_literals;

TEST_CASE("A booking keeps the turnaround margin from the ones before and after it") {
  TransmitTimeline t;
  REQUIRE(t.book(1, 1'000'000, 100'000us));     // on air 1.0–1.1 s
  CHECK_FALSE(t.is_free(1'050'000, 10'000us));  // inside
  CHECK_FALSE(t.is_free(900'000, 100'000us));   // ends at 1.0 s exactly: no margin
  CHECK_FALSE(t.is_free(1'100'000 + 42'499, 10'000us));
  CHECK(t.is_free(1'100'000 + 42'500, 10'000us));           // starts 42.5 ms after the end
  CHECK(t.is_free(1'000'000 - 42'500 - 10'000, 10'000us));  // ends 42.5 ms before the start
  CHECK_FALSE(t.is_free(1'000'000 - 42'500 - 10'000 + 1, 10'000us));
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
