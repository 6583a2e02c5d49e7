#include "common/callback_guard.h"
#include "gateway-bridge/bridge_thread.h"

#include <pthread.h>

#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/log_rate_limiter.h"

namespace uchet::bridge {
namespace asio = boost::asio;

struct BridgeThread::Shared : std::enable_shared_from_this<BridgeThread::Shared> {
  Shared(asio::io_context& owner_io, std::size_t limit, BridgeCallbacks owner_callbacks)
      : owner(owner_io), max_queued(limit), callbacks(std::move(owner_callbacks)) {}

  asio::io_context& owner;
  asio::io_context io;  // the bridge thread's
  std::optional<UdpEndpoint> endpoint;
  std::thread thread;
  const std::size_t max_queued;
  const BridgeCallbacks callbacks;

  std::mutex mutex;
  std::vector<UplinkRx> queued;  // receptions not yet handed to the owner
  bool drain_posted = false;
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> shed{0};
  std::atomic<bool> full{false};  // queued.size() >= max_queued, read without the mutex
  common::LogRateLimiter limiter;  // bridge thread only

  // Bridge thread.
  void enqueue(UplinkRx&& rx) {
    {
      std::lock_guard lock(mutex);
      if (queued.size() < max_queued) {
        queued.push_back(std::move(rx));
        if (queued.size() >= max_queued) full = true;
        if (drain_posted) return;
        drain_posted = true;
      } else {
        ++dropped;
        note_overload();
        return;
      }
    }
    asio::post(owner, [self = shared_from_this()] { self->drain(); });
  }

  // Bridge thread: asked by the endpoint before it parses a PUSH_DATA.
  bool overloaded() {
    if (!full) return false;
    ++shed;
    note_overload();
    return true;
  }

  void note_overload() {
    if (auto suppressed = limiter.admit("overload", std::chrono::steady_clock::now())) {
      spdlog::warn("gateway bridge: the network server is {} receptions behind; PUSH_DATA acknowledged unread "
                   "({} datagrams and {} receptions dropped so far)",
                   max_queued, shed.load(), dropped.load());
    }
  }

  // Owner thread: hands over everything queued so far. A batch per post keeps the cost of the
  // hand-over per reception to a vector move.
  void drain() {
    std::vector<UplinkRx> batch;
    {
      std::lock_guard lock(mutex);
      batch.swap(queued);
      drain_posted = false;
      full = false;
    }
    for (auto& rx : batch) {
      common::run_guarded("gateway bridge: on_uplink", [&] { callbacks.on_uplink(std::move(rx)); });
    }
  }
};

lorawan::Result<std::unique_ptr<BridgeThread>> BridgeThread::start(asio::io_context& owner,
                                                                   BridgeThreadOptions options,
                                                                   UdpEndpoint::GatewayFilter is_known_gateway,
                                                                   BridgeCallbacks callbacks) {
  auto shared = std::make_shared<Shared>(owner, options.max_queued_uplinks, callbacks);
  std::weak_ptr<Shared> weak = shared;
  // Everything the endpoint reports goes to the owner's thread; receptions through the queue.
  BridgeCallbacks relay;
  relay.on_uplink = [weak](UplinkRx&& rx) {
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
    if (!s || !s->callbacks.on_tx_ack) return;
    asio::post(s->owner, [s, outcome] {
      common::run_guarded("gateway bridge: on_tx_ack", [&] { s->callbacks.on_tx_ack(outcome); });
    });
  };
  relay.overloaded = [weak] {
    auto s = weak.lock();
    return s && s->overloaded();
  };
  auto endpoint = UdpEndpoint::open(shared->io, options.endpoint, std::move(is_known_gateway), std::move(relay));
  if (!endpoint) return std::unexpected(endpoint.error());
  shared->endpoint.emplace(std::move(*endpoint));
  shared->thread = std::thread([s = shared.get()] {
    pthread_setname_np(pthread_self(), "gateway-bridge");  // as top -H and perf show it
    auto guard = asio::make_work_guard(s->io);
    s->io.run();
  });
  std::unique_ptr<BridgeThread> bridge(new BridgeThread());
  bridge->shared_ = std::move(shared);
  return bridge;
}

// Destroyed without stop() (an early exit): the owner may be gone, so nothing is delivered.
BridgeThread::~BridgeThread() { halt(); }

void BridgeThread::halt() {
  if (!shared_ || !shared_->thread.joinable()) return;
  asio::post(shared_->io, [s = shared_.get()] {
    s->endpoint->close();
    s->io.stop();
  });
  shared_->thread.join();
}

void BridgeThread::stop() {
  halt();
  if (shared_) shared_->drain();
}

lorawan::Result<std::uint16_t> BridgeThread::send_downlink(lorawan::Eui64 gateway_eui, const TxPacket& packet) {
  return shared_->endpoint->send_downlink(gateway_eui, packet);
}

asio::ip::udp::endpoint BridgeThread::local_endpoint() const { return shared_->endpoint->local_endpoint(); }

std::uint64_t BridgeThread::uplinks_dropped() const { return shared_->dropped.load(); }
std::uint64_t BridgeThread::datagrams_shed() const { return shared_->shed.load(); }

}  // namespace uchet::bridge
