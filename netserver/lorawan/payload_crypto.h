#pragma once
// Confidentiality of FRMPayload and (LoRaWAN 1.1) FOpts: AES in a counter-like mode keyed by
// direction, DevAddr and the full 32-bit FCnt, so the same call encrypts and decrypts.
// FRMPayload key: AppSKey when FPort > 0; NwkSKey (1.0) or NwkSEncKey (1.1) when FPort = 0.
#include <cstdint>

#include "netserver/lorawan/phy_payload.h"
#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

Bytes encrypt_frm_payload(const Key& key, Direction direction, DevAddr dev_addr, std::uint32_t fcnt, ByteView payload);
inline Bytes decrypt_frm_payload(const Key& key, Direction direction, DevAddr dev_addr, std::uint32_t fcnt,
                                 ByteView payload) {
  return encrypt_frm_payload(key, direction, dev_addr, fcnt, payload);
}

// 1.1 FOpts with NwkSEncKey, in the errata form (LoRaWAN 1.1 errata, ChirpStack, LoRaMac-node
// > 1.1.0). a_fcnt_down: the frame is a downlink counted by AFCntDown (FPort > 0); its keystream
// differs so that NFCntDown and AFCntDown frames never share one.
Bytes encrypt_fopts(const Key& nwk_s_enc_key, Direction direction, DevAddr dev_addr, std::uint32_t fcnt,
                    bool a_fcnt_down, ByteView fopts);
inline Bytes decrypt_fopts(const Key& nwk_s_enc_key, Direction direction, DevAddr dev_addr, std::uint32_t fcnt,
                           bool a_fcnt_down, ByteView fopts) {
  return encrypt_fopts(nwk_s_enc_key, direction, dev_addr, fcnt, a_fcnt_down, fopts);
}

}  // namespace uchet::lorawan
