#include "netserver/scheduling/duty_cycle.h"

#include <algorithm>

namespace uchet::netserver::scheduling {

DutyCycle::DutyCycle(std::span<const lorawan::SubBand> sub_bands)
    : sub_bands_(sub_bands.begin(), sub_bands.end()), usage_(sub_bands.size()) {}

int DutyCycle::index_of(std::uint32_t frequency_hz) const {
  for (std::size_t i = 0; i < sub_bands_.size(); ++i) {
    if (frequency_hz >= sub_bands_[i].min_hz && frequency_hz < sub_bands_[i].max_hz) return static_cast<int>(i);
  }
  return -1;
}

void DutyCycle::prune(Usage& usage, Time now) {
  while (!usage.entries.empty() && usage.entries.front().at <= now - kDutyCycleWindow) {
    usage.sum -= usage.entries.front().airtime;
    usage.entries.pop_front();
  }
}

DutyCycle::Verdict DutyCycle::admits(std::uint32_t frequency_hz, Time at, std::chrono::microseconds airtime,
                                     double share) {
  const int i = index_of(frequency_hz);
  if (i < 0) return Verdict::NoSubBand;
  auto& usage = usage_[static_cast<std::size_t>(i)];
  prune(usage, at);
  const double budget_us = sub_bands_[static_cast<std::size_t>(i)].duty_cycle * share *
                           std::chrono::duration<double, std::micro>(kDutyCycleWindow).count();
  return static_cast<double>((usage.sum + airtime).count()) <= budget_us ? Verdict::Admitted : Verdict::OverBudget;
}

void DutyCycle::account_earlier(std::size_t sub_band, std::chrono::microseconds airtime, Time at) {
  if (sub_band >= usage_.size()) return;
  auto& usage = usage_[sub_band];
  prune(usage, at);
  const auto after =
      std::upper_bound(usage.entries.begin(), usage.entries.end(), at, [](Time t, const Entry& e) { return t < e.at; });
  std::chrono::microseconds held{0};
  for (auto it = usage.entries.begin(); it != after; ++it) held += it->airtime;
  if (airtime <= held) return;
  usage.entries.insert(after, Entry{kNoBooking, at, airtime - held});
  usage.sum += airtime - held;
}

void DutyCycle::add(BookingId id, std::uint32_t frequency_hz, Time at, std::chrono::microseconds airtime) {
  const int i = index_of(frequency_hz);
  if (i < 0) return;
  auto& usage = usage_[static_cast<std::size_t>(i)];
  // Nearly always the latest: a class A window is planned in uplink order.
  auto it =
      std::upper_bound(usage.entries.begin(), usage.entries.end(), at, [](Time t, const Entry& e) { return t < e.at; });
  usage.entries.insert(it, Entry{id, at, airtime});
  usage.sum += airtime;
}

bool DutyCycle::release(BookingId id) {
  if (id == kNoBooking) return false;  // earlier airtime stays until it leaves the hour
  for (auto& usage : usage_) {
    // Released bookings are recent: search from the back.
    for (auto it = usage.entries.rbegin(); it != usage.entries.rend(); ++it) {
      if (it->id != id) continue;
      usage.sum -= it->airtime;
      usage.entries.erase(std::next(it).base());
      return true;
    }
  }
  return false;
}

std::vector<std::chrono::microseconds> DutyCycle::used(Time now) {
  std::vector<std::chrono::microseconds> out;
  out.reserve(usage_.size());
  for (auto& usage : usage_) {
    prune(usage, now);
    out.push_back(usage.sum);
  }
  return out;
}

}  // namespace uchet::netserver::scheduling
