// Data uplinks: session by DevAddr and MIC, frame counter, decryption, MAC commands, storage of
// the accepted frame with its session state, and the class A answer in RX1 (RX2 fallback).
#include <spdlog/spdlog.h>

#include <cmath>
#include <set>

#include "netserver/adr.h"
#include "netserver/downlink_frame.h"
#include "netserver/mac_state.h"
#include "netserver/lorawan/channel_plan.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/fcnt.h"
#include "netserver/lorawan/gps_time.h"
#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/payload_crypto.h"
#include "netserver/lorawan/phy_payload.h"
#include "netserver/network_server_internal.h"
#include "netserver/radio_conversion.h"
#include "schema/sessions.h"

namespace uchet::netserver {
namespace {

// How long an unanswered or refused RXTimingSetupReq / RXParamSetupReq / NewChannelReq waits
// before it is asked again.
constexpr std::int64_t kMacRequestRetryS = 3600;

using namespace lorawan;

Mic uplink_mic(const storage::DeviceSession& s, std::uint32_t fcnt, std::uint8_t dr, std::uint8_t ch, bool ack,
               ByteView message) {
  if (!s.is_lorawan_11()) return data_mic_10(s.keys.nwk_s_key(), Direction::Uplink, s.dev_addr, fcnt, message);
  const std::uint16_t conf_fcnt = ack ? static_cast<std::uint16_t>((s.a_f_cnt_down - 1) & 0xFFFF) : 0;
  return data_uplink_mic_11(s.keys.f_nwk_s_int_key, s.keys.s_nwk_s_int_key, s.dev_addr, fcnt, conf_fcnt, dr, ch, message);
}

// When the frame ended on air, as GPS time: the gateway's GPS clock when it has one, else its
// UTC clock, else the moment the first copy reached this server.
std::pair<std::chrono::nanoseconds, bool> reception_gps_time(const ReceivedFrame& frame) {
  for (const auto& rx : frame.receptions) {
    if (rx.gps_time) return {std::chrono::duration_cast<std::chrono::nanoseconds>(*rx.gps_time), true};
  }
  for (const auto& rx : frame.receptions) {
    if (rx.utc_time) return {gps_time_from_utc(std::chrono::time_point_cast<std::chrono::nanoseconds>(*rx.utc_time)), true};
  }
  auto age = std::chrono::steady_clock::now() - frame.first_seen;
  auto arrival = std::chrono::system_clock::now() - age;
  return {gps_time_from_utc(std::chrono::time_point_cast<std::chrono::nanoseconds>(arrival)), false};
}

}  // namespace

void NetworkServer::process_data(const ReceivedFrame& frame, const DataFrame& data) {
  auto candidates = registry_.sessions_for(data.dev_addr);
  if (candidates.empty()) {
    return reject(&NetworkCounters::uplink_unknown_dev_addr, "uplink from unknown DevAddr", dev_addr_to_string(data.dev_addr));
  }
  const auto& best = best_reception(frame.receptions);
  auto uplink_dr = settings_.region.data_rate_index(to_lorawan_rate(best.data_rate));
  if (!uplink_dr) return reject(&NetworkCounters::malformed, "uplink at a data rate the region lacks", uplink_dr.error());
  const auto message = mic_message(frame.phy_payload);
  const Mic received_mic = mic_of(frame.phy_payload);

  storage::DeviceSession* session = nullptr;
  std::optional<MacState> session_mac;  // already parsed for the MIC check (1.1 sessions)
  FullFCnt full;
  bool counter_reset = false, replay = false;
  for (auto* candidate : candidates) {
    const auto* device = registry_.device(candidate->dev_eui);
    if (!device) continue;
    auto f = reconstruct_fcnt_up(candidate->f_cnt_up, data.fcnt16);
    // TxCh (only 1.1 MICs include it) is the channel's index among the device's own channels,
    // kept in its MAC state: a device that joined under an older configuration may still use a
    // channel the configuration has since dropped, until NewChannelReq removes it.
    std::optional<MacState> candidate_mac;
    std::uint8_t ch = 0;
    if (candidate->is_lorawan_11()) {
      candidate_mac = parse_mac_state(candidate->mac_state);
      ch = channel_index(settings_.region, candidate_mac->extra_channels, best.frequency_hz);
    }
    if (uplink_mic(*candidate, f.fcnt, *uplink_dr, ch, data.fctrl.ack, message) == received_mic) {
      session = candidate;
      session_mac = std::move(candidate_mac);
      full = f;
      break;
    }
    // The counter values below the expected one: an old frame played again, or an ABP device
    // that restarted counting from zero.
    const std::uint32_t window = candidate->f_cnt_up & 0xFFFF0000u;
    for (std::uint32_t older : {window | data.fcnt16, window >= 0x10000u ? (window - 0x10000u) | data.fcnt16 : 0xFFFFFFFFu}) {
      if (older == 0xFFFFFFFFu || older >= candidate->f_cnt_up) continue;
      if (uplink_mic(*candidate, older, *uplink_dr, ch, data.fctrl.ack, message) != received_mic) continue;
      if (device->abp && device->fcnt_policy == "reset-allowed" && older == data.fcnt16) {
        session = candidate;
        full = FullFCnt{older, false};
        counter_reset = true;
      } else {
        replay = true;
      }
      break;
    }
    if (session || replay) break;
  }
  if (replay) return reject(&NetworkCounters::uplink_replay, "replayed uplink", dev_addr_to_string(data.dev_addr));
  if (!session) return reject(&NetworkCounters::uplink_bad_mic, "uplink MIC mismatch", dev_addr_to_string(data.dev_addr));

  const storage::Device* device = registry_.device(session->dev_eui);
  const bool retransmission = full.repeated && session->has_uplink() && !counter_reset;
  const bool confirmed = is_confirmed(data.mhdr.mtype);
  const bool v11 = session->is_lorawan_11();
  const auto now_system = std::chrono::system_clock::now();
  const auto now_unix = storage::unix_now();
  if (retransmission) ++counters_.uplink_retransmissions;

  // Decryption: FOpts (1.1), then FRMPayload with the network key on FPort 0, AppSKey otherwise.
  Bytes mac_bytes = v11 && !data.fopts.empty()
                        ? decrypt_fopts(session->keys.nwk_s_enc_key, Direction::Uplink, data.dev_addr, full.fcnt, false, data.fopts)
                        : data.fopts;
  Bytes app_payload;
  if (data.fport) {
    if (*data.fport == 0) {
      auto port0 = decrypt_frm_payload(session->keys.nwk_s_enc_key, Direction::Uplink, data.dev_addr, full.fcnt, data.frm_payload);
      mac_bytes.insert(mac_bytes.end(), port0.begin(), port0.end());
    } else {
      app_payload = decrypt_frm_payload(session->keys.app_s_key, Direction::Uplink, data.dev_addr, full.fcnt, data.frm_payload);
    }
  }

  std::vector<DownlinkMacCommand> answers;
  std::vector<StatusEvent> statuses;
  const auto [gps_time, gps_from_gateway] = reception_gps_time(frame);
  const auto mac_commands = decode_uplink_mac_commands(mac_bytes).commands;
  for (const auto& command : mac_commands) {
    if (std::holds_alternative<LinkCheckReq>(command)) {
      std::set<Eui64> gateways;
      for (const auto& rx : frame.receptions) gateways.insert(rx.gateway_eui);
      double floor = -20;
      if (const auto* lora = std::get_if<bridge::LoraRate>(&best.data_rate)) {
        floor = required_snr_db(lora->spreading_factor).value_or(-20);
      }
      double margin = std::max(0.0, std::floor(best.snr_db.value_or(floor) - floor));
      answers.push_back(LinkCheckAns{static_cast<std::uint8_t>(std::min(254.0, margin)),
                                     static_cast<std::uint8_t>(std::min<std::size_t>(255, gateways.size()))});
    } else if (const auto* rekey = std::get_if<RekeyInd>(&command); rekey && v11) {
      // LoRaWAN 1.1 §5.10: confirm with the lower of the device's and our minor version (1);
      // until this arrives the device repeats RekeyInd in every uplink.
      answers.push_back(RekeyConf{static_cast<std::uint8_t>(std::min<int>(rekey->minor, 1))});
    } else if (std::holds_alternative<DeviceTimeReq>(command)) {
      answers.push_back(DeviceTimeAns::from_gps_time(gps_time));
    } else if (const auto* status = std::get_if<DevStatusAns>(&command)) {
      StatusEvent e;
      e.time = now_system;
      e.device = device;
      e.margin = status->margin;
      e.external_power_source = status->battery == DevStatusAns::kExternalPower;
      if (status->battery != DevStatusAns::kExternalPower && status->battery != DevStatusAns::kBatteryUnknown) {
        e.battery_level_percent = std::round(status->battery * 10000.0 / 254.0) / 100.0;
      }
      statuses.push_back(e);
    }
  }

  // The session as it will be after this frame (applied to memory only after the commit).
  storage::DeviceSession updated = *session;
  MacState mac = session_mac ? std::move(*session_mac) : parse_mac_state(updated.mac_state);
  if (!retransmission) {
    updated.f_cnt_up = full.fcnt + 1;
    updated.last_uplink_at = now_unix;
    updated.dr = *uplink_dr;
    double best_snr = best.snr_db.value_or(-20.0);
    for (const auto& rx : frame.receptions) best_snr = std::max(best_snr, rx.snr_db.value_or(best_snr));
    mac.record_uplink(best_snr, full.fcnt);
  }
  // RXParamSetupAns and RXTimingSetupAns are sticky: the device repeats them in every uplink
  // until it receives a downlink, so an uplink carrying one is always answered.
  bool sticky_answer = false;
  for (const auto& command : mac_commands) {
    if (std::holds_alternative<RXTimingSetupAns>(command)) {
      sticky_answer = true;
      if (mac.pending_rx_timing) updated.rx1_delay = *mac.pending_rx_timing;
      mac.pending_rx_timing.reset();
    } else if (const auto* ans = std::get_if<RXParamSetupAns>(&command)) {
      sticky_answer = true;
      // The device applies all of it or none of it (LoRaWAN 1.0.4 §5.4).
      if (mac.pending_rx_param && ans->rx1_dr_offset_ack && ans->rx2_data_rate_ack && ans->channel_ack) {
        updated.rx1_dr_offset = mac.pending_rx_param->rx1_dr_offset;
        updated.rx2_dr.reset();
        updated.rx2_frequency.reset();
      }
      mac.pending_rx_param.reset();
    } else if (const auto* ans = std::get_if<NewChannelAns>(&command); ans && mac.pending_new_channel) {
      if (ans->channel_frequency_ok && ans->data_rate_range_ok) {
        const auto slot = static_cast<std::size_t>(mac.pending_new_channel->slot);
        if (mac.extra_channels.size() <= slot) mac.extra_channels.resize(slot + 1, 0);
        mac.extra_channels[slot] = mac.pending_new_channel->frequency_hz;
        while (!mac.extra_channels.empty() && mac.extra_channels.back() == 0) mac.extra_channels.pop_back();
        mac.new_channel_requested_at = 0;  // accepted: the next channel may be asked at once
      }
      mac.pending_new_channel.reset();
    }
  }
  for (const auto& command : mac_commands) {
    if (const auto* ans = std::get_if<LinkADRAns>(&command); ans && mac.pending_link_adr) {
      // Applied only when the device accepted all of it; otherwise ADR tries again later.
      if (ans->power_ack && ans->data_rate_ack && ans->channel_mask_ack) {
        updated.tx_power_index = mac.pending_link_adr->tx_power_index;
        updated.nb_trans = mac.pending_link_adr->nb_trans;
      }
      mac.pending_link_adr.reset();
    }
  }
  if (!retransmission && data.fctrl.adr && !mac.pending_link_adr && mac.snr_history.size() >= kAdrHistorySize) {
    AdrInput in;
    in.recent_snr_db.assign(mac.snr_history.begin(), mac.snr_history.end());
    if (const auto* lora = std::get_if<bridge::LoraRate>(&best.data_rate)) {
      in.required_snr_db = required_snr_db(lora->spreading_factor).value_or(-20);
    }
    in.installation_margin_db = settings_.installation_margin_db;
    in.data_rate = *uplink_dr;
    in.max_data_rate = settings_.region.max_adr_data_rate();
    in.tx_power_index = updated.tx_power_index;
    in.nb_trans = updated.nb_trans;
    in.loss_ratio = mac.loss_ratio();
    auto decision = decide_adr(in);
    if (decision.changes(in)) {
      answers.push_back(LinkADRReq{static_cast<std::uint8_t>(decision.data_rate),
                                   static_cast<std::uint8_t>(decision.tx_power_index),
                                   channel_mask(settings_.region, mac.extra_channels), 0,
                                   static_cast<std::uint8_t>(decision.nb_trans)});
      mac.pending_link_adr = PendingLinkAdr{decision.data_rate, decision.tx_power_index, decision.nb_trans};
    }
  }
  // Bring the session's receive windows to the configuration (a session from an older
  // configuration, or an ABP one). Asked again after an hour when unanswered or refused.
  if (!retransmission && now_unix - mac.rx_setup_requested_at >= kMacRequestRetryS) {
    bool asked = false;
    if (updated.rx1_delay != settings_.rx1_delay_s) {
      answers.push_back(RXTimingSetupReq{static_cast<std::uint8_t>(settings_.rx1_delay_s)});
      mac.pending_rx_timing = settings_.rx1_delay_s;
      asked = true;
    }
    if (updated.rx1_dr_offset != settings_.rx1_dr_offset || updated.rx2_dr || updated.rx2_frequency) {
      const auto rx2 = settings_.region.rx2_default();
      answers.push_back(RXParamSetupReq{static_cast<std::uint8_t>(settings_.rx1_dr_offset), rx2.data_rate, rx2.frequency_hz});
      mac.pending_rx_param = PendingRxParam{settings_.rx1_dr_offset};
      asked = true;
    }
    if (asked) mac.rx_setup_requested_at = now_unix;
  }
  if (settings_.dev_status_interval.count() > 0 &&
      now_unix - mac.last_dev_status_request >= settings_.dev_status_interval.count()) {
    if (dev_status_budget_.take(std::chrono::steady_clock::now())) {
      answers.push_back(DevStatusReq{});
      mac.last_dev_status_request = now_unix;
    } else {
      ++counters_.dev_status_deferred;
    }
  }
  // One channel of the configured plan at a time for a device that lacks it (an ABP device, a join
  // under an older configuration), when the request still fits into FOpts
  // after every other request of this downlink.
  if (!retransmission && now_unix - mac.new_channel_requested_at >= kMacRequestRetryS) {
    if (auto change = next_channel_change(settings_.region, mac.extra_channels, settings_.extra_channels_hz)) {
      const auto used = encode_mac_commands(std::span<const DownlinkMacCommand>(answers)).size();
      if (used + 1 + NewChannelReq::kPayloadSize <= kMaxFOptsSize) {
        mac.pending_new_channel = PendingNewChannel{change->ch_index - static_cast<int>(settings_.region.first_cf_list_channel()),
                                                    change->frequency_hz};
        mac.new_channel_requested_at = now_unix;
        answers.push_back(*change);
      }
    }
  }
  updated.mac_state = to_json(mac);

  // Inside the pass's group-commit transaction (see network_server.h): this frame's own writes.
  storage::Savepoint frame_writes(db_);
  auto work = frame_writes.work();  // what the sink is handed (netserver/events.h)
  // The application server sees the frame first, so that what it queues in answer (a KARAT
  // time correction) can go out in this uplink's own receive window.
  if (!retransmission) {
    UplinkEvent event;
    event.deduplication_id = new_uuid();
    event.received_at = now_system;
    event.device = device;
    event.dev_addr = data.dev_addr;
    event.adr = data.fctrl.adr;
    event.dr = *uplink_dr;
    event.f_cnt = full.fcnt;
    event.f_port = data.fport;
    event.confirmed = confirmed;
    event.data = std::move(app_payload);
    event.phy_payload_size = frame.phy_payload.size();
    event.receptions = &frame.receptions;
    event.network_time = to_system_time(std::chrono::duration_cast<std::chrono::nanoseconds>(
        utc_from_gps_time(gps_time).time_since_epoch()));
    event.network_time_from_gps = gps_from_gateway;
    sink_.uplink(work, event);
  }
  // Most uplinks find the queue empty: skip both lookups when the device has no row at all
  // (after the sink, so a correction it just queued is seen).
  std::vector<storage::QueueItem> queue;
  if (queue_may_hold(session->dev_eui)) {
    for (const auto& expired : storage::take_expired_downlinks(db_, session->dev_eui, now_unix)) {
      if (expired.confirmed && expired.f_cnt_down) {
        sink_.ack(work, AckEvent{now_system, device, expired.id, false, *expired.f_cnt_down});
      } else {
        sink_.log(work, LogEvent{now_system, device, "WARNING", "DOWNLINK_EXPIRED",
                                "queued downlink expired before it could be sent", {{"queueItemId", std::to_string(expired.id)}}});
      }
    }
    queue = storage::pending_downlinks(db_, session->dev_eui, now_unix);
  }
  if (data.fctrl.ack && !queue.empty() && queue.front().confirmed && queue.front().f_cnt_down) {
    sink_.ack(work, AckEvent{now_system, device, queue.front().id, true, *queue.front().f_cnt_down});
    storage::delete_downlink(db_, queue.front().id);
    queue.erase(queue.begin());
  }

  // The class A answer: ACK, MAC answers and the next queued payload that fits.
  std::optional<DownlinkPlan> plan;
  if (confirmed || !answers.empty() || !queue.empty() || data.fctrl.adr_ack_req || sticky_answer) {
    DownlinkContent content;
    content.ack = confirmed;
    content.acked_fcnt_up = static_cast<std::uint16_t>(full.fcnt & 0xFFFF);
    content.adr = data.fctrl.adr;
    content.mac_commands = encode_mac_commands(std::span<const DownlinkMacCommand>(answers));
    if (content.mac_commands.size() > kMaxFOptsSize) content.mac_commands.resize(0);
    auto rx1_dr = settings_.region.rx1_data_rate(*uplink_dr, static_cast<std::uint8_t>(updated.rx1_dr_offset));
    const auto rx2 = settings_.region.rx2_default();
    const std::uint8_t rx2_dr = updated.rx2_dr ? static_cast<std::uint8_t>(*updated.rx2_dr) : rx2.data_rate;
    const std::uint32_t rx2_freq = updated.rx2_frequency ? *updated.rx2_frequency : rx2.frequency_hz;
    const std::size_t room_rx1 = rx1_dr ? settings_.region.max_frm_payload_size(*rx1_dr).value_or(0) : 0;
    const std::size_t room_rx2 = settings_.region.max_frm_payload_size(rx2_dr).value_or(0);
    const std::size_t room = std::min(room_rx1, room_rx2) - std::min(std::min(room_rx1, room_rx2), content.mac_commands.size());
    std::optional<storage::QueueItem> item;
    for (std::size_t i = 0; i < queue.size(); ++i) {
      // Too-large items wait for a better data rate (or expire); they never block the ACK.
      if (queue[i].data.size() <= room) {
        item = queue[i];
        content.f_pending = i + 1 < queue.size();
        break;
      }
    }
    if (item) {
      content.confirmed = item->confirmed;
      content.f_port = item->f_port;
      content.application_payload = item->data;
    }
    auto built = build_downlink(updated, content);
    if (built && rx1_dr) {
      const auto delay1 = static_cast<std::uint32_t>(updated.rx1_delay * 1'000'000);
      auto rx1 = tx_packet(settings_.region, settings_.region.rx1_frequency(best.frequency_hz), *rx1_dr,
                           best.counter.after(std::chrono::microseconds(delay1)), built->phy_payload);
      auto rx2_packet = tx_packet(settings_.region, rx2_freq, rx2_dr, best.counter.after(std::chrono::microseconds(delay1 + 1'000'000)),
                                  built->phy_payload);
      if (rx1 && rx2_packet) {
        advance_f_cnt_down(updated, *built);
        plan = DownlinkPlan{session->dev_eui, best.gateway_eui, std::move(*rx1), std::move(*rx2_packet),
                            item, built->f_cnt_down, false,
                            best.counter, other_gateways(frame.receptions, best)};
        if (item && item->confirmed) {
          storage::mark_downlink_sent(db_, item->id, built->f_cnt_down);
        } else if (item) {
          storage::delete_downlink(db_, item->id);
        }
      }
    } else if (!built) {
      spdlog::warn("downlink for {} not built: {}", eui64_to_string(session->dev_eui), built.error());
    }
  }

  storage::update_session_state(db_, updated);
  for (auto& status : statuses) {
    status.deduplication_id = new_uuid();
    sink_.status(work, status);
  }
  frame_writes.release();
  // Later frames of the same pass see the new session at once; should the pass's commit fail,
  // the registry is reloaded from the database (abandon_batch).
  *session = updated;
  auto& b = *batch_;
  ++b.frames;
  b.events = true;
  const auto* second = runner_up(frame.receptions, best);
  b.last_gateways.emplace_back(session->dev_eui, LastGateways{best.gateway_eui, second ? second->gateway_eui : 0});
  if (!retransmission) ++b.uplinks_accepted;
  if (plan) {
    // RX1 is one second after the uplink: commit now rather than after the rest of the pass, so
    // this answer leaves no later than with one transaction per frame.
    b.downlinks.push_back(std::move(*plan));
    commit_batch();
  }
}

void NetworkServer::deliver_class_c() {
  const auto now_unix = storage::unix_now();
  const auto now = std::chrono::steady_clock::now();
  for (auto dev_eui : storage::devices_with_unsent_downlinks(db_)) {
    const auto* device = registry_.device(dev_eui);
    auto* session = registry_.session(dev_eui);
    auto gateway = last_gateway_.find(dev_eui);
    if (!device || device->device_class != 'C' || !session || gateway == last_gateway_.end()) continue;
    // Through the best of the last uplink's two gateways that has not just refused a downlink.
    std::vector<lorawan::Eui64> via;
    for (auto eui : {gateway->second.best, gateway->second.second}) {
      auto refused = unreachable_until_.find(eui);
      if (eui && (refused == unreachable_until_.end() || refused->second <= now)) via.push_back(eui);
    }
    if (via.empty()) continue;  // tried again once the backoff has passed
    auto queue = storage::pending_downlinks(db_, dev_eui, now_unix);
    auto next = std::find_if(queue.begin(), queue.end(), [](const auto& q) { return !q.f_cnt_down; });
    if (next == queue.end()) continue;
    const auto rx2 = settings_.region.rx2_default();
    const std::uint8_t dr = session->rx2_dr ? static_cast<std::uint8_t>(*session->rx2_dr) : rx2.data_rate;
    const std::uint32_t freq = session->rx2_frequency ? *session->rx2_frequency : rx2.frequency_hz;
    if (next->data.size() > settings_.region.max_frm_payload_size(dr).value_or(0)) continue;
    DownlinkContent content;
    content.confirmed = next->confirmed;
    content.f_port = next->f_port;
    content.application_payload = next->data;
    content.f_pending = std::next(next) != queue.end();
    auto built = build_downlink(*session, content);
    if (!built) continue;
    auto packet = tx_packet(settings_.region, freq, dr, bridge::Immediately{}, built->phy_payload);
    if (!packet) continue;
    storage::DeviceSession updated = *session;
    advance_f_cnt_down(updated, *built);
    storage::Transaction tx(db_);
    if (next->confirmed) {
      storage::mark_downlink_sent(db_, next->id, built->f_cnt_down);
    } else {
      storage::delete_downlink(db_, next->id);
    }
    storage::update_session_state(db_, updated);
    tx.commit();
    *session = updated;
    DownlinkPlan plan{dev_eui, via.front(), std::move(*packet), std::nullopt, *next, built->f_cnt_down, false};
    if (via.size() > 1) plan.other_gateways.emplace_back(via[1], bridge::CounterTime{});  // sent at once: no timing
    send_planned(std::move(plan));
  }
}

}  // namespace uchet::netserver
