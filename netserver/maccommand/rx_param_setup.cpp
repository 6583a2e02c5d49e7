#include "netserver/maccommand/rx_param_setup.h"

namespace uchet::netserver::maccommand {

void on_rx_param_setup_ans(const lorawan::RXParamSetupAns& answer, MacState& mac, schema::DeviceSession& session) {
  if (mac.pending_rx_param && answer.rx1_dr_offset_ack && answer.rx2_data_rate_ack && answer.channel_ack) {
    session.rx1_dr_offset = mac.pending_rx_param->rx1_dr_offset;
    session.rx2_dr.reset();
    session.rx2_frequency.reset();
  }
  mac.pending_rx_param.reset();
}

std::optional<lorawan::RXParamSetupReq> rx_param_setup_request(const schema::DeviceSession& session, int rx1_dr_offset,
                                                               const lorawan::Region& region, MacState& mac) {
  if (session.rx1_dr_offset == rx1_dr_offset && !session.rx2_dr && !session.rx2_frequency) return std::nullopt;
  const auto rx2 = region.rx2_default();
  mac.pending_rx_param = PendingRxParam{rx1_dr_offset};
  return lorawan::RXParamSetupReq{static_cast<std::uint8_t>(rx1_dr_offset), rx2.data_rate, rx2.frequency_hz};
}

}  // namespace uchet::netserver::maccommand
