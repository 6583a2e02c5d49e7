#pragma once
// How a backend hands receptions from its own thread to its owner's io_context: a bounded queue
// drained in batches (one post per batch, so the hand-over costs a vector move per reception).
// When the owner falls `limit` receptions behind, further ones are refused and counted (the
// backend decides what else to shed); the owner's on_reception runs guarded, one at a time.
// Shared by the Semtech UDP and the Basics Station backends.
//
// Threads: enqueue() and full() from the backend's thread(s); drain() on the owner's thread
// (posted by enqueue) and from the backend's stop(); counters from any thread.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "gateway-bridge/backend.h"

namespace uchet::gateway_bridge {

class ReceptionHandover : public std::enable_shared_from_this<ReceptionHandover> {
 public:
  ReceptionHandover(boost::asio::io_context& owner, std::size_t limit, std::function<void(Reception&&)> deliver);

  // Queues `rx` for the owner; false (and counted in dropped()) when the queue is full.
  bool enqueue(Reception&& rx);
  // The queue holds `limit` receptions (read without the lock: a hint for shedding earlier).
  bool full() const { return full_; }
  // Hands over everything queued so far.
  void drain();

  std::uint64_t dropped() const { return dropped_; }
  std::size_t limit() const { return limit_; }

 private:
  boost::asio::io_context& owner_;
  const std::size_t limit_;
  const std::function<void(Reception&&)> deliver_;
  std::mutex mutex_;
  std::vector<Reception> queued_;
  bool drain_posted_ = false;
  std::atomic<bool> full_{false};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace uchet::gateway_bridge
