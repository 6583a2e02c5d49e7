#include "gateway-bridge/backend_set.h"

#include <optional>
#include <string>
#include <utility>

namespace uchet::gateway_bridge {

BackendSet::BackendSet(std::vector<GatewayBackend*> members) : members_(std::move(members)) {}

lorawan::Result<void> BackendSet::start(boost::asio::io_context& owner, BackendCallbacks callbacks) {
  if (started_ > 0) return std::unexpected(std::string("already started"));
  for (std::size_t i = 0; i < members_.size(); ++i) {
    BackendCallbacks member = callbacks;
    member.on_reception = [this, i, forward = callbacks.on_reception](Reception&& reception) {
      heard_through(reception.gateway_eui, i);
      if (forward) forward(std::move(reception));
    };
    member.on_stats = [this, i, forward = callbacks.on_stats](lorawan::Eui64 gateway, const GatewayStats& stats) {
      heard_through(gateway, i);
      if (forward) forward(gateway, stats);
    };
    if (auto started = members_[i]->start(owner, std::move(member)); !started) {
      stop();
      return started;
    }
    started_ = i + 1;
  }
  return {};
}

void BackendSet::stop() {
  for (std::size_t i = 0; i < started_; ++i) members_[i]->stop();
  started_ = 0;
}

void BackendSet::heard_through(lorawan::Eui64 gateway_eui, std::size_t member) {
  std::lock_guard lock(mutex_);
  heard_through_[gateway_eui] = member;
}

lorawan::Result<TransmissionId> BackendSet::send(lorawan::Eui64 gateway_eui, const Transmission& transmission) {
  std::size_t first = members_.size();
  {
    std::lock_guard lock(mutex_);
    if (auto it = heard_through_.find(gateway_eui); it != heard_through_.end()) first = it->second;
  }
  std::string reasons;
  const auto attempt = [&](std::size_t i) -> std::optional<lorawan::Result<TransmissionId>> {
    auto sent = members_[i]->send(gateway_eui, transmission);
    if (sent) return sent;
    if (!reasons.empty()) reasons += "; ";
    reasons += sent.error();
    return std::nullopt;
  };
  if (first < members_.size()) {
    if (auto sent = attempt(first)) return *sent;
  }
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (i == first) continue;
    if (auto sent = attempt(i)) return *sent;
  }
  if (members_.empty()) reasons = "no gateway backend";
  return std::unexpected(reasons);
}

std::vector<std::pair<lorawan::Eui64, std::string>> BackendSet::downlink_paths() const {
  std::vector<std::pair<lorawan::Eui64, std::string>> out;
  for (const auto* member : members_) {
    auto paths = member->downlink_paths();
    out.insert(out.end(), paths.begin(), paths.end());
  }
  return out;
}

BackendCounters BackendSet::counters() const {
  BackendCounters sum;
  for (const auto* member : members_) {
    const auto c = member->counters();
    sum.messages_shed += c.messages_shed;
    sum.receptions_dropped += c.receptions_dropped;
  }
  return sum;
}

}  // namespace uchet::gateway_bridge
