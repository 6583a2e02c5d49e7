#include "netserver/mac_state.h"

#include <nlohmann/json.hpp>

#include "netserver/adr.h"

namespace uchet::netserver {

void MacState::record_uplink(double snr_db, std::uint32_t fcnt) {
  snr_history.push_back(snr_db);
  fcnt_history.push_back(fcnt);
  if (snr_history.size() > kAdrHistorySize) snr_history.erase(snr_history.begin(), snr_history.end() - kAdrHistorySize);
  if (fcnt_history.size() > kAdrHistorySize) {
    fcnt_history.erase(fcnt_history.begin(), fcnt_history.end() - kAdrHistorySize);
  }
}

double MacState::loss_ratio() const {
  if (fcnt_history.size() < 2 || fcnt_history.back() <= fcnt_history.front()) return 0;
  const double expected = static_cast<double>(fcnt_history.back() - fcnt_history.front() + 1);
  return std::max(0.0, 1.0 - static_cast<double>(fcnt_history.size()) / expected);
}

MacState parse_mac_state(const std::string& text) {
  MacState state;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return state;
  if (j.contains("snr") && j["snr"].is_array()) {
    for (const auto& v : j["snr"]) {
      if (v.is_number()) state.snr_history.push_back(v.get<double>());
    }
  }
  if (j.contains("fcnt") && j["fcnt"].is_array()) {
    for (const auto& v : j["fcnt"]) {
      if (v.is_number_unsigned()) state.fcnt_history.push_back(v.get<std::uint32_t>());
    }
  }
  if (j.contains("linkAdr") && j["linkAdr"].is_object()) {
    const auto& p = j["linkAdr"];
    state.pending_link_adr = PendingLinkAdr{p.value("dr", 0), p.value("txPower", 0), p.value("nbTrans", 1)};
  }
  state.last_dev_status_request = j.value("devStatusAt", std::int64_t{0});
  if (j.contains("rxTiming") && j["rxTiming"].is_number_integer()) state.pending_rx_timing = j["rxTiming"].get<int>();
  if (j.contains("rxParam") && j["rxParam"].is_object()) state.pending_rx_param = PendingRxParam{j["rxParam"].value("rx1DrOffset", 0)};
  state.rx_setup_requested_at = j.value("rxSetupAt", std::int64_t{0});
  if (j.contains("newChannel") && j["newChannel"].is_object()) {
    state.pending_new_channel = PendingNewChannel{j["newChannel"].value("slot", 0), j["newChannel"].value("hz", std::uint32_t{0})};
  }
  state.new_channel_requested_at = j.value("newChannelAt", std::int64_t{0});
  if (j.contains("channels") && j["channels"].is_array()) {
    for (const auto& v : j["channels"]) {
      if (v.is_number_unsigned()) state.extra_channels.push_back(v.get<std::uint32_t>());
    }
  }
  return state;
}

std::string to_json(const MacState& state) {
  nlohmann::json j = {{"snr", state.snr_history}, {"fcnt", state.fcnt_history}, {"devStatusAt", state.last_dev_status_request}};
  if (state.pending_link_adr) {
    j["linkAdr"] = {{"dr", state.pending_link_adr->data_rate},
                    {"txPower", state.pending_link_adr->tx_power_index},
                    {"nbTrans", state.pending_link_adr->nb_trans}};
  }
  if (!state.extra_channels.empty()) j["channels"] = state.extra_channels;
  if (state.pending_rx_timing) j["rxTiming"] = *state.pending_rx_timing;
  if (state.pending_rx_param) j["rxParam"] = {{"rx1DrOffset", state.pending_rx_param->rx1_dr_offset}};
  if (state.rx_setup_requested_at) j["rxSetupAt"] = state.rx_setup_requested_at;
  if (state.pending_new_channel) {
    j["newChannel"] = {{"slot", state.pending_new_channel->slot}, {"hz", state.pending_new_channel->frequency_hz}};
  }
  if (state.new_channel_requested_at) j["newChannelAt"] = state.new_channel_requested_at;
  return j.dump();
}

}  // namespace uchet::netserver
