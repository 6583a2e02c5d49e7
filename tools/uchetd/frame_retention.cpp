#include "tools/uchetd/frame_retention.h"

#include <spdlog/spdlog.h>

#include "schema/uplink_frames.h"

namespace uchet {

FrameRetention::FrameRetention(boost::asio::io_context& io, schema::Database& db, FrameRetentionOptions options)
    : timer_(io), db_(db), options_(options) {}

void FrameRetention::start() {
  timer_.expires_after(std::chrono::milliseconds(0));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) prune_once();
  });
}

void FrameRetention::stop() { timer_.cancel(); }

void FrameRetention::prune_once() {
  if (options_.leading && !options_.leading()) {
    timer_.expires_after(options_.idle);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) prune_once();
    });
    return;
  }
  const std::int64_t cutoff_ms = (schema::unix_now() - std::int64_t{options_.days} * 86400) * 1000;
  int deleted = 0;
  bool more = false;
  try {
    schema::Transaction tx(db_);
    const auto step = schema::prune_uplink_frames(db_, cutoff_ms, cursor_, options_.batch);
    tx.commit();
    deleted = step.deleted;
    more = !step.done;
    cursor_ = step.done ? 0 : step.next_after;
    pruned_.fetch_add(static_cast<std::uint64_t>(deleted), std::memory_order_relaxed);
    if (!last_error_.empty()) spdlog::info("frame retention: working again");
    last_error_.clear();
  } catch (const schema::StorageError& e) {
    std::string error = e.what();
    if (error != last_error_) spdlog::error("frame retention: deleting old frames failed (retried): {}", error);
    last_error_ = std::move(error);
    cursor_ = 0;
  }
  this_run_ += static_cast<std::uint64_t>(deleted);
  if (!more && this_run_ > 0) {
    spdlog::info("frame retention: {} archived frames older than {} days deleted", this_run_, options_.days);
    this_run_ = 0;
  }
  timer_.expires_after(more ? options_.between_batches : options_.idle);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) prune_once();
  });
}

}  // namespace uchet
