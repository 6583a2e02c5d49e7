#include "netserver/deduplicator.h"

namespace uchet::netserver {

// Closed frames past the horizon are forgotten first, so the late-copy memory stays small.
void Deduplicator::forget(SteadyTime now) {
  while (!closed_order_.empty() && closed_order_.front()->second.forget_at <= now) {
    frames_.erase(frames_.find(std::string_view(closed_order_.front()->first)));
    closed_order_.pop_front();
  }
}

Deduplicator::Outcome Deduplicator::add(gateway_bridge::Reception&& rx, SteadyTime now) {
  forget(now);
  const std::string_view key(reinterpret_cast<const char*>(rx.phy_payload.data()), rx.phy_payload.size());
  if (auto it = frames_.find(key); it != frames_.end()) {
    if (!it->second.open) return Outcome::LateCopy;
    rx.phy_payload.clear();
    it->second.open->receptions.push_back(std::move(rx));
    return Outcome::CopyAdded;
  }
  auto& entry = *frames_.try_emplace(std::string(key)).first;
  ReceivedFrame& frame = entry.second.open.emplace();
  frame.phy_payload = std::move(rx.phy_payload);
  rx.phy_payload.clear();
  frame.receptions.push_back(std::move(rx));
  frame.first_seen = now;
  open_order_.push_back(&entry);
  return Outcome::NewFrame;
}

std::vector<ReceivedFrame> Deduplicator::close_due(SteadyTime now) {
  std::vector<ReceivedFrame> out;
  while (!open_order_.empty()) {
    Slot& slot = open_order_.front()->second;
    if (slot.open->first_seen + window_ > now) break;
    slot.forget_at = slot.open->first_seen + late_horizon_;
    out.push_back(std::move(*slot.open));
    slot.open.reset();
    closed_order_.push_back(open_order_.front());
    open_order_.pop_front();
  }
  return out;
}

ReceivedFrame* Deduplicator::open_frame(lorawan::ByteView phy_payload) {
  const std::string_view key(reinterpret_cast<const char*>(phy_payload.data()), phy_payload.size());
  auto it = frames_.find(key);
  return it == frames_.end() || !it->second.open ? nullptr : &*it->second.open;
}

std::optional<SteadyTime> Deduplicator::next_deadline() const {
  if (open_order_.empty()) return std::nullopt;
  return open_order_.front()->second.open->first_seen + window_;
}

}  // namespace uchet::netserver
