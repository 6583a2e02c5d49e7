#include "netserver/scheduling/downlink_scheduler.h"

#include <algorithm>

#include "netserver/lorawan/airtime.h"

namespace uchet::netserver::scheduling {

std::string_view refusal_name(Refusal refusal) {
  switch (refusal) {
    case Refusal::SlotTaken:
      return "slot_taken";
    case Refusal::DutyCycle:
      return "duty_cycle";
    case Refusal::NoSubBand:
      return "no_sub_band";
    case Refusal::UnknownClock:
      return "unknown_clock";
    case Refusal::NoGateway:
      return "no_gateway";
  }
  return "unknown";
}

DownlinkScheduler::DownlinkScheduler(std::vector<lorawan::SubBand> sub_bands, SavedAirtimeSource saved)
    : sub_bands_(std::move(sub_bands)), saved_(std::move(saved)) {}

DownlinkScheduler::Gateway& DownlinkScheduler::gateway(lorawan::Eui64 gateway_eui) {
  auto it = gateways_.find(gateway_eui);
  if (it == gateways_.end()) it = gateways_.emplace(gateway_eui, Gateway(sub_bands_)).first;
  return it->second;
}

void DownlinkScheduler::account_saved(lorawan::Eui64 gateway_eui, Gateway& g, Time now) {
  g.seeded = true;
  if (!saved_) return;
  if (const auto saved = saved_(gateway_eui)) account_saved_airtime(g.duty_cycle, *saved, now);
}

void DownlinkScheduler::heard(lorawan::Eui64 gateway_eui, std::uint64_t counter_us, Time received_at) {
  auto& g = gateway(gateway_eui);
  // First heard here, or after a silence: this instance may have just gained the gateway's path.
  if (!g.seeded || !g.clock_known || received_at - g.received_at > kReseedAfterSilence)
    account_saved(gateway_eui, g, received_at);
  g.clock_known = true;
  g.counter_us = counter_us;
  g.received_at = received_at;
  // The reception ended at counter_us: nothing booked before it is still ahead of the radio.
  g.timeline.prune(counter_us);
}

std::expected<BookingId, Refusal> DownlinkScheduler::book(lorawan::Eui64 gateway_eui,
                                                          const gateway_bridge::Transmission& transmission,
                                                          DownlinkPriority priority, Time now) {
  auto& g = gateway(gateway_eui);
  if (!g.seeded) account_saved(gateway_eui, g, now);
  const auto on_air_airtime = transmission_airtime(transmission);
  auto airtime = on_air_airtime;  // on the timeline: with the allowance of an immediate one
  std::uint64_t start_us = 0;
  Time on_air = now;
  if (const auto* at = std::get_if<gateway_bridge::CounterTime>(&transmission.timing)) {
    start_us = at->counter_us;
    if (g.clock_known) {
      on_air = g.received_at + std::chrono::microseconds(static_cast<std::int64_t>(at->counter_us) -
                                                         static_cast<std::int64_t>(g.counter_us));
    }
  } else if (std::holds_alternative<gateway_bridge::Immediately>(transmission.timing)) {
    if (!g.clock_known) return std::unexpected(Refusal::UnknownClock);
    const auto since = std::chrono::duration_cast<std::chrono::microseconds>(now - g.received_at);
    start_us = g.counter_us + static_cast<std::uint64_t>(std::max<std::int64_t>(0, since.count()));
    airtime += kImmediateAllowance;
  } else {
    return std::unexpected(Refusal::UnknownClock);  // GPS timing: no mapping to the counter kept
  }
  if (!g.timeline.is_free(start_us, airtime)) return std::unexpected(Refusal::SlotTaken);
  switch (g.duty_cycle.admits(transmission.frequency_hz, on_air, on_air_airtime, budget_share(priority))) {
    case DutyCycle::Verdict::Admitted:
      break;
    case DutyCycle::Verdict::NoSubBand:
      return std::unexpected(Refusal::NoSubBand);
    case DutyCycle::Verdict::OverBudget:
      return std::unexpected(Refusal::DutyCycle);
  }
  const BookingId id = next_id_++;
  g.timeline.book(id, start_us, airtime);
  g.duty_cycle.add(id, transmission.frequency_hz, on_air, on_air_airtime);
  ++g.counters.planned;
  return id;
}

void DownlinkScheduler::release(lorawan::Eui64 gateway_eui, BookingId id) {
  auto& g = gateway(gateway_eui);
  g.timeline.release(id);
  g.duty_cycle.release(id);
}

GatewayDownlinkCounters& DownlinkScheduler::counters(lorawan::Eui64 gateway_eui) {
  return gateway(gateway_eui).counters;
}

std::vector<DownlinkScheduler::GatewayFigures> DownlinkScheduler::figures(Time now) {
  std::vector<GatewayFigures> out;
  out.reserve(gateways_.size());
  for (auto& [eui, g] : gateways_) {
    GatewayFigures f;
    f.gateway_eui = eui;
    f.counters = g.counters;
    const auto used = g.duty_cycle.used(now);
    for (std::size_t i = 0; i < sub_bands_.size(); ++i) f.airtime_last_hour.emplace_back(sub_bands_[i].name, used[i]);
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.gateway_eui < b.gateway_eui; });
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> figure_list(const DownlinkScheduler::GatewayFigures& f) {
  const auto n = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  std::vector<std::pair<std::string, std::int64_t>> out = {{"planned", n(f.counters.planned)},
                                                           {"sent", n(f.counters.sent)},
                                                           {"acknowledged", n(f.counters.acknowledged)},
                                                           {"deferred", n(f.counters.deferred)}};
  for (const auto& [reason, count] : f.counters.refused) out.emplace_back("refused." + reason, n(count));
  for (const auto& [band, airtime] : f.airtime_last_hour)
    out.emplace_back(std::string(kAirtimeFigurePrefix) + std::string(band), static_cast<std::int64_t>(airtime.count()));
  return out;
}

}  // namespace uchet::netserver::scheduling
