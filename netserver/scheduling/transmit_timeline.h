#pragma once
// One gateway's transmit timeline: the downlinks booked on its concentrator counter, so that
// the network server never plans two transmissions a gateway cannot both carry. A gateway is
// half-duplex and has one transmitter; lora_pkt_fwd's just-in-time queue (SX1302 HAL 2.1.0,
// jitqueue.c) refuses a packet that starts within TX_START_DELAY + TX_JIT_DELAY + TX_MARGIN_DELAY
// (1.5 + 40 + 1 ms) after another ends, and drops without an error one whose programming falls
// inside a transmission already handed to the radio. A booking therefore needs
// kTurnaroundMargin of free counter after the previous booking's end and before the next one's
// start: those 42.5 ms, plus 1 ms because the queue counts a gap of exactly 42.5 ms as a
// collision and reserves the airtime rounded to the nearest whole millisecond (up to 0.5 ms
// more than the exact airtime booked here).
//
// Times are the gateway's 64-bit µs counter (gateway-bridge/backend.h: values of one gateway
// are comparable). A small vector sorted by start: a gateway has at most a few dozen
// transmissions in the next seconds, so a lookup is a binary search and a short move; bookings
// that ended are pruned as the counter passes them.
//
// Pure; one thread (the network server's).
#include <chrono>
#include <cstdint>
#include <vector>

namespace uchet::netserver::scheduling {

// Free counter required between the end of one transmission and the start of the next.
inline constexpr std::chrono::microseconds kTurnaroundMargin{43'500};

using BookingId = std::uint64_t;

struct Booking {
  BookingId id = 0;
  std::uint64_t start_us = 0;  // on the gateway's counter
  std::uint64_t end_us = 0;    // start + airtime (+ any allowance the caller added)
};

class TransmitTimeline {
 public:
  // Whether [start, start + airtime) keeps kTurnaroundMargin from every booking.
  bool is_free(std::uint64_t start_us, std::chrono::microseconds airtime) const;
  // Books it when free (true), else leaves the timeline unchanged (false).
  bool book(BookingId id, std::uint64_t start_us, std::chrono::microseconds airtime);
  // Forgets the booking (the gateway reported it did not go on air); false when unknown.
  bool release(BookingId id);
  // Drops bookings that ended before `counter_us` (they can no longer collide with anything new).
  void prune(std::uint64_t counter_us);

  const std::vector<Booking>& bookings() const { return bookings_; }

 private:
  std::vector<Booking> bookings_;  // sorted by start_us, never overlapping
};

}  // namespace uchet::netserver::scheduling
