#pragma once
// Several gateway backends behind one GatewayBackend (gateway-bridge/backend.h), so the network
// server keeps talking to one contract whatever mix of protocols its gateways speak (Semtech UDP
// and Basics Station side by side).
//
// Upward, every member's receptions, stats and outcomes reach the same callbacks unchanged.
// Downward, send() goes to the member the gateway was last heard through (a reception or its
// stats); when that member cannot reach it now, or the gateway was never heard, each member is
// offered the transmission in turn and the first that accepts it wins. A gateway speaks through
// one member at a time, so the TransmissionIds of one gateway stay unique (each member numbers
// its own).
//
// Threads: as GatewayBackend says. The members are not owned and must outlive the set; start()
// and stop() go to every member in order (a member that fails to start stops those started).
#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "gateway-bridge/backend.h"

namespace uchet::gateway_bridge {

class BackendSet final : public GatewayBackend {
 public:
  explicit BackendSet(std::vector<GatewayBackend*> members);
  BackendSet(const BackendSet&) = delete;
  BackendSet& operator=(const BackendSet&) = delete;

  lorawan::Result<void> start(boost::asio::io_context& owner, BackendCallbacks callbacks) override;
  void stop() override;
  lorawan::Result<TransmissionId> send(lorawan::Eui64 gateway_eui, const Transmission& transmission) override;
  BackendCounters counters() const override;  // the members' counters added up
  std::vector<std::pair<lorawan::Eui64, std::string>> downlink_paths() const override;  // every member's

 private:
  void heard_through(lorawan::Eui64 gateway_eui, std::size_t member);
  std::vector<GatewayBackend*> members_;
  std::size_t started_ = 0;
  mutable std::mutex mutex_;  // guards heard_through_
  std::unordered_map<lorawan::Eui64, std::size_t> heard_through_;
};

}  // namespace uchet::gateway_bridge
