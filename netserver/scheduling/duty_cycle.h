#pragma once
// One gateway's duty-cycle budget: the airtime of its transmissions per regulatory sub-band
// (lorawan::Region::sub_bands) over a rolling hour, against the sub-band's limit (the region's
// default, or what [network] duty_cycle_pct sets). A transmission is admitted when the airtime
// already accounted in its sub-band within the hour before it, plus its own, stays within
// `share` of the budget (downlink_priority.h: housekeeping may use only part of it, so that
// answers always find some left). Accounted airtime that never went on air (a TX_ACK error) is
// given back with release(). Airtime spent before the budget existed (saved by an earlier run
// of uchetd, or by the instance that held the gateway before: saved_airtime.h) is accounted with
// account_earlier().
//
// Time is the server's steady clock at the transmission (the caller converts from the gateway's
// counter): a class A answer is accounted at its window, seconds after it was planned. Entries
// later than the moment asked about count too (conservative: they are at most a few seconds
// ahead). Each sub-band keeps its entries in time order with a running sum, pruned as they
// leave the hour, so admission is O(1) amortised.
//
// Pure; one thread (the network server's).
#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "netserver/lorawan/region.h"
#include "netserver/scheduling/transmit_timeline.h"

namespace uchet::netserver::scheduling {

inline constexpr std::chrono::hours kDutyCycleWindow{1};

class DutyCycle {
 public:
  using Time = std::chrono::steady_clock::time_point;
  static constexpr BookingId kNoBooking = 0;  // booking ids start at 1

  // The sub-bands with the limits in force (duty_cycle: share of the hour, 0..1).
  explicit DutyCycle(std::span<const lorawan::SubBand> sub_bands);

  enum class Verdict { Admitted, NoSubBand, OverBudget };
  Verdict admits(std::uint32_t frequency_hz, Time at, std::chrono::microseconds airtime, double share = 1.0);
  // Accounts the transmission (admitted before) in its sub-band.
  void add(BookingId id, std::uint32_t frequency_hz, Time at, std::chrono::microseconds airtime);
  // Gives back what `id` accounted; false when unknown (or already out of the hour).
  bool release(BookingId id);
  // `airtime` was spent in sub-band `sub_band` (sub_bands() order) in the hour up to `at`,
  // outside this budget's knowledge: accounted as spent at `at` (it leaves the hour one hour
  // after `at`; conservative, as it was spent before). Only the part this budget does not
  // already hold at or before `at` is added, so accounting a save of this budget's own figures
  // (or the same save twice) counts nothing twice. Cannot be released.
  void account_earlier(std::size_t sub_band, std::chrono::microseconds airtime, Time at);

  // Airtime accounted per sub-band (in sub_bands() order) within the hour before `now`.
  std::vector<std::chrono::microseconds> used(Time now);
  std::span<const lorawan::SubBand> sub_bands() const { return sub_bands_; }

 private:
  struct Entry {
    BookingId id;  // kNoBooking for airtime accounted with account_earlier()
    Time at;
    std::chrono::microseconds airtime;
  };
  struct Usage {
    std::deque<Entry> entries;  // by time
    std::chrono::microseconds sum{0};
  };
  int index_of(std::uint32_t frequency_hz) const;
  static void prune(Usage& usage, Time now);

  std::vector<lorawan::SubBand> sub_bands_;
  std::vector<Usage> usage_;  // one per sub-band
};

}  // namespace uchet::netserver::scheduling
