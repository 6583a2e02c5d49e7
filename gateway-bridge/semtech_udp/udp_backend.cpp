#include "gateway-bridge/semtech_udp/udp_backend.h"
#include "common/callback_guard.h"

#include <pthread.h>

#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "common/log_rate_limiter.h"
#include "gateway-bridge/reception_handover.h"

namespace uchet::gateway_bridge::semtech_udp {
namespace asio = boost::asio;

struct UdpBackend::Shared : std::enable_shared_from_this<UdpBackend::Shared> {
  Shared(asio::io_context& owner_io, std::size_t limit, BackendCallbacks owner_callbacks)
      : owner(owner_io),
        callbacks(std::move(owner_callbacks)),
        handover(std::make_shared<ReceptionHandover>(owner_io, limit, callbacks.on_reception)) {}

  asio::io_context& owner;
  asio::io_context io;  // the bridge thread's
  std::optional<UdpEndpoint> endpoint;
  std::thread thread;
  const BackendCallbacks callbacks;
  const std::shared_ptr<ReceptionHandover> handover;  // receptions not yet handed to the owner
  std::atomic<std::uint64_t> shed{0};
  common::LogRateLimiter limiter;  // bridge thread only

  // Bridge thread.
  void enqueue(Reception&& rx) {
    if (!handover->enqueue(std::move(rx))) note_overload();
  }

  // Bridge thread: asked by the endpoint before it parses a PUSH_DATA.
  bool overloaded() {
    if (!handover->full()) return false;
    ++shed;
    note_overload();
    return true;
  }

  void note_overload() {
    if (auto suppressed = limiter.admit("overload", std::chrono::steady_clock::now())) {
      spdlog::warn(
          "gateway bridge: the network server is {} receptions behind; PUSH_DATA acknowledged unread "
          "({} datagrams and {} receptions dropped so far)",
          handover->limit(), shed.load(), handover->dropped());
    }
  }
};

UdpBackend::UdpBackend(UdpBackendOptions options) : options_(std::move(options)) {}

lorawan::Result<void> UdpBackend::start(asio::io_context& owner, BackendCallbacks callbacks) {
  if (shared_) return std::unexpected("the Semtech UDP backend is already started");
  auto is_known_gateway = callbacks.is_known_gateway;
  auto shared = std::make_shared<Shared>(owner, options_.max_queued_uplinks, std::move(callbacks));
  std::weak_ptr<Shared> weak = shared;
  // Everything the endpoint reports goes to the owner's thread; receptions through the queue.
  EndpointCallbacks relay;
  relay.on_uplink = [weak](Reception&& rx) {
    if (auto s = weak.lock()) s->enqueue(std::move(rx));
  };
  relay.on_stats = [weak](lorawan::Eui64 gateway, const GatewayStats& stats) {
    auto s = weak.lock();
    if (!s || !s->callbacks.on_stats) return;
    asio::post(s->owner, [s, gateway, stats] {
      common::run_guarded("gateway bridge: on_stats", [&] { s->callbacks.on_stats(gateway, stats); });
    });
  };
  relay.on_tx_ack = [weak](const DownlinkOutcome& outcome) {
    auto s = weak.lock();
    if (!s || !s->callbacks.on_outcome) return;
    asio::post(s->owner, [s, outcome = to_outcome(outcome.ack)] {
      common::run_guarded("gateway bridge: on_outcome", [&] { s->callbacks.on_outcome(outcome); });
    });
  };
  relay.overloaded = [weak] {
    auto s = weak.lock();
    return s && s->overloaded();
  };
  auto endpoint = UdpEndpoint::open(shared->io, options_.endpoint, std::move(is_known_gateway), std::move(relay));
  if (!endpoint) return std::unexpected(endpoint.error());
  shared->endpoint.emplace(std::move(*endpoint));
  shared->thread = std::thread([s = shared.get()] {
    pthread_setname_np(pthread_self(), "gateway-bridge");  // as top -H and perf show it
    auto guard = asio::make_work_guard(s->io);
    s->io.run();
  });
  shared_ = std::move(shared);
  return {};
}

// Destroyed without stop() (an early exit): the owner may be gone, so nothing is delivered.
UdpBackend::~UdpBackend() { halt(); }

void UdpBackend::halt() {
  if (!shared_ || !shared_->thread.joinable()) return;
  asio::post(shared_->io, [s = shared_.get()] {
    s->endpoint->close();
    s->io.stop();
  });
  shared_->thread.join();
}

void UdpBackend::stop() {
  halt();
  if (shared_) shared_->handover->drain();
}

lorawan::Result<TransmissionId> UdpBackend::send(lorawan::Eui64 gateway_eui, const Transmission& transmission) {
  if (!shared_) return std::unexpected("gateway bridge not running");
  return shared_->endpoint->send_downlink(gateway_eui, transmission);
}

std::vector<std::pair<lorawan::Eui64, std::string>> UdpBackend::downlink_paths() const {
  std::vector<std::pair<lorawan::Eui64, std::string>> out;
  if (!shared_ || !shared_->endpoint) return out;
  for (const auto gateway : shared_->endpoint->gateways_with_downlink_path()) out.emplace_back(gateway, "semtech_udp");
  return out;
}

asio::ip::udp::endpoint UdpBackend::local_endpoint() const { return shared_->endpoint->local_endpoint(); }

BackendCounters UdpBackend::counters() const {
  if (!shared_) return {};
  return {.messages_shed = shared_->shed.load(), .receptions_dropped = shared_->handover->dropped()};
}

}  // namespace uchet::gateway_bridge::semtech_udp
