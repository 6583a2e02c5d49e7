#include "tools/sim/simulated_device.h"

#include <span>

#include "netserver/lorawan/channel_plan.h"
#include "netserver/lorawan/fcnt.h"
#include "netserver/lorawan/join_request.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/payload_crypto.h"
#include "netserver/lorawan/phy_payload.h"

namespace uchet::sim {
namespace {

using namespace lorawan;

DownlinkResult refuse(DownlinkFault fault, std::string reason) {
  return std::unexpected(DownlinkError{fault, std::move(reason)});
}

}  // namespace

std::string_view to_string(MacVersion version) {
  switch (version) {
    case MacVersion::V1_0_2:
      return "1.0.2";
    case MacVersion::V1_0_3:
      return "1.0.3";
    case MacVersion::V1_0_4:
      return "1.0.4";
    case MacVersion::V1_1:
      return "1.1";
  }
  return "?";
}

Result<MacVersion> parse_mac_version(std::string_view text) {
  for (auto v : {MacVersion::V1_0_2, MacVersion::V1_0_3, MacVersion::V1_0_4, MacVersion::V1_1}) {
    if (text == to_string(v)) return v;
  }
  return std::unexpected("unsupported MAC version \"" + std::string(text) + "\" (1.0.2, 1.0.3, 1.0.4 or 1.1)");
}

SimulatedDevice::SimulatedDevice(DeviceIdentity identity, Region region)
    : identity_(std::move(identity)), region_(region), next_dev_nonce_(identity_.first_dev_nonce) {}

const Key& SimulatedDevice::join_root_key() const {
  return identity_.mac_version == MacVersion::V1_1 && identity_.nwk_key ? *identity_.nwk_key : identity_.app_key;
}

const DeviceSession& SimulatedDevice::session() const { return *session_; }

Bytes SimulatedDevice::join_request() {
  JoinRequest request{identity_.join_eui, identity_.dev_eui, next_dev_nonce_, {}};
  last_dev_nonce_ = next_dev_nonce_++;
  Bytes frame = build_join_request(request);
  set_mic(frame, join_mic(join_root_key(), mic_message(frame)));
  return frame;
}

void SimulatedDevice::activate_abp(const DeviceSession& session) {
  session_ = session;
  fcnt_up_ = 0;
  n_fcnt_down_.reset();
  a_fcnt_down_.reset();
  last_confirmed_uplink_fcnt_.reset();
  last_confirmed_downlink_fcnt_.reset();
}

Result<DeviceSession> SimulatedDevice::accept_join(ByteView on_air) {
  if (!last_dev_nonce_) return std::unexpected("no join-request was sent");
  const bool v11_device = identity_.mac_version == MacVersion::V1_1;
  if (v11_device && !identity_.nwk_key) return std::unexpected("a LoRaWAN 1.1 device needs a NwkKey");
  auto plain = decrypt_join_accept(on_air, join_root_key());
  if (!plain) return std::unexpected(plain.error());
  auto accept = parse_join_accept(*plain);
  if (!accept) return std::unexpected(accept.error());

  DeviceSession s;
  s.dev_addr = accept->dev_addr;
  s.net_id = accept->net_id;
  s.join_nonce = accept->join_nonce;
  s.dev_nonce = *last_dev_nonce_;
  s.dl_settings = accept->dl_settings;
  s.rx_delay_s = static_cast<std::uint8_t>((accept->rx_delay & 0x0F) == 0 ? 1 : accept->rx_delay & 0x0F);
  s.lorawan_11 = v11_device && accept->dl_settings.opt_neg;
  if (accept->cf_list) {
    auto frequencies = parse_cf_list(*accept->cf_list);
    if (!frequencies) return std::unexpected("join-accept CFList: " + frequencies.error());
    for (auto hz : *frequencies)
      if (hz != 0) s.extra_channels_hz.push_back(hz);
  }
  Mic expected;
  if (s.lorawan_11) {
    expected = join_accept_mic_11(derive_js_int_key(*identity_.nwk_key, identity_.dev_eui), JoinReqType::JoinRequest,
                                  identity_.join_eui, s.dev_nonce, mic_message(*plain));
    s.keys =
        derive_session_keys_11(*identity_.nwk_key, identity_.app_key, s.join_nonce, identity_.join_eui, s.dev_nonce);
  } else {
    expected = join_mic(join_root_key(), mic_message(*plain));
    s.keys = derive_session_keys_10(join_root_key(), s.join_nonce, s.net_id, s.dev_nonce);
  }
  if (expected != accept->mic) return std::unexpected("join-accept MIC mismatch");
  const bool counts_join_nonce = v11_device || identity_.mac_version == MacVersion::V1_0_4;
  if (counts_join_nonce && last_join_nonce_ && s.join_nonce <= *last_join_nonce_) {
    return std::unexpected("JoinNonce " + std::to_string(s.join_nonce) + " not above the last accepted " +
                           std::to_string(*last_join_nonce_));
  }

  last_join_nonce_ = s.join_nonce;
  session_ = s;
  fcnt_up_ = 0;
  n_fcnt_down_.reset();
  a_fcnt_down_.reset();
  last_confirmed_uplink_fcnt_.reset();
  last_confirmed_downlink_fcnt_.reset();
  return s;
}

Result<Bytes> SimulatedDevice::uplink(const UplinkOptions& options) {
  if (!session_) return std::unexpected("the device has not joined");
  const DeviceSession& s = *session_;
  const std::uint32_t fcnt = options.fcnt.value_or(fcnt_up_);

  DataFrame frame;
  frame.mhdr.mtype = options.confirmed ? MType::ConfirmedDataUp : MType::UnconfirmedDataUp;
  frame.dev_addr = s.dev_addr;
  frame.fctrl.adr = options.adr;
  frame.fctrl.adr_ack_req = options.adr_ack_req;
  frame.fctrl.ack = options.ack;
  frame.fcnt16 = static_cast<std::uint16_t>(fcnt & 0xFFFF);
  Bytes fopts = encode_mac_commands(std::span<const UplinkMacCommand>(options.mac_commands));
  if (fopts.size() > kMaxFOptsSize) return std::unexpected("MAC commands exceed the 15 bytes of FOpts");
  frame.fopts = s.lorawan_11 && !fopts.empty()
                    ? encrypt_fopts(s.keys.nwk_s_enc_key, Direction::Uplink, s.dev_addr, fcnt, false, fopts)
                    : fopts;
  frame.fport = options.fport;
  if (options.fport) {
    const Key& key = *options.fport == 0 ? s.keys.nwk_s_enc_key : s.keys.app_s_key;
    frame.frm_payload = encrypt_frm_payload(key, Direction::Uplink, s.dev_addr, fcnt, options.payload);
  } else if (!options.payload.empty()) {
    return std::unexpected("a payload needs an FPort");
  }
  auto bytes = build_data_frame(frame);
  if (!bytes) return std::unexpected(bytes.error());

  Mic mic;
  if (s.lorawan_11) {
    const std::uint16_t conf_fcnt = options.ack && last_confirmed_downlink_fcnt_
                                        ? static_cast<std::uint16_t>(*last_confirmed_downlink_fcnt_ & 0xFFFF)
                                        : 0;
    mic = data_uplink_mic_11(
        s.keys.f_nwk_s_int_key, s.keys.s_nwk_s_int_key, s.dev_addr, fcnt, conf_fcnt, options.channel.data_rate,
        channel_index(region_, s.extra_channels_hz, options.channel.frequency_hz), mic_message(*bytes));
  } else {
    mic = data_mic_10(s.keys.nwk_s_key(), Direction::Uplink, s.dev_addr, fcnt, mic_message(*bytes));
  }
  set_mic(*bytes, mic);
  fcnt_up_ = fcnt + 1;
  if (options.confirmed) last_confirmed_uplink_fcnt_ = fcnt;
  return bytes;
}

DownlinkResult SimulatedDevice::receive_downlink(ByteView phy_payload) {
  auto frame = parse_data_frame(phy_payload);
  if (!frame) return refuse(DownlinkFault::Malformed, frame.error());
  if (frame->direction() != Direction::Downlink) return refuse(DownlinkFault::Malformed, "not a downlink");
  if (!session_) return refuse(DownlinkFault::NotForMe, "the device has not joined");
  const DeviceSession& s = *session_;
  if (frame->dev_addr != s.dev_addr) return refuse(DownlinkFault::NotForMe, "another DevAddr");

  DeviceDownlink out;
  out.confirmed = is_confirmed(frame->mhdr.mtype);
  out.fctrl = frame->fctrl;
  out.fport = frame->fport;
  out.a_fcnt_down = s.lorawan_11 && frame->fport && *frame->fport > 0;
  auto& counter = out.a_fcnt_down ? a_fcnt_down_ : n_fcnt_down_;
  const FullFCnt full = reconstruct_fcnt_down(counter, frame->fcnt16);
  out.fcnt = full.fcnt;
  out.duplicate = full.repeated;

  const ByteView message = mic_message(phy_payload);
  Mic expected;
  if (s.lorawan_11) {
    const std::uint16_t conf_fcnt = frame->fctrl.ack && last_confirmed_uplink_fcnt_
                                        ? static_cast<std::uint16_t>(*last_confirmed_uplink_fcnt_ & 0xFFFF)
                                        : 0;
    expected = data_downlink_mic_11(s.keys.s_nwk_s_int_key, s.dev_addr, full.fcnt, conf_fcnt, message);
  } else {
    expected = data_mic_10(s.keys.nwk_s_key(), Direction::Downlink, s.dev_addr, full.fcnt, message);
  }
  if (expected != frame->mic) return refuse(DownlinkFault::BadMic, "downlink MIC mismatch");

  counter = full.fcnt;
  if (out.confirmed) last_confirmed_downlink_fcnt_ = full.fcnt;
  Bytes mac_bytes = s.lorawan_11 && !frame->fopts.empty()
                        ? decrypt_fopts(s.keys.nwk_s_enc_key, Direction::Downlink, s.dev_addr, full.fcnt,
                                        out.a_fcnt_down, frame->fopts)
                        : frame->fopts;
  if (frame->fport) {
    const bool port0 = *frame->fport == 0;
    Bytes plain = decrypt_frm_payload(port0 ? s.keys.nwk_s_enc_key : s.keys.app_s_key, Direction::Downlink, s.dev_addr,
                                      full.fcnt, frame->frm_payload);
    if (port0) {
      mac_bytes = std::move(plain);
    } else {
      out.payload = std::move(plain);
    }
  }
  auto decoded = decode_downlink_mac_commands(mac_bytes);
  out.mac_commands = std::move(decoded.commands);
  out.unparsed_mac_bytes = decoded.unparsed_bytes;
  return out;
}

}  // namespace uchet::sim
