#include "netserver/late_uplink.h"

#include <algorithm>

namespace uchet::netserver {

void record_skipped(std::vector<SkippedFCnt>& skipped, std::uint32_t expected, std::uint32_t f_cnt,
                    std::int64_t claimed_at_ms) {
  std::erase_if(skipped, [&](const SkippedFCnt& s) { return claimed_at_ms - s.skipped_at_ms > kSkippedFCntTtlMs; });
  if (f_cnt <= expected) return;
  // Only the newest counters matter: a gap wider than the list is a device whose frames were
  // lost on the air, not frames still on their way through another instance.
  const std::uint32_t first = f_cnt - expected > kMaxSkippedFCnts ? f_cnt - kMaxSkippedFCnts : expected;
  for (std::uint32_t c = first; c < f_cnt; ++c) skipped.push_back({c, claimed_at_ms});
  if (skipped.size() > kMaxSkippedFCnts) skipped.erase(skipped.begin(), skipped.end() - kMaxSkippedFCnts);
}

bool take_late(std::vector<SkippedFCnt>& skipped, std::uint32_t f_cnt, std::int64_t claimed_at_ms) {
  const auto it = std::ranges::find_if(
      skipped, [&](const SkippedFCnt& s) { return s.f_cnt == f_cnt && claimed_at_ms < s.skipped_at_ms; });
  if (it == skipped.end()) return false;
  skipped.erase(it);
  return true;
}

}  // namespace uchet::netserver
