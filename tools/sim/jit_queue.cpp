#include "tools/sim/jit_queue.h"

#include <algorithm>
#include <chrono>

#include "netserver/lorawan/airtime.h"

namespace uchet::sim {
namespace {

// a - b on the wrapping counter, for moments within half a wrap (35 minutes) of each other.
std::int32_t signed_gap(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b); }

std::uint8_t coding_rate_index(std::optional<gateway_bridge::CodingRate> rate) {
  // CR in 4/(4+CR): the enum's value is the denominator.
  return static_cast<std::uint8_t>(static_cast<int>(rate.value_or(gateway_bridge::CodingRate::k4_5)) - 4);
}

}  // namespace

std::string_view tx_ack_error(JitVerdict verdict) {
  switch (verdict) {
    case JitVerdict::Scheduled:
      return "NONE";
    case JitVerdict::TooLate:
      return "TOO_LATE";
    case JitVerdict::TooEarly:
      return "TOO_EARLY";
    case JitVerdict::CollisionPacket:
    case JitVerdict::QueueFull:  // lora_pkt_fwd reports a full JIT queue this way
      return "COLLISION_PACKET";
  }
  return "NONE";
}

std::string_view emission_outcome_name(EmissionOutcome outcome) {
  switch (outcome) {
    case EmissionOutcome::OnAir:
      return "on air";
    case EmissionOutcome::DroppedBusy:
      return "dropped: radio emitting";
    case EmissionOutcome::Overwritten:
      return "overwritten in the radio";
  }
  return "?";
}

std::uint32_t downlink_airtime_us(const gateway_bridge::Transmission& txpk) {
  std::chrono::microseconds airtime{};
  if (const auto* lora = std::get_if<gateway_bridge::LoraRate>(&txpk.data_rate)) {
    lorawan::LoRaTxParams params;
    params.spreading_factor = lora->spreading_factor;
    params.bandwidth_khz = lora->bandwidth_khz;
    params.coding_rate = coding_rate_index(txpk.coding_rate);
    params.preamble_symbols = txpk.preamble_symbols.value_or(8);
    params.crc = !txpk.disable_crc;
    airtime = lorawan::lora_time_on_air(params, txpk.phy_payload.size());
  } else {
    const auto& fsk = std::get<gateway_bridge::FskRate>(txpk.data_rate);
    airtime = lorawan::time_on_air(lorawan::DataRate::fsk(fsk.bitrate_bps), txpk.phy_payload.size(), false);
  }
  return static_cast<std::uint32_t>(airtime.count());
}

bool JitQueue::collides(std::uint32_t due_a, std::uint32_t airtime_a, const Packet& b) const {
  // As jit_collision_test: each packet reserves its pre-delay before and its airtime after its
  // due moment, plus the margin between; unsigned differences, so a packet after the other
  // only tests the other's tail.
  const std::uint32_t pre = timing_.start_delay_us + timing_.pre_delay_us;
  return due_a - b.due_us <= pre + post_delay(b.airtime_us) + timing_.margin_us ||
         b.due_us - due_a <= pre + post_delay(airtime_a) + timing_.margin_us;
}

std::uint32_t JitQueue::first_free_moment(std::uint32_t now, std::uint32_t airtime_us) const {
  // As lora_pkt_fwd places an immediate downlink: twice the pre-delay from now if free, else
  // right after the first queued packet leaving room before the next (or after the last).
  std::uint32_t asap = now + 2 * timing_.pre_delay_us;
  if (std::none_of(queue_.begin(), queue_.end(), [&](const Packet& p) { return collides(asap, airtime_us, p); }))
    return asap;
  auto sorted = queue_;
  std::sort(sorted.begin(), sorted.end(),
            [&](const Packet& a, const Packet& b) { return a.due_us - now < b.due_us - now; });
  const std::uint32_t pre = timing_.start_delay_us + timing_.pre_delay_us;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    // The forwarder adds its JIT delay twice here (once inside the pre-delay); so do we.
    asap = sorted[i].due_us + post_delay(sorted[i].airtime_us) + pre + timing_.pre_delay_us + timing_.margin_us;
    if (i + 1 == sorted.size() || !collides(asap, airtime_us, sorted[i + 1])) break;
  }
  return asap;
}

JitQueue::Judged JitQueue::enqueue(std::uint32_t now, std::uint64_t id, std::optional<std::uint32_t> due_us,
                                   std::uint32_t airtime_us) {
  advance(now);
  Judged judged;
  if (queue_.size() >= timing_.capacity) {
    judged.verdict = JitVerdict::QueueFull;
    return judged;
  }
  judged.due_us = due_us ? *due_us : first_free_moment(now, airtime_us);
  if (judged.due_us - now <= timing_.too_late_within_us()) {
    judged.verdict = JitVerdict::TooLate;
  } else if (due_us && judged.due_us - now > timing_.horizon_us) {
    judged.verdict = JitVerdict::TooEarly;
  } else if (std::any_of(queue_.begin(), queue_.end(),
                         [&](const Packet& p) { return collides(judged.due_us, airtime_us, p); })) {
    judged.verdict = JitVerdict::CollisionPacket;  // only packets still queued are looked at
  } else {
    queue_.push_back({id, judged.due_us, airtime_us});
  }
  return judged;
}

void JitQueue::hand_over(const Packet& packet) {
  const std::uint32_t at = packet.due_us - timing_.pre_delay_us;
  if (on_air_ && signed_gap(at, on_air_->due_us) >= 0 && signed_gap(at, on_air_->due_us + on_air_->airtime_us) < 0) {
    emissions_.push_back({packet.id, packet.due_us, packet.airtime_us, EmissionOutcome::DroppedBusy});
    return;
  }
  if (radio_) emissions_.push_back({radio_->id, radio_->due_us, radio_->airtime_us, EmissionOutcome::Overwritten});
  radio_ = packet;
}

void JitQueue::settle_radio() {
  emissions_.push_back({radio_->id, radio_->due_us, radio_->airtime_us, EmissionOutcome::OnAir});
  on_air_ = radio_;
  radio_.reset();
}

void JitQueue::advance(std::uint32_t now) {
  if (!started_) {
    started_ = true;
    last_now_ = now;
  }
  // Every event lies after last_now_ (accepted packets are due more than the pre-delay ahead),
  // so offsets from it order them across a counter wrap.
  const std::uint32_t horizon = now - last_now_;
  for (;;) {
    std::optional<std::size_t> next_hand_over;
    for (std::size_t i = 0; i < queue_.size(); ++i) {
      const std::uint32_t offset = queue_[i].due_us - timing_.pre_delay_us - last_now_;
      if (offset <= horizon &&
          (!next_hand_over || offset < queue_[*next_hand_over].due_us - timing_.pre_delay_us - last_now_))
        next_hand_over = i;
    }
    const bool radio_starts = radio_ && radio_->due_us - last_now_ <= horizon;
    if (!next_hand_over && !radio_starts) break;
    if (radio_starts && (!next_hand_over || radio_->due_us - last_now_ <=
                                                queue_[*next_hand_over].due_us - timing_.pre_delay_us - last_now_)) {
      settle_radio();
      continue;
    }
    const Packet packet = queue_[*next_hand_over];
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(*next_hand_over));
    hand_over(packet);
  }
  last_now_ = now;
}

std::optional<std::uint32_t> JitQueue::next_event() const {
  std::optional<std::uint32_t> next;
  auto consider = [&](std::uint32_t at) {
    if (!next || at - last_now_ < *next - last_now_) next = at;
  };
  for (const auto& p : queue_) consider(p.due_us - timing_.pre_delay_us);
  if (radio_) consider(radio_->due_us);
  return next;
}

}  // namespace uchet::sim
