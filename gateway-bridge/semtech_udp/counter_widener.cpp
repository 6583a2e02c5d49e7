#include "gateway-bridge/semtech_udp/counter_widener.h"

namespace uchet::gateway_bridge::semtech_udp {

std::uint64_t CounterWidener::widen(lorawan::Eui64 gateway_eui, std::uint32_t tmst, Clock::time_point received_at) {
  auto [it, first] = last_.try_emplace(gateway_eui, Last{tmst, received_at});
  if (first) return tmst;
  Last& last = it->second;
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(received_at - last.at).count();
  const std::uint64_t predicted = last.counter_us + static_cast<std::uint64_t>(elapsed > 0 ? elapsed : 0);
  // The distance from the prediction to the reported value, modulo 2^32, as -2^31..2^31-1.
  const auto delta = static_cast<std::int32_t>(tmst - static_cast<std::uint32_t>(predicted));
  auto widened = static_cast<std::int64_t>(predicted) + delta;
  if (widened < 0) widened += std::int64_t{1} << 32;  // before the first wrap: the next one up
  last = Last{static_cast<std::uint64_t>(widened), received_at};
  return last.counter_us;
}

}  // namespace uchet::gateway_bridge::semtech_udp
