#include "gateway-bridge/reception_handover.h"

#include <utility>

#include <boost/asio/post.hpp>

#include "common/callback_guard.h"

namespace uchet::gateway_bridge {

ReceptionHandover::ReceptionHandover(boost::asio::io_context& owner, std::size_t limit,
                                     std::function<void(Reception&&)> deliver)
    : owner_(owner), limit_(limit), deliver_(std::move(deliver)) {}

bool ReceptionHandover::enqueue(Reception&& rx) {
  {
    std::lock_guard lock(mutex_);
    if (queued_.size() >= limit_) {
      ++dropped_;
      return false;
    }
    queued_.push_back(std::move(rx));
    if (queued_.size() >= limit_) full_ = true;
    if (drain_posted_) return true;
    drain_posted_ = true;
  }
  boost::asio::post(owner_, [self = shared_from_this()] { self->drain(); });
  return true;
}

void ReceptionHandover::drain() {
  std::vector<Reception> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(queued_);
    drain_posted_ = false;
    full_ = false;
  }
  for (auto& rx : batch) {
    common::run_guarded("gateway bridge: on_reception", [&] {
      if (deliver_) deliver_(std::move(rx));
    });
  }
}

}  // namespace uchet::gateway_bridge
