#include "netserver/maccommand/link_adr.h"

#include "netserver/adr.h"
#include "netserver/lorawan/channel_plan.h"
#include "netserver/lorawan/data_rate.h"

namespace uchet::netserver::maccommand {

void on_link_adr_ans(const lorawan::LinkADRAns& answer, MacState& mac, schema::DeviceSession& session) {
  if (!mac.pending_link_adr) return;
  if (answer.power_ack && answer.data_rate_ack && answer.channel_mask_ack) {
    session.tx_power_index = mac.pending_link_adr->tx_power_index;
    session.nb_trans = mac.pending_link_adr->nb_trans;
  }
  mac.pending_link_adr.reset();
}

std::optional<lorawan::LinkADRReq> link_adr_request(const lorawan::Region& region, double installation_margin_db,
                                                    const gateway_bridge::DataRate& uplink_rate, std::uint8_t uplink_dr,
                                                    const schema::DeviceSession& session, MacState& mac) {
  if (mac.pending_link_adr || mac.snr_history.size() < kAdrHistorySize) return std::nullopt;
  AdrInput in;
  in.recent_snr_db.assign(mac.snr_history.begin(), mac.snr_history.end());
  if (const auto* lora = std::get_if<gateway_bridge::LoraRate>(&uplink_rate)) {
    in.required_snr_db = lorawan::required_snr_db(lora->spreading_factor).value_or(-20);
  }
  in.installation_margin_db = installation_margin_db;
  in.data_rate = uplink_dr;
  in.max_data_rate = region.max_adr_data_rate();
  in.tx_power_index = session.tx_power_index;
  in.nb_trans = session.nb_trans;
  in.loss_ratio = mac.loss_ratio();
  auto decision = decide_adr(in);
  if (!decision.changes(in)) return std::nullopt;
  mac.pending_link_adr = PendingLinkAdr{decision.data_rate, decision.tx_power_index, decision.nb_trans};
  return lorawan::LinkADRReq{
      static_cast<std::uint8_t>(decision.data_rate), static_cast<std::uint8_t>(decision.tx_power_index),
      lorawan::channel_mask(region, mac.extra_channels), 0, static_cast<std::uint8_t>(decision.nb_trans)};
}

}  // namespace uchet::netserver::maccommand
