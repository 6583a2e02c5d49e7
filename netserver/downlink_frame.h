#pragma once
// Builds one class A/C data downlink for a session: chooses the frame counter (NFCntDown or,
// in 1.1 with FPort > 0, AFCntDown), encrypts FOpts (1.1) and FRMPayload, and signs it. Pure:
// the caller advances the session's counter after the frame is handed to a gateway.
#include <cstdint>
#include <optional>

#include "netserver/lorawan/types.h"
#include "schema/sessions.h"

namespace uchet::netserver {

struct DownlinkContent {
  bool confirmed = false;
  bool ack = false;                 // acknowledges a confirmed uplink
  std::uint16_t acked_fcnt_up = 0;  // that uplink's FCntUp mod 2^16 (1.1 MIC)
  bool f_pending = false;
  bool adr = false;
  lorawan::Bytes mac_commands;         // plaintext FOpts, at most 15 bytes
  std::optional<std::uint8_t> f_port;  // with application data
  lorawan::Bytes application_payload;  // plaintext
};

struct BuiltDownlink {
  lorawan::Bytes phy_payload;
  std::uint32_t f_cnt_down = 0;
  bool uses_a_f_cnt_down = false;  // 1.1 application downlink
};

lorawan::Result<BuiltDownlink> build_downlink(const schema::DeviceSession& session, const DownlinkContent& content);

// Advances the counter the built downlink used.
void advance_f_cnt_down(schema::DeviceSession& session, const BuiltDownlink& built);

}  // namespace uchet::netserver
