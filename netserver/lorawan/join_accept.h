#pragma once
// Join-accept (MType 001): MHDR | JoinNonce | NetID | DevAddr | DLSettings | RxDelay | [CFList]
// | MIC, 17 or 33 bytes. parse/build work on the plaintext form; the on-air form is the
// plaintext with everything after the MHDR (MIC included) run through AES *decrypt*, so the
// device only needs AES encrypt. A network server builds a join-accept as:
//   bytes = build_join_accept(accept);
//   set_mic(bytes, join_mic(app_key, mic_message(bytes)));   // or join_accept_mic_11()
//   on_air = encrypt_join_accept(bytes, app_key);             // NwkKey / JSEncKey in 1.1
#include <array>
#include <cstdint>
#include <optional>

#include "netserver/lorawan/cf_list.h"
#include "netserver/lorawan/phy_payload.h"
#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

inline constexpr std::size_t kJoinAcceptSize = 17;
inline constexpr std::size_t kJoinAcceptWithCfListSize = 33;

struct DlSettings {
  bool opt_neg = false;            // LoRaWAN 1.1 server; RFU in 1.0
  std::uint8_t rx1_dr_offset = 0;  // 3 bits
  std::uint8_t rx2_data_rate = 0;  // 4 bits
  bool operator==(const DlSettings&) const = default;

  std::uint8_t to_byte() const;
  static DlSettings from_byte(std::uint8_t byte);
};

struct JoinAccept {
  std::uint32_t join_nonce = 0;  // AppNonce in 1.0; 24 bits
  NetId net_id = 0;
  DevAddr dev_addr = 0;
  DlSettings dl_settings;
  std::uint8_t rx_delay = 0;  // as on air: bits 3:0 seconds, 0 means 1 s
  std::optional<CfList> cf_list;
  Mic mic{};
  bool operator==(const JoinAccept&) const = default;
};

Result<JoinAccept> parse_join_accept(ByteView plaintext_phy_payload);
Bytes build_join_accept(const JoinAccept& accept);

// Network-server side: plaintext (MIC set) -> on-air bytes.
Result<Bytes> encrypt_join_accept(ByteView plaintext_phy_payload, const Key& key);
// Device side: on-air bytes -> plaintext.
Result<Bytes> decrypt_join_accept(ByteView on_air_phy_payload, const Key& key);

}  // namespace uchet::lorawan
