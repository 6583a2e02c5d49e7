#include "netserver/mac_state.h"

#include <limits>
#include <type_traits>

#include "common/json_fields.h"
#include "common/json_writer.h"
#include "netserver/adr.h"
#include "netserver/lorawan/types.h"

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

MacRequestMarks MacRequestMarks::of(const MacState& mac) {
  return {mac.pending_link_adr,      mac.last_dev_status_request, mac.pending_rx_timing,       mac.pending_rx_param,
          mac.rx_setup_requested_at, mac.pending_new_channel,     mac.new_channel_requested_at};
}

void MacRequestMarks::restore(MacState& mac) const {
  mac.pending_link_adr = pending_link_adr;
  mac.last_dev_status_request = last_dev_status_request;
  mac.pending_rx_timing = pending_rx_timing;
  mac.pending_rx_param = pending_rx_param;
  mac.rx_setup_requested_at = rx_setup_requested_at;
  mac.pending_new_channel = pending_new_channel;
  mac.new_channel_requested_at = new_channel_requested_at;
}

namespace {

using common::json_fields::member;
using simdjson::dom::element;

// Reads of one member each; a member of the wrong type reads as absent (the state is ours, but
// an older or hand-edited one must not stop the device's uplinks).
template <class T>
std::optional<T> integer(element object, const char* key) {
  auto v = member(object, key);
  std::int64_t value = 0;
  if (!v || v->get_int64().get(value) != simdjson::SUCCESS) return std::nullopt;
  if (value < std::numeric_limits<T>::min() || value > std::numeric_limits<T>::max()) return std::nullopt;
  return static_cast<T>(value);
}

template <class T>
std::vector<T> numbers(element object, const char* key) {
  std::vector<T> out;
  auto v = member(object, key);
  simdjson::dom::array array;
  if (!v || v->get_array().get(array) != simdjson::SUCCESS) return out;
  for (element item : array) {
    if constexpr (std::is_floating_point_v<T>) {
      double value = 0;
      if (item.get_double().get(value) == simdjson::SUCCESS) out.push_back(value);
    } else {
      std::uint64_t value = 0;
      if (item.get_uint64().get(value) == simdjson::SUCCESS && value <= std::numeric_limits<T>::max()) {
        out.push_back(static_cast<T>(value));
      }
    }
  }
  return out;
}

}  // namespace

// simdjson (through the bridge's reader, one parser per thread) rather than nlohmann: this runs
// for every uplink of a 1.1 device and every uplink that changes MAC state, and a DOM of
// std::map nodes cost more than the rest of it.
MacState parse_mac_state(const std::string& text) {
  MacState state;
  const auto parsed = common::json_fields::parse_object(
      lorawan::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  if (!parsed) return state;
  const element j = *parsed;
  state.snr_history = numbers<double>(j, "snr");
  state.fcnt_history = numbers<std::uint32_t>(j, "fcnt");
  if (auto p = member(j, "linkAdr"); p && p->is_object()) {
    state.pending_link_adr = PendingLinkAdr{integer<int>(*p, "dr").value_or(0), integer<int>(*p, "txPower").value_or(0),
                                            integer<int>(*p, "nbTrans").value_or(1)};
  }
  state.last_dev_status_request = integer<std::int64_t>(j, "devStatusAt").value_or(0);
  state.pending_rx_timing = integer<int>(j, "rxTiming");
  if (auto p = member(j, "rxParam"); p && p->is_object()) {
    state.pending_rx_param = PendingRxParam{integer<int>(*p, "rx1DrOffset").value_or(0)};
  }
  state.rx_setup_requested_at = integer<std::int64_t>(j, "rxSetupAt").value_or(0);
  if (auto p = member(j, "newChannel"); p && p->is_object()) {
    state.pending_new_channel =
        PendingNewChannel{integer<int>(*p, "slot").value_or(0), integer<std::uint32_t>(*p, "hz").value_or(0)};
  }
  state.new_channel_requested_at = integer<std::int64_t>(j, "newChannelAt").value_or(0);
  state.extra_channels = numbers<std::uint32_t>(j, "channels");
  // [[FCnt, claim time in ms], ...]; a malformed pair is left out.
  simdjson::dom::array skipped;
  if (auto v = member(j, "skipped"); v && v->get_array().get(skipped) == simdjson::SUCCESS) {
    for (element pair : skipped) {
      simdjson::dom::array fields;
      std::uint64_t f_cnt = 0;
      std::int64_t at = 0;
      if (pair.get_array().get(fields) != simdjson::SUCCESS || fields.size() != 2 ||
          fields.at(0).get_uint64().get(f_cnt) != simdjson::SUCCESS ||
          f_cnt > std::numeric_limits<std::uint32_t>::max() || fields.at(1).get_int64().get(at) != simdjson::SUCCESS)
        continue;
      state.skipped_f_cnts.push_back({static_cast<std::uint32_t>(f_cnt), at});
    }
  }
  return state;
}

std::string to_json(const MacState& state) {
  common::JsonWriter w;
  w.begin_object();
  w.key("snr").begin_array();
  for (double snr : state.snr_history) w.number(snr);
  w.end_array();
  w.key("fcnt").begin_array();
  for (std::uint32_t fcnt : state.fcnt_history) w.number(fcnt);
  w.end_array();
  w.key("devStatusAt").number(state.last_dev_status_request);
  if (state.pending_link_adr) {
    w.key("linkAdr").begin_object();
    w.key("dr").number(state.pending_link_adr->data_rate);
    w.key("txPower").number(state.pending_link_adr->tx_power_index);
    w.key("nbTrans").number(state.pending_link_adr->nb_trans);
    w.end_object();
  }
  if (!state.extra_channels.empty()) {
    w.key("channels").begin_array();
    for (std::uint32_t hz : state.extra_channels) w.number(hz);
    w.end_array();
  }
  if (state.pending_rx_timing) w.key("rxTiming").number(*state.pending_rx_timing);
  if (state.pending_rx_param)
    w.key("rxParam").begin_object().key("rx1DrOffset").number(state.pending_rx_param->rx1_dr_offset).end_object();
  if (state.rx_setup_requested_at) w.key("rxSetupAt").number(state.rx_setup_requested_at);
  if (state.pending_new_channel) {
    w.key("newChannel").begin_object();
    w.key("slot").number(state.pending_new_channel->slot);
    w.key("hz").number(state.pending_new_channel->frequency_hz);
    w.end_object();
  }
  if (state.new_channel_requested_at) w.key("newChannelAt").number(state.new_channel_requested_at);
  if (!state.skipped_f_cnts.empty()) {
    w.key("skipped").begin_array();
    for (const auto& s : state.skipped_f_cnts) w.begin_array().number(s.f_cnt).number(s.skipped_at_ms).end_array();
    w.end_array();
  }
  w.end_object();
  return w.str();
}

}  // namespace uchet::netserver
