#include "common/callback_guard.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include <spdlog/spdlog.h>

namespace uchet::common {
namespace {

std::atomic<std::uint64_t> failures{0};

struct SiteLog {
  std::chrono::steady_clock::time_point logged_at;
  std::uint64_t suppressed = 0;
};

}  // namespace

void report_callback_failure(const char* what, const char* why) noexcept {
  ++failures;
  try {
    // Call sites are a fixed set of literals, so the map stays small.
    static std::mutex mutex;
    static std::unordered_map<std::string, SiteLog> sites;
    const auto now = std::chrono::steady_clock::now();
    std::uint64_t suppressed = 0;
    {
      std::lock_guard lock(mutex);
      auto [it, first] = sites.try_emplace(what);
      if (!first && now - it->second.logged_at < std::chrono::minutes(1)) {
        ++it->second.suppressed;
        return;
      }
      suppressed = it->second.suppressed;
      it->second = SiteLog{now, 0};
    }
    if (suppressed > 0) {
      spdlog::error("{} failed: {} (and {} more failures there in the last minute)", what, why, suppressed);
    } else {
      spdlog::error("{} failed: {}", what, why);
    }
  } catch (...) {
    // Out of memory while logging: the failure is still counted.
  }
}

std::uint64_t callback_failures() noexcept { return failures.load(); }

}  // namespace uchet::common
