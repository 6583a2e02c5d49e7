#include "gateway-bridge/basic_station/eui_text.h"

namespace uchet::gateway_bridge::basic_station {

lorawan::Result<lorawan::Eui64> parse_eui_text(std::string_view) { return std::unexpected("not implemented"); }
std::string format_eui_dashed(lorawan::Eui64) { return {}; }
std::string format_eui_id6(lorawan::Eui64) { return {}; }

}  // namespace uchet::gateway_bridge::basic_station
