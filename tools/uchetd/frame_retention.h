#pragma once
// Contract: [storage] frame_retention_days in uchetd. Deletes archived uplink frames older than
// the retention (schema::prune_uplink_frames: each device's newest frame, readings, alarms,
// lifecycle and billing data stay) in steps over `batch` rows, each its own short transaction on
// uchetd's writer connection, run by a timer on the writer's io_context between two passes of
// the network server, as the outbox's deletions are (no two uchetd threads then wait for each
// other's write lock). While old frames remain the next step follows after `between_batches`, so
// a large backlog (the first start with a retention, after an outage) is worked off without
// holding the radio path for longer than one batch; then it looks again every `idle`. Storage
// failures are logged once per message and retried at the next look. io thread only.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "schema/database.h"

namespace uchet {

struct FrameRetentionOptions {
  int days = 90;  // > 0
  int batch = 500;
  std::chrono::milliseconds between_batches{50};
  std::chrono::milliseconds idle = std::chrono::minutes(10);
  // Several instances on one database: prune only while this says so (the "frame retention"
  // lease, schema/leader_lease.h); otherwise look again after `idle`. Empty: always.
  std::function<bool()> leading;
};

class FrameRetention {
 public:
  FrameRetention(boost::asio::io_context& io, schema::Database& db, FrameRetentionOptions options);
  // The first look runs as soon as the io_context does.
  void start();
  void stop();
  // Frames deleted since start, for /metrics (any thread).
  std::uint64_t pruned() const { return pruned_.load(std::memory_order_relaxed); }

 private:
  void prune_once();

  boost::asio::steady_timer timer_;
  schema::Database& db_;
  const FrameRetentionOptions options_;
  std::atomic<std::uint64_t> pruned_{0};
  std::uint64_t this_run_ = 0;  // frames deleted since the backlog was last empty
  std::int64_t cursor_ = 0;     // the last frame id looked at in this pass (0: from the start)
  std::string last_error_;
};

}  // namespace uchet
