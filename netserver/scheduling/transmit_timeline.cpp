#include "netserver/scheduling/transmit_timeline.h"

#include <algorithm>

namespace uchet::netserver::scheduling {
namespace {

const std::uint64_t kMargin = static_cast<std::uint64_t>(kTurnaroundMargin.count());

auto first_starting_after(const std::vector<Booking>& bookings, std::uint64_t start_us) {
  return std::upper_bound(bookings.begin(), bookings.end(), start_us,
                          [](std::uint64_t start, const Booking& b) { return start < b.start_us; });
}

}  // namespace

bool TransmitTimeline::is_free(std::uint64_t start_us, std::chrono::microseconds airtime) const {
  const std::uint64_t end_us = start_us + static_cast<std::uint64_t>(airtime.count());
  auto next = first_starting_after(bookings_, start_us);
  // Bookings never overlap, so only the neighbours can be too close.
  if (next != bookings_.end() && end_us + kMargin > next->start_us) return false;
  if (next != bookings_.begin()) {
    const auto& previous = *std::prev(next);
    if (previous.end_us + kMargin > start_us) return false;
  }
  return true;
}

bool TransmitTimeline::book(BookingId id, std::uint64_t start_us, std::chrono::microseconds airtime) {
  if (!is_free(start_us, airtime)) return false;
  bookings_.insert(first_starting_after(bookings_, start_us),
                   Booking{id, start_us, start_us + static_cast<std::uint64_t>(airtime.count())});
  return true;
}

bool TransmitTimeline::release(BookingId id) {
  auto it = std::find_if(bookings_.begin(), bookings_.end(), [id](const Booking& b) { return b.id == id; });
  if (it == bookings_.end()) return false;
  bookings_.erase(it);
  return true;
}

void TransmitTimeline::prune(std::uint64_t counter_us) {
  // Sorted by start and not overlapping, so also by end: the ended ones are a prefix.
  auto ended = std::find_if(bookings_.begin(), bookings_.end(),
                            [counter_us](const Booking& b) { return b.end_us + kMargin > counter_us; });
  bookings_.erase(bookings_.begin(), ended);
}

}  // namespace uchet::netserver::scheduling
