#include "netserver/downlink_frame.h"

#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/payload_crypto.h"
#include "netserver/lorawan/phy_payload.h"

namespace uchet::netserver {

lorawan::Result<BuiltDownlink> build_downlink(const schema::DeviceSession& session, const DownlinkContent& content) {
  using namespace lorawan;
  if (content.mac_commands.size() > kMaxFOptsSize) return std::unexpected("MAC commands exceed 15 bytes of FOpts");
  const bool v11 = session.is_lorawan_11();
  BuiltDownlink out;
  out.uses_a_f_cnt_down = v11 && content.f_port && *content.f_port > 0;
  out.f_cnt_down = out.uses_a_f_cnt_down ? session.a_f_cnt_down : session.n_f_cnt_down;

  DataFrame frame;
  frame.mhdr.mtype = content.confirmed ? MType::ConfirmedDataDown : MType::UnconfirmedDataDown;
  frame.dev_addr = session.dev_addr;
  frame.fctrl.adr = content.adr;
  frame.fctrl.ack = content.ack;
  frame.fctrl.class_b_or_f_pending = content.f_pending;
  frame.fcnt16 = static_cast<std::uint16_t>(out.f_cnt_down & 0xFFFF);
  frame.fopts = v11 && !content.mac_commands.empty()
                    ? encrypt_fopts(session.keys.nwk_s_enc_key, Direction::Downlink, session.dev_addr, out.f_cnt_down,
                                    out.uses_a_f_cnt_down, content.mac_commands)
                    : content.mac_commands;
  frame.fport = content.f_port;
  if (content.f_port) {
    const Key& key = *content.f_port == 0 ? session.keys.nwk_s_enc_key : session.keys.app_s_key;
    frame.frm_payload =
        encrypt_frm_payload(key, Direction::Downlink, session.dev_addr, out.f_cnt_down, content.application_payload);
  }
  auto bytes = build_data_frame(frame);
  if (!bytes) return std::unexpected(bytes.error());
  Mic mic = v11 ? data_downlink_mic_11(session.keys.s_nwk_s_int_key, session.dev_addr, out.f_cnt_down,
                                       content.ack ? content.acked_fcnt_up : 0, mic_message(*bytes))
                : data_mic_10(session.keys.nwk_s_key(), Direction::Downlink, session.dev_addr, out.f_cnt_down,
                              mic_message(*bytes));
  set_mic(*bytes, mic);
  out.phy_payload = std::move(*bytes);
  return out;
}

void advance_f_cnt_down(schema::DeviceSession& session, const BuiltDownlink& built) {
  if (built.uses_a_f_cnt_down) {
    session.a_f_cnt_down = built.f_cnt_down + 1;
  } else {
    session.n_f_cnt_down = built.f_cnt_down + 1;
  }
}

}  // namespace uchet::netserver
