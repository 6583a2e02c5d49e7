#include "netserver/lorawan/keys.h"

#include <algorithm>

#include "netserver/lorawan/crypto.h"
#include "netserver/lorawan/le.h"

namespace uchet::lorawan {
namespace {

// Every derivation encrypts one zero-padded block: type | fields (LE) | 0x00...
Key derive(const Key& root, std::uint8_t type, const Bytes& fields) {
  Block block{};
  block[0] = type;
  std::copy(fields.begin(), fields.end(), block.begin() + 1);
  return aes128_encrypt(root, block);
}

Bytes fields_10(std::uint32_t join_nonce, NetId net_id, std::uint16_t dev_nonce) {
  Bytes out;
  le::put(out, join_nonce, 3);
  le::put(out, net_id, 3);
  le::put(out, dev_nonce, 2);
  return out;
}

Bytes fields_11(std::uint32_t join_nonce, Eui64 join_eui, std::uint16_t dev_nonce) {
  Bytes out;
  le::put(out, join_nonce, 3);
  le::put(out, join_eui, 8);
  le::put(out, dev_nonce, 2);
  return out;
}

Bytes eui_field(Eui64 eui) {
  Bytes out;
  le::put(out, eui, 8);
  return out;
}

}  // namespace

SessionKeys derive_session_keys_10(const Key& app_key, std::uint32_t join_nonce, NetId net_id,
                                   std::uint16_t dev_nonce) {
  const Bytes fields = fields_10(join_nonce, net_id, dev_nonce);
  const Key nwk_s_key = derive(app_key, 0x01, fields);
  return {nwk_s_key, nwk_s_key, nwk_s_key, derive(app_key, 0x02, fields)};
}

SessionKeys derive_session_keys_11(const Key& nwk_key, const Key& app_key, std::uint32_t join_nonce, Eui64 join_eui,
                                   std::uint16_t dev_nonce) {
  const Bytes fields = fields_11(join_nonce, join_eui, dev_nonce);
  return {derive(nwk_key, 0x01, fields), derive(nwk_key, 0x03, fields), derive(nwk_key, 0x04, fields),
          derive(app_key, 0x02, fields)};
}

Key derive_js_int_key(const Key& nwk_key, Eui64 dev_eui) { return derive(nwk_key, 0x06, eui_field(dev_eui)); }
Key derive_js_enc_key(const Key& nwk_key, Eui64 dev_eui) { return derive(nwk_key, 0x05, eui_field(dev_eui)); }

}  // namespace uchet::lorawan
