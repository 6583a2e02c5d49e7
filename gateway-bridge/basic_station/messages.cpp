#include "gateway-bridge/basic_station/messages.h"

namespace uchet::gateway_bridge::basic_station {

lorawan::Result<lorawan::Eui64> parse_discovery_request(std::string_view, std::size_t) {
  return std::unexpected("not implemented");
}
std::string traffic_uri(bool, std::string_view, std::uint16_t, lorawan::Eui64) { return {}; }
std::string build_discovery_answer(lorawan::Eui64, lorawan::Eui64, std::string_view) { return {}; }
std::string build_discovery_error(lorawan::Eui64, std::string_view) { return {}; }
lorawan::Result<StationMessage> parse_station_message(std::string_view, const lorawan::Region&, lorawan::Eui64,
                                                      std::chrono::steady_clock::time_point, std::size_t) {
  return std::unexpected("not implemented");
}
lorawan::Result<std::string> build_dnmsg(const Transmission&, const lorawan::Region&, const DownlinkAddressing&,
                                         UtcTime) {
  return std::unexpected("not implemented");
}
std::string build_timesync_answer(const TimesyncRequest&, UtcTime) { return {}; }

}  // namespace uchet::gateway_bridge::basic_station
