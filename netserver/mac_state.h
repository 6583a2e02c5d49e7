#pragma once
// The part of a session only the network server reads: the uplink history ADR decides from,
// the MAC request awaiting the device's answer (state changes only when it is acknowledged),
// when the device's status was last asked, and the counters a stored frame skipped while
// another instance may still hold them (late_uplink.h). Stored as JSON in device_session.mac_state.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netserver/late_uplink.h"

namespace uchet::netserver {

struct PendingLinkAdr {
  int data_rate = 0;
  int tx_power_index = 0;
  int nb_trans = 1;
};

// RX settings asked of the device with RXParamSetupReq / RXTimingSetupReq, applied to the
// session when it acknowledges them.
struct PendingRxParam {
  int rx1_dr_offset = 0;  // the RX2 part always asks for the region's default RX2
};

// A NewChannelReq awaiting its answer: extra-channel slot k (see channel_plan.h) and frequency.
struct PendingNewChannel {
  int slot = 0;
  std::uint32_t frequency_hz = 0;
};

struct MacState {
  // Vectors, not deques: at most 20 entries, and the state is parsed and rebuilt for every uplink
  // (a deque allocates a 512-byte block and a map even for one entry).
  std::vector<double> snr_history;          // best SNR per uplink, newest last
  std::vector<std::uint32_t> fcnt_history;  // their FCntUp
  std::optional<PendingLinkAdr> pending_link_adr;
  std::int64_t last_dev_status_request = 0;   // Unix seconds
  std::vector<std::uint32_t> extra_channels;  // Hz, given in the join-accept's CFList (channel_plan.h)
  std::optional<int> pending_rx_timing;       // RX1 delay (s) asked with RXTimingSetupReq
  std::optional<PendingRxParam> pending_rx_param;
  std::int64_t rx_setup_requested_at = 0;  // Unix seconds of the last of those two requests
  std::optional<PendingNewChannel> pending_new_channel;
  std::int64_t new_channel_requested_at = 0;  // Unix seconds
  std::vector<SkippedFCnt> skipped_f_cnts;    // late_uplink.h

  void record_uplink(double snr_db, std::uint32_t fcnt);
  // Share of uplinks missing from the FCnt range of the history.
  double loss_ratio() const;
};

// What choosing an uplink's MAC requests changes in the state (not what the device's answers
// change): kept before the requests are chosen and put back when they are left out of the
// downlink for want of airtime or a slot (netserver/scheduling/downlink_priority.h), so that
// every one of them is due again at the device's next uplink.
struct MacRequestMarks {
  std::optional<PendingLinkAdr> pending_link_adr;
  std::int64_t last_dev_status_request = 0;
  std::optional<int> pending_rx_timing;
  std::optional<PendingRxParam> pending_rx_param;
  std::int64_t rx_setup_requested_at = 0;
  std::optional<PendingNewChannel> pending_new_channel;
  std::int64_t new_channel_requested_at = 0;

  static MacRequestMarks of(const MacState& mac);
  void restore(MacState& mac) const;
};

MacState parse_mac_state(const std::string& json);  // unreadable JSON gives an empty state
std::string to_json(const MacState& state);

}  // namespace uchet::netserver
