#pragma once
// Message integrity codes of every LoRaWAN frame. `message` is always the frame without its MIC
// (mic_message() in phy_payload.h); counters are the full 32-bit values, never the 16 bits on
// air. Compare the result with mic_of(frame); the functions never reject anything themselves.
#include <cstdint>

#include "netserver/lorawan/phy_payload.h"
#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

// Join-request (AppKey in 1.0, NwkKey in 1.1), rejoin-request (SNwkSIntKey for types 0/2,
// JSIntKey for type 1) and 1.0-style join-accept (AppKey, or NwkKey when OptNeg = 0): the
// first four bytes of CMAC over the message.
Mic join_mic(const Key& key, ByteView message);

// What a 1.1 join-accept answers; part of its MIC so it cannot be replayed to another request.
enum class JoinReqType : std::uint8_t {
  RejoinType0 = 0x00,
  RejoinType1 = 0x01,
  RejoinType2 = 0x02,
  JoinRequest = 0xFF,
};

// 1.1 join-accept with OptNeg = 1. `dev_nonce` is the DevNonce, or the RJcount of a rejoin.
Mic join_accept_mic_11(const Key& js_int_key, JoinReqType type, Eui64 join_eui, std::uint16_t dev_nonce,
                       ByteView message);

// LoRaWAN 1.0.x data frame, either direction.
Mic data_mic_10(const Key& nwk_s_key, Direction direction, DevAddr dev_addr, std::uint32_t fcnt, ByteView message);

// LoRaWAN 1.1 uplink. conf_fcnt: FCnt (mod 2^16) of the confirmed downlink being acknowledged
// when ACK is set, else 0. tx_dr / tx_ch: data-rate index and channel index of this uplink.
Mic data_uplink_mic_11(const Key& f_nwk_s_int_key, const Key& s_nwk_s_int_key, DevAddr dev_addr, std::uint32_t fcnt_up,
                       std::uint16_t conf_fcnt, std::uint8_t tx_dr, std::uint8_t tx_ch, ByteView message);

// LoRaWAN 1.1 downlink; fcnt_down is NFCntDown or AFCntDown. conf_fcnt: FCntUp (mod 2^16) of the
// confirmed uplink being acknowledged when ACK is set, else 0.
Mic data_downlink_mic_11(const Key& s_nwk_s_int_key, DevAddr dev_addr, std::uint32_t fcnt_down, std::uint16_t conf_fcnt,
                         ByteView message);

}  // namespace uchet::lorawan
