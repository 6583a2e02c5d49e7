// OTAA: join-request → checks → new session → join-accept at JOIN_ACCEPT_DELAY1 (RX2 fallback).
// process_join reads as the list of its steps; each step is a member function over the Join
// context below (the same shape as process_data in data_handler.cpp). Every check and every
// piece of the answer is settled before the first write, so a join that cannot be answered
// changes nothing.
#include <spdlog/spdlog.h>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/join_accept.h"
#include "netserver/lorawan/keys.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/phy_payload.h"
#include "netserver/mac_state.h"
#include "netserver/network_server_internal.h"
#include "netserver/radio_conversion.h"
#include "schema/sessions.h"

namespace uchet::netserver {

using namespace lorawan;

// The join-request being handled, carried through the steps of process_join.
struct NetworkServer::Join {
  const ReceivedFrame& frame;
  const JoinRequest& request;
  const gateway_bridge::Reception& best;  // the reception the join-accept is timed on
  std::string dev_eui_text;
  // identify_device:
  const schema::Device* device = nullptr;
  bool v11 = false;               // LoRaWAN 1.1: NwkKey for the MIC, JSIntKey for the accept
  const Key* root_key = nullptr;  // AppKey (1.0.x) or NwkKey (1.1)
  // start_session:
  std::uint8_t dr = 0;
  std::uint32_t previous_join_nonce = 0, join_nonce = 0;
  schema::DeviceSession session;
  // build_accept:
  Bytes on_air;
  // plan_windows: the join-accept, booked on a gateway (netserver/scheduling/)
  std::optional<DownlinkPlan> plan;
};

void NetworkServer::process_join(const ReceivedFrame& frame, const JoinRequest& request) {
  Join join{frame, request, best_reception(frame.receptions), eui64_to_string(request.dev_eui)};
  if (!identify_device(join)) return;
  if (!check_dev_nonce(join)) return;
  if (!start_session(join)) return;
  if (!build_accept(join)) return;
  if (!plan_windows(join)) return;
  if (!store_join(join)) return;
  queue_join_accept(join);
}

// A known OTAA device with this JoinEUI whose root key verifies the MIC.
bool NetworkServer::identify_device(Join& join) {
  const auto& request = join.request;
  join.device = registry_.device(request.dev_eui);
  if (!join.device || join.device->abp) {
    reject(&NetworkCounters::join_unknown_device, "join from unknown device", join.dev_eui_text);
    return false;
  }
  if (!join.device->join_eui || *join.device->join_eui != request.join_eui) {
    reject(&NetworkCounters::join_unknown_device, "join with wrong JoinEUI", join.dev_eui_text);
    return false;
  }
  join.v11 = join.device->mac_version == "1.1";
  join.root_key = join.v11 ? &*join.device->nwk_key : &*join.device->app_key;
  if (join_mic(*join.root_key, mic_message(join.frame.phy_payload)) != request.mic) {
    reject(&NetworkCounters::join_bad_mic, "join-request MIC mismatch", join.dev_eui_text);
    return false;
  }
  return true;
}

// Replay protection: 1.0.4 and 1.1 devices count DevNonce up; older ones draw it at random, so
// only a nonce already used is refused. These reads refuse early what is certainly refused;
// the arbiter is the DevNonce's insert in store_join (another instance may be handling the
// same join-request).
bool NetworkServer::check_dev_nonce(Join& join) {
  const auto& request = join.request;
  const bool counting_nonce = join.v11 || join.device->mac_version == "1.0.4";
  if (counting_nonce) {
    auto last = schema::max_dev_nonce(db_, request.dev_eui, request.join_eui);
    if (last && request.dev_nonce <= *last) {
      reject(&NetworkCounters::join_nonce_reused, "DevNonce not increasing", join.dev_eui_text);
      return false;
    }
  } else if (schema::dev_nonce_used(db_, request.dev_eui, request.join_eui, request.dev_nonce)) {
    reject(&NetworkCounters::join_nonce_reused, "DevNonce reused", join.dev_eui_text);
    return false;
  }
  return true;
}

// The new session's radio settings, a fresh DevAddr and the next JoinNonce.
bool NetworkServer::start_session(Join& join) {
  auto uplink_dr = settings_.region.data_rate_index(to_lorawan_rate(join.best.data_rate));
  if (!uplink_dr) {
    reject(&NetworkCounters::malformed, "join-request at a data rate the region lacks", uplink_dr.error());
    return false;
  }
  join.dr = *uplink_dr;
  auto& session = join.session;
  session.dev_eui = join.request.dev_eui;
  session.mac_version = join.device->mac_version;
  session.dev_addr =
      allocate_dev_addr(dev_addr_prefix_, rng_, [this](DevAddr a) { return registry_.dev_addr_in_use(a); });
  session.rx1_delay = settings_.rx1_delay_s;
  session.rx1_dr_offset = settings_.rx1_dr_offset;
  session.dr = join.dr;
  session.created_at = schema::unix_now();
  join.previous_join_nonce = schema::join_nonce(db_, join.request.dev_eui);
  join.join_nonce = (join.previous_join_nonce + 1) & 0xFFFFFF;
  return true;
}

// The join-accept (with the configured extra channels as a CFList), its MIC, the session keys
// and the encrypted frame.
bool NetworkServer::build_accept(Join& join) {
  const auto& request = join.request;
  auto& session = join.session;
  JoinAccept accept;
  accept.join_nonce = join.join_nonce;
  accept.net_id = settings_.net_id;
  accept.dev_addr = session.dev_addr;
  accept.dl_settings.opt_neg = join.v11;
  accept.dl_settings.rx1_dr_offset = static_cast<std::uint8_t>(settings_.rx1_dr_offset);
  accept.dl_settings.rx2_data_rate = settings_.region.rx2_default().data_rate;
  accept.rx_delay = static_cast<std::uint8_t>(settings_.rx1_delay_s);
  if (!settings_.extra_channels_hz.empty()) {
    // Checked against the band when the settings were made; a failure here is a programming error.
    auto cf_list = settings_.region.build_cf_list(settings_.extra_channels_hz);
    if (!cf_list) {
      reject(&NetworkCounters::malformed, "CFList could not be built", cf_list.error());
      return false;
    }
    accept.cf_list = *cf_list;
    MacState mac;
    mac.extra_channels = settings_.extra_channels_hz;
    session.mac_state = to_json(mac);
  }
  Bytes plain = build_join_accept(accept);
  const Key& root_key = *join.root_key;
  if (join.v11) {
    Key js_int_key = derive_js_int_key(*join.device->nwk_key, request.dev_eui);
    set_mic(plain, join_accept_mic_11(js_int_key, JoinReqType::JoinRequest, request.join_eui, request.dev_nonce,
                                      mic_message(plain)));
    session.keys = derive_session_keys_11(*join.device->nwk_key, *join.device->app_key, join.join_nonce,
                                          request.join_eui, request.dev_nonce);
  } else {
    set_mic(plain, join_mic(root_key, mic_message(plain)));
    session.keys = derive_session_keys_10(root_key, join.join_nonce, settings_.net_id, request.dev_nonce);
  }
  auto on_air = encrypt_join_accept(plain, root_key);
  if (!on_air) {
    reject(&NetworkCounters::malformed, "join-accept could not be built", on_air.error());
    return false;
  }
  join.on_air = std::move(*on_air);
  return true;
}

// Both receive windows, timed on the best reception's counter: JOIN_ACCEPT_DELAY1 and 2, and
// one of them booked on a gateway that heard the request. When none is free the join is not
// answered and nothing is stored: the device's next join-request tries again.
bool NetworkServer::plan_windows(Join& join) {
  const auto timing = settings_.region.default_timing();
  const auto delay1 = std::chrono::duration_cast<std::chrono::microseconds>(timing.join_accept_delay1);
  const auto delay2 = std::chrono::duration_cast<std::chrono::microseconds>(timing.join_accept_delay2);
  auto rx1_dr = settings_.region.rx1_data_rate(join.dr, 0);
  auto rx2 = settings_.region.rx2_default();
  if (!rx1_dr) {
    reject(&NetworkCounters::malformed, "no RX1 data rate", rx1_dr.error());
    return false;
  }
  auto rx1_packet = tx_packet(settings_.region, settings_.region.rx1_frequency(join.best.frequency_hz), *rx1_dr,
                              join.best.counter.after(delay1), join.on_air);
  auto rx2_packet =
      tx_packet(settings_.region, rx2.frequency_hz, rx2.data_rate, join.best.counter.after(delay2), join.on_air);
  if (!rx1_packet || !rx2_packet) {
    reject(&NetworkCounters::malformed, "join-accept transmission", "bad radio parameters");
    return false;
  }
  DownlinkPlan plan;
  plan.dev_eui = join.request.dev_eui;
  plan.gateway_eui = join.best.gateway_eui;
  plan.rx1 = std::move(*rx1_packet);
  plan.rx2 = std::move(*rx2_packet);
  plan.join_accept = true;
  plan.uplink_at = join.best.counter;
  plan.other_gateways = other_gateways(join.frame.receptions, join.best);
  plan.priority = scheduling::priority_of({.join_accept = true});
  if (auto booked = book_window(plan, true); !booked) {
    count_not_planned(plan.dev_eui, join.best.gateway_eui, booked.error());
    return false;
  }
  join.plan = std::move(plan);
  return true;
}

// The nonces and the new session, written inside the pass's group-commit transaction (see
// network_server.h) with the join event; memory follows (reloaded from the database should
// the pass's commit fail). The DevNonce's insert decides a race: when it was recorded already
// (by another instance handling the same join-request, or a replay of it) or another join took
// the next JoinNonce first, nothing is stored, the booked window is freed and the join is
// refused as a reused nonce.
bool NetworkServer::store_join(Join& join) {
  const auto& request = join.request;
  schema::Savepoint frame_writes(db_);
  auto work = frame_writes.work();  // what the sink is handed (netserver/events.h)
  if (!schema::record_dev_nonce(db_, request.dev_eui, request.join_eui, request.dev_nonce) ||
      !schema::set_join_nonce(db_, request.dev_eui, join.previous_join_nonce, join.join_nonce)) {
    scheduler_.release(join.plan->gateway_eui, join.plan->booking);
    reject(&NetworkCounters::join_nonce_reused, "DevNonce used by a join stored meanwhile", join.dev_eui_text);
    return false;  // frame_writes rolls back
  }
  schema::save_session(db_, join.session);  // replaces the old session in the same transaction
  JoinEvent event;
  event.deduplication_id = new_uuid();
  event.time = std::chrono::system_clock::now();
  event.device = join.device;
  event.dev_addr = join.session.dev_addr;
  sink_.joined(work, event);
  frame_writes.release();
  registry_.put_session(join.session);
  spdlog::debug("join accepted: {} DevAddr {}", join.dev_eui_text, dev_addr_to_string(join.session.dev_addr));
  return true;
}

// Sent after the pass's commit: JOIN_ACCEPT_DELAY1 is 5 s, a pass takes milliseconds.
void NetworkServer::queue_join_accept(Join& join) {
  auto& b = *batch_;
  ++b.frames;
  b.first_seen.push_back(join.frame.first_seen);
  b.events = true;
  ++b.joins_accepted;
  b.downlinks.push_back(std::move(*join.plan));
}

}  // namespace uchet::netserver
