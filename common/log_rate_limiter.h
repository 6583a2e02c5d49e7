#pragma once
// Decides whether a log line may be written now: at most one per key per interval, where a key
// names a gateway and a reason ("malformed/aa555a0000000000"). A misbehaving or hostile sender
// can emit thousands of bad datagrams a second; the log must stay readable and the disk safe.
// Pure: the caller passes the time, so tests drive it with a fake clock.
//
// Memory is bounded: at most `max_keys` keys are remembered. When full, keys whose interval has
// passed are swept (at most once per interval); if none can go, new keys are suppressed too.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace uchet::common {

class LogRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogRateLimiter(Clock::duration interval = std::chrono::minutes(1), std::size_t max_keys = 10'000);

  // When `key` may be logged at `now`: how many of its messages were suppressed since it was
  // last logged (to append "N similar suppressed"). Otherwise std::nullopt, and it is counted.
  std::optional<std::uint64_t> admit(const std::string& key, Clock::time_point now);

  std::size_t tracked_keys() const { return entries_.size(); }

 private:
  struct Entry {
    Clock::time_point logged_at;
    std::uint64_t suppressed = 0;
  };
  Clock::duration interval_;
  std::size_t max_keys_;
  std::unordered_map<std::string, Entry> entries_;
  std::optional<Clock::time_point> last_sweep_;
};

}  // namespace uchet::common
