#pragma once
// Session-key derivation after a join. One SessionKeys shape serves both versions: a 1.0.x
// session (and a 1.1 session with OptNeg = 0) has a single NwkSKey, which fills all three
// network-key roles, so MIC and FOpts code can always use the 1.1 role names.
#include <cstdint>

#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

struct SessionKeys {
  Key f_nwk_s_int_key{};  // = NwkSKey in 1.0.x
  Key s_nwk_s_int_key{};  // = NwkSKey in 1.0.x
  Key nwk_s_enc_key{};    // = NwkSKey in 1.0.x
  Key app_s_key{};
  bool operator==(const SessionKeys&) const = default;

  const Key& nwk_s_key() const { return f_nwk_s_int_key; }
};

// LoRaWAN 1.0.x, keyed by AppKey. A 1.1 device whose join-accept had OptNeg = 0 uses this same
// derivation keyed by NwkKey (for AppSKey too).
SessionKeys derive_session_keys_10(const Key& app_key, std::uint32_t join_nonce, NetId net_id, std::uint16_t dev_nonce);

// LoRaWAN 1.1 with OptNeg = 1: network keys from NwkKey, AppSKey from AppKey.
SessionKeys derive_session_keys_11(const Key& nwk_key, const Key& app_key, std::uint32_t join_nonce, Eui64 join_eui,
                                   std::uint16_t dev_nonce);

// LoRaWAN 1.1 lifetime keys of the join server (join-accept MIC / rejoin-answer encryption).
Key derive_js_int_key(const Key& nwk_key, Eui64 dev_eui);
Key derive_js_enc_key(const Key& nwk_key, Eui64 dev_eui);

}  // namespace uchet::lorawan
