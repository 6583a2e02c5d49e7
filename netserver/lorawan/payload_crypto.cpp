#include "netserver/lorawan/payload_crypto.h"

#include "netserver/lorawan/crypto.h"

namespace uchet::lorawan {
namespace {

// A_i = 0x01 | 0 0 0 | x | Dir | DevAddr | FCnt | 0 | i; x is 0 for FRMPayload and the
// FOpts counter kind for 1.1 FOpts.
Bytes xor_keystream(const Key& key, std::uint8_t x, Direction direction, DevAddr dev_addr, std::uint32_t fcnt,
                    ByteView data) {
  Bytes out(data.begin(), data.end());
  Block a{0x01, 0, 0, 0, x, static_cast<std::uint8_t>(direction)};
  for (int i = 0; i < 4; ++i) {
    a[6 + i] = static_cast<std::uint8_t>(dev_addr >> (8 * i));
    a[10 + i] = static_cast<std::uint8_t>(fcnt >> (8 * i));
  }
  for (std::size_t offset = 0; offset < out.size(); offset += 16) {
    a[15] = static_cast<std::uint8_t>(offset / 16 + 1);
    const Block s = aes128_encrypt(key, a);
    for (std::size_t j = 0; j < 16 && offset + j < out.size(); ++j) out[offset + j] ^= s[j];
  }
  return out;
}

}  // namespace

Bytes encrypt_frm_payload(const Key& key, Direction direction, DevAddr dev_addr, std::uint32_t fcnt, ByteView payload) {
  return xor_keystream(key, 0x00, direction, dev_addr, fcnt, payload);
}

Bytes encrypt_fopts(const Key& nwk_s_enc_key, Direction direction, DevAddr dev_addr, std::uint32_t fcnt,
                    bool a_fcnt_down, ByteView fopts) {
  // FOpts never exceed 15 bytes, so the single block A_1 covers them.
  return xor_keystream(nwk_s_enc_key, a_fcnt_down ? 0x02 : 0x01, direction, dev_addr, fcnt, fopts);
}

}  // namespace uchet::lorawan
