#include "netserver/deduplicator.h"

namespace uchet::netserver {

Deduplicator::Outcome Deduplicator::add(bridge::UplinkRx&& rx, SteadyTime now) {
  // Forget closed frames past the horizon first, so the late-copy set stays small.
  while (!closed_order_.empty() && closed_order_.front().forget_at <= now) {
    auto it = recently_closed_.find(closed_order_.front().key);
    if (it != recently_closed_.end() && it->second == closed_order_.front().forget_at) recently_closed_.erase(it);
    closed_order_.pop_front();
  }
  std::string key(rx.phy_payload.begin(), rx.phy_payload.end());
  if (auto it = open_.find(key); it != open_.end()) {
    rx.phy_payload.clear();
    it->second.receptions.push_back(std::move(rx));
    return Outcome::CopyAdded;
  }
  if (recently_closed_.count(key)) return Outcome::LateCopy;
  ReceivedFrame frame;
  frame.phy_payload = std::move(rx.phy_payload);
  rx.phy_payload.clear();
  frame.receptions.push_back(std::move(rx));
  frame.first_seen = now;
  open_order_.push_back(key);
  open_.emplace(std::move(key), std::move(frame));
  return Outcome::NewFrame;
}

std::vector<ReceivedFrame> Deduplicator::close_due(SteadyTime now) {
  std::vector<ReceivedFrame> out;
  while (!open_order_.empty()) {
    auto it = open_.find(open_order_.front());
    if (it == open_.end()) {
      open_order_.pop_front();
      continue;
    }
    if (it->second.first_seen + window_ > now) break;
    auto forget_at = it->second.first_seen + late_horizon_;
    recently_closed_[it->first] = forget_at;
    closed_order_.push_back({it->first, forget_at});
    out.push_back(std::move(it->second));
    open_.erase(it);
    open_order_.pop_front();
  }
  return out;
}

std::optional<SteadyTime> Deduplicator::next_deadline() const {
  if (open_order_.empty()) return std::nullopt;
  auto it = open_.find(open_order_.front());
  if (it == open_.end()) return std::nullopt;
  return it->second.first_seen + window_;
}

}  // namespace uchet::netserver
