#include "netserver/maccommand/rx_timing_setup.h"

namespace uchet::netserver::maccommand {

void on_rx_timing_setup_ans(MacState& mac, schema::DeviceSession& session) {
  if (mac.pending_rx_timing) session.rx1_delay = *mac.pending_rx_timing;
  mac.pending_rx_timing.reset();
}

std::optional<lorawan::RXTimingSetupReq> rx_timing_setup_request(const schema::DeviceSession& session, int rx1_delay_s,
                                                                 MacState& mac) {
  if (session.rx1_delay == rx1_delay_s) return std::nullopt;
  mac.pending_rx_timing = rx1_delay_s;
  return lorawan::RXTimingSetupReq{static_cast<std::uint8_t>(rx1_delay_s)};
}

}  // namespace uchet::netserver::maccommand
