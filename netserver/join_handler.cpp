// OTAA: join-request → checks → new session → join-accept at JOIN_ACCEPT_DELAY1 (RX2 fallback).
#include <spdlog/spdlog.h>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/join_accept.h"
#include "netserver/mac_state.h"
#include "netserver/lorawan/keys.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/phy_payload.h"
#include "netserver/network_server_internal.h"
#include "netserver/radio_conversion.h"
#include "schema/sessions.h"

namespace uchet::netserver {

void NetworkServer::process_join(const ReceivedFrame& frame, const lorawan::JoinRequest& request) {
  using namespace lorawan;
  const auto dev_eui_text = eui64_to_string(request.dev_eui);
  const storage::Device* device = registry_.device(request.dev_eui);
  if (!device || device->abp) return reject(&NetworkCounters::join_unknown_device, "join from unknown device", dev_eui_text);
  if (!device->join_eui || *device->join_eui != request.join_eui) {
    return reject(&NetworkCounters::join_unknown_device, "join with wrong JoinEUI", dev_eui_text);
  }
  const bool v11 = device->mac_version == "1.1";
  const Key& root_key = v11 ? *device->nwk_key : *device->app_key;
  if (join_mic(root_key, mic_message(frame.phy_payload)) != request.mic) {
    return reject(&NetworkCounters::join_bad_mic, "join-request MIC mismatch", dev_eui_text);
  }
  // 1.0.4 and 1.1 devices count DevNonce up; older ones draw it at random.
  const bool counting_nonce = v11 || device->mac_version == "1.0.4";
  if (counting_nonce) {
    auto last = storage::max_dev_nonce(db_, request.dev_eui, request.join_eui);
    if (last && request.dev_nonce <= *last) {
      return reject(&NetworkCounters::join_nonce_reused, "DevNonce not increasing", dev_eui_text);
    }
  } else if (storage::dev_nonce_used(db_, request.dev_eui, request.join_eui, request.dev_nonce)) {
    return reject(&NetworkCounters::join_nonce_reused, "DevNonce reused", dev_eui_text);
  }

  const auto& best = best_reception(frame.receptions);
  auto uplink_dr = settings_.region.data_rate_index(to_lorawan_rate(best.data_rate));
  if (!uplink_dr) return reject(&NetworkCounters::malformed, "join-request at a data rate the region lacks", uplink_dr.error());

  storage::DeviceSession session;
  session.dev_eui = request.dev_eui;
  session.mac_version = device->mac_version;
  session.dev_addr = allocate_dev_addr(dev_addr_prefix_, rng_, [this](DevAddr a) { return registry_.dev_addr_in_use(a); });
  session.rx1_delay = settings_.rx1_delay_s;
  session.rx1_dr_offset = settings_.rx1_dr_offset;
  session.dr = *uplink_dr;
  session.created_at = storage::unix_now();

  const std::uint32_t join_nonce = (storage::join_nonce(db_, request.dev_eui) + 1) & 0xFFFFFF;
  JoinAccept accept;
  accept.join_nonce = join_nonce;
  accept.net_id = settings_.net_id;
  accept.dev_addr = session.dev_addr;
  accept.dl_settings.opt_neg = v11;
  accept.dl_settings.rx1_dr_offset = static_cast<std::uint8_t>(settings_.rx1_dr_offset);
  accept.dl_settings.rx2_data_rate = settings_.region.rx2_default().data_rate;
  accept.rx_delay = static_cast<std::uint8_t>(settings_.rx1_delay_s);
  if (!settings_.extra_channels_hz.empty()) {
    // Checked against the band when the settings were made; a failure here is a programming error.
    auto cf_list = settings_.region.build_cf_list(settings_.extra_channels_hz);
    if (!cf_list) return reject(&NetworkCounters::malformed, "CFList could not be built", cf_list.error());
    accept.cf_list = *cf_list;
    MacState mac;
    mac.extra_channels = settings_.extra_channels_hz;
    session.mac_state = to_json(mac);
  }
  Bytes plain = build_join_accept(accept);
  Key encryption_key = root_key;
  if (v11) {
    Key js_int_key = derive_js_int_key(*device->nwk_key, request.dev_eui);
    set_mic(plain, join_accept_mic_11(js_int_key, JoinReqType::JoinRequest, request.join_eui, request.dev_nonce,
                                      mic_message(plain)));
    session.keys = derive_session_keys_11(*device->nwk_key, *device->app_key, join_nonce, request.join_eui,
                                          request.dev_nonce);
  } else {
    set_mic(plain, join_mic(root_key, mic_message(plain)));
    session.keys = derive_session_keys_10(root_key, join_nonce, settings_.net_id, request.dev_nonce);
  }
  auto on_air = encrypt_join_accept(plain, encryption_key);
  if (!on_air) return reject(&NetworkCounters::malformed, "join-accept could not be built", on_air.error());

  // Plan both windows before committing, so a join that cannot be answered changes nothing.
  const auto timing = settings_.region.default_timing();
  const auto delay1 = static_cast<std::uint32_t>(std::chrono::microseconds(timing.join_accept_delay1).count());
  const auto delay2 = static_cast<std::uint32_t>(std::chrono::microseconds(timing.join_accept_delay2).count());
  auto rx1_dr = settings_.region.rx1_data_rate(*uplink_dr, 0);
  auto rx2 = settings_.region.rx2_default();
  if (!rx1_dr) return reject(&NetworkCounters::malformed, "no RX1 data rate", rx1_dr.error());
  auto rx1_packet = tx_packet(settings_.region, settings_.region.rx1_frequency(best.frequency_hz), *rx1_dr,
                              best.counter.after(std::chrono::microseconds(delay1)), *on_air);
  auto rx2_packet = tx_packet(settings_.region, rx2.frequency_hz, rx2.data_rate, best.counter.after(std::chrono::microseconds(delay2)), *on_air);
  if (!rx1_packet || !rx2_packet) return reject(&NetworkCounters::malformed, "join-accept transmission", "bad radio parameters");

  // Inside the pass's group-commit transaction (see network_server.h): this frame's own writes.
  storage::Savepoint frame_writes(db_);
  auto work = frame_writes.work();  // what the sink is handed (netserver/events.h)
  storage::record_dev_nonce(db_, request.dev_eui, request.join_eui, request.dev_nonce);
  storage::set_join_nonce(db_, request.dev_eui, join_nonce);
  storage::save_session(db_, session);  // replaces the old session in the same transaction
  JoinEvent event;
  event.deduplication_id = new_uuid();
  event.time = std::chrono::system_clock::now();
  event.device = device;
  event.dev_addr = session.dev_addr;
  sink_.joined(work, event);
  frame_writes.release();
  registry_.put_session(session);  // reloaded from the database should the pass's commit fail
  spdlog::debug("join accepted: {} DevAddr {}", dev_eui_text, dev_addr_to_string(session.dev_addr));

  // Sent after the pass's commit: JOIN_ACCEPT_DELAY1 is 5 s, a pass takes milliseconds.
  auto& b = *batch_;
  ++b.frames;
  b.events = true;
  ++b.joins_accepted;
  DownlinkPlan plan;
  plan.dev_eui = request.dev_eui;
  plan.gateway_eui = best.gateway_eui;
  plan.rx1 = std::move(*rx1_packet);
  plan.rx2 = std::move(*rx2_packet);
  plan.join_accept = true;
  plan.uplink_at = best.counter;
  plan.other_gateways = other_gateways(frame.receptions, best);
  b.downlinks.push_back(std::move(plan));
}

}  // namespace uchet::netserver
