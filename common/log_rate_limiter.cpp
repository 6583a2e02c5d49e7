#include "common/log_rate_limiter.h"

#include <iterator>

namespace uchet::common {

LogRateLimiter::LogRateLimiter(Clock::duration interval, std::size_t max_keys)
    : interval_(interval), max_keys_(max_keys) {}

std::optional<std::uint64_t> LogRateLimiter::admit(const std::string& key, Clock::time_point now) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    Entry& entry = it->second;
    if (now - entry.logged_at < interval_) {
      ++entry.suppressed;
      return std::nullopt;
    }
    const auto suppressed = entry.suppressed;
    entry = Entry{now, 0};
    return suppressed;
  }
  if (entries_.size() >= max_keys_ && (!last_sweep_ || now - *last_sweep_ >= interval_)) {
    last_sweep_ = now;
    std::erase_if(entries_, [&](const auto& item) { return now - item.second.logged_at >= interval_; });
  }
  if (entries_.size() >= max_keys_) return std::nullopt;
  entries_.emplace(key, Entry{now, 0});
  return 0;
}

}  // namespace uchet::common
