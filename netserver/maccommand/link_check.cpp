#include "netserver/maccommand/link_check.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "netserver/lorawan/data_rate.h"

namespace uchet::netserver::maccommand {

lorawan::LinkCheckAns link_check_answer(const std::vector<gateway_bridge::Reception>& receptions,
                                        const gateway_bridge::Reception& best) {
  std::set<lorawan::Eui64> gateways;
  for (const auto& rx : receptions) gateways.insert(rx.gateway_eui);
  double floor = -20;
  if (const auto* lora = std::get_if<gateway_bridge::LoraRate>(&best.data_rate)) {
    floor = lorawan::required_snr_db(lora->spreading_factor).value_or(-20);
  }
  double margin = std::max(0.0, std::floor(best.snr_db.value_or(floor) - floor));
  return lorawan::LinkCheckAns{static_cast<std::uint8_t>(std::min(254.0, margin)),
                               static_cast<std::uint8_t>(std::min<std::size_t>(255, gateways.size()))};
}

}  // namespace uchet::netserver::maccommand
