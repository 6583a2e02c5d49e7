#pragma once
// Contract: a histogram of durations with fixed bucket bounds (seconds), as Prometheus wants
// them: observe() from one thread, snapshot() from any other (relaxed atomics: a scrape may see
// a count one observation ahead of the sum, which Prometheus tolerates). No locks, no
// allocation after construction, so the radio path can record into it between two frames.
// The network server records commit and end-to-end latency, the Checkpointer its checkpoints;
// uchetd's operator view renders the snapshots.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace uchet::common {

class LatencyHistogram {
 public:
  // Upper bounds (inclusive) of the buckets, seconds: 0.1 ms to 10 s, covering a WAL commit
  // (0.1-1 ms) as well as a frame waiting out a 2 s deduplication window behind a stalled disk.
  static constexpr std::array<double, 16> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

  void observe(std::chrono::nanoseconds d) {
    const double s = std::chrono::duration<double>(d).count();
    std::size_t i = 0;
    while (i < kBounds.size() && s > kBounds[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count() > 0 ? d.count() : 0), std::memory_order_relaxed);
  }

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (= count)
    double sum_s = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const {
    Snapshot s;
    std::uint64_t running = 0;
    for (const auto& c : counts_) {
      running += c.load(std::memory_order_relaxed);
      s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum_s = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return s;
  }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts_{};  // the last: above every bound
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace uchet::common
