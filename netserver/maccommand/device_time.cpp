#include "netserver/maccommand/device_time.h"

#include "netserver/lorawan/gps_time.h"

namespace uchet::netserver::maccommand {

std::pair<std::chrono::nanoseconds, bool> reception_gps_time(const ReceivedFrame& frame) {
  for (const auto& rx : frame.receptions) {
    if (rx.gps_time) return {std::chrono::duration_cast<std::chrono::nanoseconds>(*rx.gps_time), true};
  }
  for (const auto& rx : frame.receptions) {
    if (rx.utc_time) {
      return {lorawan::gps_time_from_utc(std::chrono::time_point_cast<std::chrono::nanoseconds>(*rx.utc_time)), true};
    }
  }
  auto age = std::chrono::steady_clock::now() - frame.first_seen;
  auto arrival = std::chrono::system_clock::now() - age;
  return {lorawan::gps_time_from_utc(std::chrono::time_point_cast<std::chrono::nanoseconds>(arrival)), false};
}

lorawan::DeviceTimeAns device_time_answer(std::chrono::nanoseconds gps_time) {
  return lorawan::DeviceTimeAns::from_gps_time(gps_time);
}

}  // namespace uchet::netserver::maccommand
