// Data uplinks: session by DevAddr and MIC, frame counter, decryption, MAC commands, storage of
// the accepted frame with its session state, and the class A answer in RX1 (RX2 fallback).
// process_data reads as the list of its steps; each step is a member function over the Uplink
// context below, and each MAC command's own rules live in netserver/maccommand/.
#include <spdlog/spdlog.h>

#include "netserver/downlink_frame.h"
#include "netserver/lorawan/channel_plan.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/fcnt.h"
#include "netserver/lorawan/gps_time.h"
#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/payload_crypto.h"
#include "netserver/lorawan/phy_payload.h"
#include "netserver/mac_state.h"
#include "netserver/maccommand/dev_status.h"
#include "netserver/maccommand/device_time.h"
#include "netserver/maccommand/link_adr.h"
#include "netserver/maccommand/link_check.h"
#include "netserver/maccommand/new_channel.h"
#include "netserver/maccommand/rekey.h"
#include "netserver/maccommand/retry.h"
#include "netserver/maccommand/rx_param_setup.h"
#include "netserver/maccommand/rx_timing_setup.h"
#include "netserver/network_server_internal.h"
#include "netserver/radio_conversion.h"
#include "schema/sessions.h"

namespace uchet::netserver {
namespace {

using namespace lorawan;

Mic uplink_mic(const schema::DeviceSession& s, std::uint32_t fcnt, std::uint8_t dr, std::uint8_t ch, bool ack,
               ByteView message) {
  if (!s.is_lorawan_11()) return data_mic_10(s.keys.nwk_s_key(), Direction::Uplink, s.dev_addr, fcnt, message);
  const std::uint16_t conf_fcnt = ack ? static_cast<std::uint16_t>((s.a_f_cnt_down - 1) & 0xFFFF) : 0;
  return data_uplink_mic_11(s.keys.f_nwk_s_int_key, s.keys.s_nwk_s_int_key, s.dev_addr, fcnt, conf_fcnt, dr, ch,
                            message);
}

}  // namespace

// The data frame being handled, carried through the steps of process_data (on the stack: no
// allocation of its own).
struct NetworkServer::Uplink {
  const ReceivedFrame& frame;
  const DataFrame& data;
  const gateway_bridge::Reception& best;  // the reception the answer is timed on
  std::uint8_t dr = 0;                    // the uplink's data rate index in the region
  // find_session: the session whose key verifies the MIC, and the counter it was verified with.
  schema::DeviceSession* session = nullptr;
  std::optional<MacState> session_mac;  // already parsed for the MIC check (1.1 sessions)
  FullFCnt full;
  bool counter_reset = false;
  // A frame claimed before the device's newer frame that another instance stored first: stored
  // as a late uplink (late_uplink.h) — announced, nothing else of the session changes.
  bool late = false;
  // take_frame_counter:
  const schema::Device* device = nullptr;
  bool retransmission = false, confirmed = false;
  SystemTime now_system;
  std::int64_t now_unix = 0;
  std::chrono::nanoseconds gps_time{0};  // when the frame ended on air (maccommand/device_time.h)
  bool gps_from_gateway = false;
  // The session as it will be after this frame (applied to memory only after the commit).
  schema::DeviceSession updated;
  MacState mac;
  // decrypt:
  Bytes mac_bytes, app_payload;
  // MAC commands: the answers and requests of the downlink in FOpts order, the status events.
  std::vector<DownlinkMacCommand> answers;
  // answers[0, first_request) answer the device; the rest are the network's requests, whose
  // marks in the MAC state before they were chosen are kept to put back should they be deferred.
  std::size_t first_request = 0;
  MacRequestMarks before_requests;
  std::vector<StatusEvent> statuses;
  bool sticky_answer = false;
  std::vector<schema::QueueItem> queue;
  std::optional<DownlinkPlan> plan;
};

void NetworkServer::process_data(const ReceivedFrame& frame, const DataFrame& data) {
  // With several instances on one database the cached session may be stale: judged on it, the
  // frame's session write changes nothing (schema::StaleSession) and everything the frame wrote
  // is rolled back. The device's session is then reloaded and the frame judged once more, on
  // what the database holds now — where a frame another instance already stored is a replay.
  const auto stale = judge_data(frame, data, false);
  if (!stale) return;
  ++counters_.session_reloads;
  sink_.rolled_back();
  registry_.reload_session(db_, *stale);
  if (const auto again = judge_data(frame, data, true)) {
    // Changed again meanwhile: dropped (the device's next frame finds it settled).
    registry_.reload_session(db_, *again);
    sink_.rolled_back();
    reject(&NetworkCounters::storage_failures, "uplink whose session changed twice while judged",
           eui64_to_string(*again));
  }
}

std::optional<Eui64> NetworkServer::judge_data(const ReceivedFrame& frame, const DataFrame& data,
                                               bool after_stale_session) {
  Uplink up{frame, data, best_reception(frame.receptions)};
  if (!find_session(up)) return std::nullopt;
  // Judged again after another instance stored a frame of the device: the same counter now is
  // that frame, played again (to this instance, or through the other's gateways), never stored
  // or announced twice.
  if (after_stale_session && up.full.repeated && up.session->has_uplink() && !up.counter_reset) {
    reject(&NetworkCounters::uplink_replay, "replayed uplink (stored by another instance)",
           dev_addr_to_string(data.dev_addr));
    return std::nullopt;
  }
  take_frame_counter(up);
  decrypt(up);
  // A late uplink's MAC commands, ACK and receive windows belong to a moment the device's newer
  // frame has already moved past (late_uplink.h): only its application payload is taken.
  if (!up.late) {
    // The downlink's MAC commands, in this order: answers to the uplink's, then ADR, receive
    // windows, device status and a new channel (which goes last as it must fit after the rest).
    handle_mac_commands(up);
    up.first_request = up.answers.size();
    up.before_requests = MacRequestMarks::of(up.mac);
    request_link_adr(up);
    request_rx_setup(up);
    request_dev_status(up);
    request_new_channel(up);
  }

  // Inside the pass's group-commit transaction (see network_server.h): this frame's own writes.
  schema::Savepoint frame_writes(db_);
  auto work = frame_writes.work();  // what the sink is handed (netserver/events.h)
  send_uplink_event(up, work);
  if (!up.late) {
    expire_downlink_queue(up, work);
    acknowledge_confirmed_downlink(up, work);
    plan_class_a_answer(up);  // may defer the requests: the MAC state is final after it
  }
  up.updated.mac_state = to_json(up.mac);
  try {
    schema::update_session_state(db_, up.updated);
  } catch (const schema::StaleSession&) {
    // Nothing of this frame stays: its writes roll back with frame_writes, its window is freed.
    if (up.plan) scheduler_.release(up.plan->gateway_eui, up.plan->booking);
    return up.session->dev_eui;
  }
  send_status_events(up, work);
  frame_writes.release();
  add_to_batch(up);
  return std::nullopt;
}

// The session among those sharing the DevAddr whose key verifies the MIC, at a counter at or
// above the expected one; false (counted and logged) when none does or the frame is a replay —
// unless, with several instances, it is a late frame of that session (accept_as_late).
// On PostgreSQL a DevAddr the cache does not know, or whose cached keys verify nothing, may be
// a join another instance stored: that DevAddr's sessions are reloaded and tried once more.
bool NetworkServer::find_session(Uplink& up) {
  const auto& data = up.data;
  auto uplink_dr = settings_.region.data_rate_index(to_lorawan_rate(up.best.data_rate));
  if (!uplink_dr) {
    reject(&NetworkCounters::malformed, "uplink at a data rate the region lacks", uplink_dr.error());
    return false;
  }
  up.dr = *uplink_dr;
  auto verdict = match_session(up);
  if ((verdict == SessionMatch::UnknownDevAddr || verdict == SessionMatch::BadMic) &&
      db_.dialect() == schema::Dialect::postgresql) {
    ++counters_.session_reloads;
    registry_.reload_sessions_for(db_, data.dev_addr);
    verdict = match_session(up);
  }
  switch (verdict) {
    case SessionMatch::Found:
      return true;
    case SessionMatch::UnknownDevAddr:
      reject(&NetworkCounters::uplink_unknown_dev_addr, "uplink from unknown DevAddr",
             dev_addr_to_string(data.dev_addr));
      return false;
    case SessionMatch::Replay:
      if (up.late) return true;
      reject(&NetworkCounters::uplink_replay, "replayed uplink", dev_addr_to_string(data.dev_addr));
      return false;
    case SessionMatch::BadMic:
      break;
  }
  reject(&NetworkCounters::uplink_bad_mic, "uplink MIC mismatch", dev_addr_to_string(data.dev_addr));
  return false;
}

NetworkServer::SessionMatch NetworkServer::match_session(Uplink& up) {
  const auto& data = up.data;
  auto candidates = registry_.sessions_for(data.dev_addr);
  if (candidates.empty()) return SessionMatch::UnknownDevAddr;
  const auto message = mic_message(up.frame.phy_payload);
  const Mic received_mic = mic_of(up.frame.phy_payload);

  bool replay = false;
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
      ch = channel_index(settings_.region, candidate_mac->extra_channels, up.best.frequency_hz);
    }
    if (uplink_mic(*candidate, f.fcnt, up.dr, ch, data.fctrl.ack, message) == received_mic) {
      up.session = candidate;
      up.session_mac = std::move(candidate_mac);
      up.full = f;
      break;
    }
    // The counter values below the expected one: an old frame played again, or an ABP device
    // that restarted counting from zero.
    const std::uint32_t window = candidate->f_cnt_up & 0xFFFF0000u;
    for (std::uint32_t older :
         {window | data.fcnt16, window >= 0x10000u ? (window - 0x10000u) | data.fcnt16 : 0xFFFFFFFFu}) {
      if (older == 0xFFFFFFFFu || older >= candidate->f_cnt_up) continue;
      if (uplink_mic(*candidate, older, up.dr, ch, data.fctrl.ack, message) != received_mic) continue;
      if (device->abp && device->fcnt_policy == "reset-allowed" && older == data.fcnt16) {
        up.session = candidate;
        up.full = FullFCnt{older, false};
        up.counter_reset = true;
      } else {
        replay = true;
        accept_as_late(up, *candidate, older, std::move(candidate_mac));
      }
      break;
    }
    if (up.session || replay) break;
  }
  if (replay) return SessionMatch::Replay;
  if (!up.session) return SessionMatch::BadMic;
  return SessionMatch::Found;
}

// Several instances: an older counter, with a valid MIC, of a frame claimed before the device's
// newer frame that moved FCntUp past it (late_uplink.h) is the session's frame after all — late.
// The counter leaves the session's skipped list with this frame's session write (conditional on
// the generation: of two instances taking it, one stores it).
void NetworkServer::accept_as_late(Uplink& up, schema::DeviceSession& candidate, std::uint32_t f_cnt,
                                   std::optional<MacState> candidate_mac) {
  if (!up.frame.claim) return;  // one instance (or an unclaimed frame): frames arrive in order
  auto mac = candidate_mac ? std::move(*candidate_mac) : parse_mac_state(candidate.mac_state);
  if (!netserver::take_late(mac.skipped_f_cnts, f_cnt, up.frame.claim->claimed_at_ms)) return;
  up.session = &candidate;
  up.session_mac = std::move(mac);
  up.full = FullFCnt{f_cnt, false};
  up.late = true;
}

// A repeated counter is a retransmission (answered again, not stored again). A new one moves
// FCntUp on and enters the ADR history.
void NetworkServer::take_frame_counter(Uplink& up) {
  up.device = registry_.device(up.session->dev_eui);
  up.retransmission = up.full.repeated && up.session->has_uplink() && !up.counter_reset && !up.late;
  up.confirmed = is_confirmed(up.data.mhdr.mtype);
  up.now_system = std::chrono::system_clock::now();
  up.now_unix = schema::unix_now();
  if (up.retransmission) ++counters_.uplink_retransmissions;
  std::tie(up.gps_time, up.gps_from_gateway) = maccommand::reception_gps_time(up.frame);

  up.updated = *up.session;
  up.mac = up.session_mac ? std::move(*up.session_mac) : parse_mac_state(up.updated.mac_state);
  if (up.late) return;
  if (!up.retransmission) {
    // Several instances: what this frame skips may still be on its way through another.
    if (up.frame.claim)
      record_skipped(up.mac.skipped_f_cnts, up.updated.f_cnt_up, up.full.fcnt, up.frame.claim->claimed_at_ms);
    up.updated.f_cnt_up = up.full.fcnt + 1;
    up.updated.last_uplink_at = up.now_unix;
    up.updated.dr = up.dr;
    double best_snr = up.best.snr_db.value_or(-20.0);
    for (const auto& rx : up.frame.receptions) best_snr = std::max(best_snr, rx.snr_db.value_or(best_snr));
    up.mac.record_uplink(best_snr, up.full.fcnt);
  }
}

// FOpts (1.1), then FRMPayload with the network key on FPort 0, AppSKey otherwise.
void NetworkServer::decrypt(Uplink& up) {
  const auto& data = up.data;
  const auto& keys = up.session->keys;
  up.mac_bytes =
      up.session->is_lorawan_11() && !data.fopts.empty()
          ? decrypt_fopts(keys.nwk_s_enc_key, Direction::Uplink, data.dev_addr, up.full.fcnt, false, data.fopts)
          : data.fopts;
  if (!data.fport) return;
  if (*data.fport == 0) {
    auto port0 =
        decrypt_frm_payload(keys.nwk_s_enc_key, Direction::Uplink, data.dev_addr, up.full.fcnt, data.frm_payload);
    up.mac_bytes.insert(up.mac_bytes.end(), port0.begin(), port0.end());
  } else {
    up.app_payload =
        decrypt_frm_payload(keys.app_s_key, Direction::Uplink, data.dev_addr, up.full.fcnt, data.frm_payload);
  }
}

// Each of the device's commands to its handler (netserver/maccommand/), in the order sent.
void NetworkServer::handle_mac_commands(Uplink& up) {
  const bool v11 = up.session->is_lorawan_11();
  for (const auto& command : decode_uplink_mac_commands(up.mac_bytes).commands) {
    if (std::holds_alternative<LinkCheckReq>(command)) {
      up.answers.push_back(maccommand::link_check_answer(up.frame.receptions, up.best));
    } else if (const auto* rekey = std::get_if<RekeyInd>(&command); rekey && v11) {
      up.answers.push_back(maccommand::rekey_confirmation(*rekey));
    } else if (std::holds_alternative<DeviceTimeReq>(command)) {
      up.answers.push_back(maccommand::device_time_answer(up.gps_time));
    } else if (const auto* status = std::get_if<DevStatusAns>(&command)) {
      up.statuses.push_back(maccommand::dev_status_event(*status, up.device, up.now_system));
    } else if (std::holds_alternative<RXTimingSetupAns>(command)) {
      // RXParamSetupAns and RXTimingSetupAns are sticky: the device repeats them in every
      // uplink until it receives a downlink, so an uplink carrying one is always answered.
      up.sticky_answer = true;
      maccommand::on_rx_timing_setup_ans(up.mac, up.updated);
    } else if (const auto* ans = std::get_if<RXParamSetupAns>(&command)) {
      up.sticky_answer = true;
      maccommand::on_rx_param_setup_ans(*ans, up.mac, up.updated);
    } else if (const auto* ans = std::get_if<NewChannelAns>(&command)) {
      maccommand::on_new_channel_ans(*ans, up.mac);
    } else if (const auto* ans = std::get_if<LinkADRAns>(&command)) {
      maccommand::on_link_adr_ans(*ans, up.mac, up.updated);
    }
  }
}

// ADR only on a new frame that asks for it (FCtrl.ADR).
void NetworkServer::request_link_adr(Uplink& up) {
  if (up.retransmission || !up.data.fctrl.adr) return;
  if (auto req = maccommand::link_adr_request(settings_.region, settings_.installation_margin_db, up.best.data_rate,
                                              up.dr, up.updated, up.mac)) {
    up.answers.push_back(*req);
  }
}

// Bring the session's receive windows to the configuration (a session from an older
// configuration, or an ABP one). Asked again after an hour when unanswered or refused.
void NetworkServer::request_rx_setup(Uplink& up) {
  if (up.retransmission || up.now_unix - up.mac.rx_setup_requested_at < maccommand::kMacRequestRetryS) return;
  bool asked = false;
  if (auto req = maccommand::rx_timing_setup_request(up.updated, settings_.rx1_delay_s, up.mac)) {
    up.answers.push_back(*req);
    asked = true;
  }
  if (auto req = maccommand::rx_param_setup_request(up.updated, settings_.rx1_dr_offset, settings_.region, up.mac)) {
    up.answers.push_back(*req);
    asked = true;
  }
  if (asked) up.mac.rx_setup_requested_at = up.now_unix;
}

void NetworkServer::request_dev_status(Uplink& up) {
  if (auto req = maccommand::dev_status_request(settings_.dev_status_interval, dev_status_budget_, up.mac, up.now_unix,
                                                counters_.dev_status_deferred)) {
    up.answers.push_back(*req);
  }
}

void NetworkServer::request_new_channel(Uplink& up) {
  if (up.retransmission) return;
  if (auto req =
          maccommand::new_channel_request(settings_.region, settings_.extra_channels_hz,
                                          std::span<const DownlinkMacCommand>(up.answers), up.mac, up.now_unix)) {
    up.answers.push_back(*req);
  }
}

// The application server sees the frame first, so that what it queues in answer (a KARAT
// time correction) can go out in this uplink's own receive window.
void NetworkServer::send_uplink_event(Uplink& up, schema::UnitOfWork& work) {
  if (up.retransmission) return;
  UplinkEvent event;
  event.deduplication_id = new_uuid();
  event.received_at = up.now_system;
  event.device = up.device;
  event.dev_addr = up.data.dev_addr;
  event.adr = up.data.fctrl.adr;
  event.dr = up.dr;
  event.f_cnt = up.full.fcnt;
  event.f_port = up.data.fport;
  event.confirmed = up.confirmed;
  event.data = std::move(up.app_payload);
  event.phy_payload_size = up.frame.phy_payload.size();
  event.receptions = &up.frame.receptions;
  event.network_time = to_system_time(
      std::chrono::duration_cast<std::chrono::nanoseconds>(utc_from_gps_time(up.gps_time).time_since_epoch()));
  event.network_time_from_gps = up.gps_from_gateway;
  sink_.uplink(work, event);
}

// Most uplinks find the queue empty: skip both lookups when the device has no row at all
// (after the sink, so a correction it just queued is seen).
void NetworkServer::expire_downlink_queue(Uplink& up, schema::UnitOfWork& work) {
  const auto dev_eui = up.session->dev_eui;
  if (!queue_may_hold(dev_eui)) return;
  // As ChirpStack reports an expired queue item: a log EXPIRED, and an ack that did not come
  // (whether the item was never sent, or sent confirmed and never acknowledged).
  for (const auto& expired : schema::take_expired_downlinks(db_, dev_eui, up.now_unix)) {
    const bool sent = expired.f_cnt_down.has_value();
    sink_.log(work, LogEvent{up.now_system,
                             up.device,
                             "WARNING",
                             "EXPIRED",
                             sent ? "queued downlink expired before the device acknowledged it"
                                  : "queued downlink expired before it could be sent",
                             {{"queueItemId", expired.queue_item_id}}});
    sink_.ack(work, AckEvent{up.now_system, up.device, expired.queue_item_id, false, expired.f_cnt_down.value_or(0)});
  }
  up.queue = schema::pending_downlinks(db_, dev_eui, up.now_unix);
}

// FCtrl.ACK acknowledges the confirmed downlink at the head of the queue.
void NetworkServer::acknowledge_confirmed_downlink(Uplink& up, schema::UnitOfWork& work) {
  auto& queue = up.queue;
  if (!up.data.fctrl.ack || queue.empty() || !queue.front().confirmed || !queue.front().f_cnt_down) return;
  sink_.ack(work, AckEvent{up.now_system, up.device, queue.front().queue_item_id, true, *queue.front().f_cnt_down});
  schema::delete_downlink(db_, queue.front().id);
  queue.erase(queue.begin());
}

// The class A answer: ACK, MAC answers and requests, and the next queued payload that fits, in
// a window booked on a gateway that heard the uplink (netserver/scheduling/). The network's own
// MAC requests go only at housekeeping priority; when that cannot be booked they are left out
// (asked again at a later uplink) and the rest goes at its own priority. When nothing can be
// booked, nothing is sent and nothing changes: the queue item stays queued, FCntDown is not
// used, the device retransmits a confirmed uplink.
void NetworkServer::plan_class_a_answer(Uplink& up) {
  const bool requests = up.answers.size() > up.first_request;
  const bool answer_needed =
      up.confirmed || up.first_request > 0 || !up.queue.empty() || up.data.fctrl.adr_ack_req || up.sticky_answer;
  if (!requests && !answer_needed) return;
  if (up.frame.taken_over) {
    // Taken over from a dead instance after its windows were due (network_server.h): stored and
    // announced, not answered; the requests are asked again at a later uplink, queued payloads
    // stay queued, a confirmed uplink is retransmitted by the device.
    if (requests) up.before_requests.restore(up.mac);
    ++counters_.answers_not_owed;
    return;
  }
  auto refusal = scheduling::Refusal::NoGateway;
  std::optional<DownlinkPlan> plan;
  if (requests) plan = plan_answer(up, up.answers.size(), refusal);
  if (!plan && requests) {
    up.before_requests.restore(up.mac);
    ++counters_.mac_requests_deferred;
    ++scheduler_.counters(up.best.gateway_eui).deferred;
  }
  if (!plan && answer_needed) {
    plan = plan_answer(up, up.first_request, refusal);
    if (!plan) count_not_planned(up.session->dev_eui, up.best.gateway_eui, refusal);
  }
  up.plan = std::move(plan);
}

std::optional<NetworkServer::DownlinkPlan> NetworkServer::plan_answer(Uplink& up, std::size_t commands,
                                                                      scheduling::Refusal& refusal) {
  const auto& data = up.data;
  const auto& best = up.best;
  auto& updated = up.updated;
  const auto& queue = up.queue;
  const auto mac_commands = std::span<const DownlinkMacCommand>(up.answers).first(commands);
  DownlinkContent content;
  content.ack = up.confirmed;
  content.acked_fcnt_up = static_cast<std::uint16_t>(up.full.fcnt & 0xFFFF);
  content.adr = data.fctrl.adr;
  content.mac_commands = encode_mac_commands(mac_commands);
  if (content.mac_commands.size() > kMaxFOptsSize) content.mac_commands.resize(0);
  auto rx1_dr = settings_.region.rx1_data_rate(up.dr, static_cast<std::uint8_t>(updated.rx1_dr_offset));
  const auto rx2 = settings_.region.rx2_default();
  const std::uint8_t rx2_dr = updated.rx2_dr ? static_cast<std::uint8_t>(*updated.rx2_dr) : rx2.data_rate;
  const std::uint32_t rx2_freq = updated.rx2_frequency ? *updated.rx2_frequency : rx2.frequency_hz;
  const std::size_t room_rx1 = rx1_dr ? settings_.region.max_frm_payload_size(*rx1_dr).value_or(0) : 0;
  const std::size_t room_rx2 = settings_.region.max_frm_payload_size(rx2_dr).value_or(0);
  const std::size_t room =
      std::min(room_rx1, room_rx2) - std::min(std::min(room_rx1, room_rx2), content.mac_commands.size());
  std::optional<schema::QueueItem> item;
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
  if (!built) {
    spdlog::warn("downlink for {} not built: {}", eui64_to_string(up.session->dev_eui), built.error());
    return std::nullopt;
  }
  if (!rx1_dr) return std::nullopt;
  const auto delay1 = static_cast<std::uint32_t>(updated.rx1_delay * 1'000'000);
  auto rx1 = tx_packet(settings_.region, settings_.region.rx1_frequency(best.frequency_hz), *rx1_dr,
                       best.counter.after(std::chrono::microseconds(delay1)), built->phy_payload);
  auto rx2_packet = tx_packet(settings_.region, rx2_freq, rx2_dr,
                              best.counter.after(std::chrono::microseconds(delay1 + 1'000'000)), built->phy_payload);
  if (!rx1 || !rx2_packet) return std::nullopt;

  scheduling::DownlinkContents contents;
  contents.ack = up.confirmed;
  contents.queue_item = item.has_value() && !item->clock_correction;
  contents.queued_clock_correction = item.has_value() && item->clock_correction;
  contents.device_answers = data.fctrl.adr_ack_req || up.sticky_answer;
  for (std::size_t i = 0; i < std::min(commands, up.first_request); ++i) {
    if (std::holds_alternative<DeviceTimeAns>(up.answers[i])) {
      contents.device_time = true;
    } else {
      contents.device_answers = true;
    }
  }
  DownlinkPlan plan{up.session->dev_eui,
                    best.gateway_eui,
                    std::move(*rx1),
                    std::move(*rx2_packet),
                    item,
                    built->f_cnt_down,
                    false,
                    best.counter,
                    other_gateways(up.frame.receptions, best)};
  // The network's requests go only while housekeeping's share of the airtime lasts.
  plan.priority =
      commands > up.first_request ? scheduling::DownlinkPriority::Housekeeping : scheduling::priority_of(contents);
  if (auto booked = book_window(plan, true); !booked) {
    refusal = booked.error();
    return std::nullopt;
  }
  advance_f_cnt_down(updated, *built);
  if (item && item->confirmed) {
    schema::mark_downlink_sent(db_, item->id, built->f_cnt_down);
  } else if (item) {
    schema::delete_downlink(db_, item->id);
  }
  return plan;
}

void NetworkServer::send_status_events(Uplink& up, schema::UnitOfWork& work) {
  for (auto& status : up.statuses) {
    status.deduplication_id = new_uuid();
    sink_.status(work, status);
  }
}

// The frame's writes are in: memory follows, and what waits for the commit joins the batch.
void NetworkServer::add_to_batch(Uplink& up) {
  // Later frames of the same pass see the new session at once; should the pass's commit fail,
  // the registry is reloaded from the database (abandon_batch).
  *up.session = up.updated;
  auto& b = *batch_;
  ++b.frames;
  b.first_seen.push_back(up.frame.first_seen);
  b.events = true;
  if (!up.retransmission) ++b.uplinks_accepted;
  if (up.late) {
    // Its gateways are older news than the newer frame's (class C goes through those).
    ++b.late_uplinks;
    return;
  }
  const auto* second = runner_up(up.frame.receptions, up.best);
  b.last_gateways.emplace_back(up.session->dev_eui,
                               LastGateways{up.best.gateway_eui, second ? second->gateway_eui : 0});
  if (up.plan) {
    // RX1 is one second after the uplink: commit now rather than after the rest of the pass, so
    // this answer leaves no later than with one transaction per frame.
    b.downlinks.push_back(std::move(*up.plan));
    commit_batch();
  }
}

void NetworkServer::deliver_class_c() {
  const auto now_unix = schema::unix_now();
  const auto now = std::chrono::steady_clock::now();
  for (auto dev_eui : schema::devices_with_unsent_downlinks(db_)) {
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
    auto queue = schema::pending_downlinks(db_, dev_eui, now_unix);
    auto next = std::find_if(queue.begin(), queue.end(), [](const auto& q) { return !q.f_cnt_down; });
    if (next == queue.end()) continue;
    const auto rx2 = settings_.region.rx2_default();
    const std::uint8_t dr = session->rx2_dr ? static_cast<std::uint8_t>(*session->rx2_dr) : rx2.data_rate;
    const std::uint32_t freq = session->rx2_frequency ? *session->rx2_frequency : rx2.frequency_hz;
    if (next->data.size() > settings_.region.max_frm_payload_size(dr).value_or(0)) continue;
    schema::Transaction tx(db_);
    // Several uchetd on one PostgreSQL may each deliver this queue (each for the devices whose
    // uplinks it processed): the session is read again holding its row, so that the FCntDown
    // below follows whatever another instance sent, and two instances never use the same one.
    if (db_.dialect() == schema::Dialect::postgresql) {
      auto fresh = schema::find_session_for_update(db_, dev_eui);
      if (!fresh) continue;
      registry_.put_session(*fresh);
      session = registry_.session(dev_eui);
    }
    DownlinkContent content;
    content.confirmed = next->confirmed;
    content.f_port = next->f_port;
    content.application_payload = next->data;
    content.f_pending = std::next(next) != queue.end();
    auto built = build_downlink(*session, content);
    if (!built) continue;
    auto packet = tx_packet(settings_.region, freq, dr, gateway_bridge::Immediately{}, built->phy_payload);
    if (!packet) continue;
    DownlinkPlan plan{dev_eui, via.front(), std::move(*packet), std::nullopt, *next, built->f_cnt_down, false};
    if (next->clock_correction) plan.priority = scheduling::DownlinkPriority::ClockCorrection;
    if (via.size() > 1)
      plan.other_gateways.emplace_back(via[1], gateway_bridge::CounterTime{});  // sent at once: no timing
    // Booked before anything is taken: with no window free the item simply stays queued.
    if (auto booked = book_window(plan, true); !booked) {
      count_not_planned(dev_eui, via.front(), booked.error());
      continue;
    }
    schema::DeviceSession updated = *session;
    advance_f_cnt_down(updated, *built);
    try {
      // The take is the claim: of two instances taking one item, the second finds it gone (on
      // PostgreSQL after waiting for the first's commit), gives back its booking, sends nothing.
      if (!schema::take_pending_downlink(db_, *next, built->f_cnt_down)) {
        scheduler_.release(plan.gateway_eui, plan.booking);
        ++counters_.downlinks_taken_elsewhere;
        continue;  // the transaction rolls back
      }
      schema::update_session_state(db_, updated);
      tx.commit();
    } catch (const schema::StaleSession&) {
      // Another instance changed the session (a frame, a join): nothing taken, the window freed;
      // the next poll delivers on the reloaded session.
      scheduler_.release(plan.gateway_eui, plan.booking);
      ++counters_.session_reloads;
      registry_.reload_session(db_, dev_eui);
      continue;  // tx rolls back what was taken from the queue
    } catch (const schema::StorageError& e) {
      // Not stored, so not sent: the item stays queued, and the window and its airtime (which
      // would otherwise count against the gateway's duty cycle for an hour) are free again.
      scheduler_.release(plan.gateway_eui, plan.booking);
      ++counters_.storage_failures;
      if (log_due("class C storage failure")) {
        spdlog::error(
            "storage failure, class C downlink for {} not sent, left queued (counted as storage_failures; logged "
            "at most once a minute): {}",
            eui64_to_string(dev_eui), e.what());
      }
      continue;  // the next poll tries again; the other devices go on now
    }
    *session = updated;
    send_planned(std::move(plan));
  }
}

}  // namespace uchet::netserver
