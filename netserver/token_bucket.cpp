#include "netserver/token_bucket.h"

#include <algorithm>

namespace uchet::netserver {

bool TokenBucket::take(Time now) {
  if (started_ && now > last_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_per_s_);
  }
  // A clock that went backwards (it cannot with steady_clock, but callers pass times in) refills nothing.
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace uchet::netserver
