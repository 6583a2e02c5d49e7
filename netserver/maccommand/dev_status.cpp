#include "netserver/maccommand/dev_status.h"

#include <cmath>

namespace uchet::netserver::maccommand {

StatusEvent dev_status_event(const lorawan::DevStatusAns& answer, const schema::Device* device, SystemTime time) {
  StatusEvent e;
  e.time = time;
  e.device = device;
  e.margin = answer.margin;
  e.external_power_source = answer.battery == lorawan::DevStatusAns::kExternalPower;
  if (answer.battery != lorawan::DevStatusAns::kExternalPower &&
      answer.battery != lorawan::DevStatusAns::kBatteryUnknown) {
    e.battery_level_percent = std::round(answer.battery * 10000.0 / 254.0) / 100.0;
  }
  return e;
}

std::optional<lorawan::DevStatusReq> dev_status_request(std::chrono::seconds interval, TokenBucket& budget,
                                                        MacState& mac, std::int64_t now_unix, std::uint64_t& deferred) {
  if (interval.count() <= 0 || now_unix - mac.last_dev_status_request < interval.count()) return std::nullopt;
  if (!budget.take(std::chrono::steady_clock::now())) {
    ++deferred;
    return std::nullopt;
  }
  mac.last_dev_status_request = now_unix;
  return lorawan::DevStatusReq{};
}

}  // namespace uchet::netserver::maccommand
