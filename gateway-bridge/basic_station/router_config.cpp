#include "gateway-bridge/basic_station/router_config.h"

namespace uchet::gateway_bridge::basic_station {

lorawan::Result<std::string_view> station_region_name(const lorawan::Region&) {
  return std::unexpected("not implemented");
}
lorawan::Result<Sx1301Plan> plan_sx1301(std::span<const std::uint32_t>) { return std::unexpected("not implemented"); }
lorawan::Result<std::string> build_router_config(const lorawan::Region&, const RouterConfigOptions&) {
  return std::unexpected("not implemented");
}

}  // namespace uchet::gateway_bridge::basic_station
