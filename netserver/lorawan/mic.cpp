#include "netserver/lorawan/mic.h"

#include <algorithm>

#include "netserver/lorawan/crypto.h"
#include "netserver/lorawan/le.h"

namespace uchet::lorawan {
namespace {

// B0 and B1 share one layout: 0x49 | 4 version-specific bytes | Dir | DevAddr | FCnt | 0 | len.
Bytes b_block(std::uint8_t b1, std::uint8_t b2, std::uint8_t b3, std::uint8_t b4, Direction direction, DevAddr dev_addr,
              std::uint32_t fcnt, ByteView message) {
  Bytes block{0x49, b1, b2, b3, b4, static_cast<std::uint8_t>(direction)};
  le::put(block, dev_addr, 4);
  le::put(block, fcnt, 4);
  block.push_back(0x00);
  block.push_back(static_cast<std::uint8_t>(message.size()));
  block.insert(block.end(), message.begin(), message.end());
  return block;
}

Mic truncate(const Block& tag) { return {tag[0], tag[1], tag[2], tag[3]}; }

std::uint8_t lo(std::uint16_t v) { return static_cast<std::uint8_t>(v); }
std::uint8_t hi(std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); }

}  // namespace

Mic join_mic(const Key& key, ByteView message) { return truncate(aes_cmac(key, message)); }

Mic join_accept_mic_11(const Key& js_int_key, JoinReqType type, Eui64 join_eui, std::uint16_t dev_nonce,
                       ByteView message) {
  Bytes input{static_cast<std::uint8_t>(type)};
  le::put(input, join_eui, 8);
  le::put(input, dev_nonce, 2);
  input.insert(input.end(), message.begin(), message.end());
  return truncate(aes_cmac(js_int_key, input));
}

Mic data_mic_10(const Key& nwk_s_key, Direction direction, DevAddr dev_addr, std::uint32_t fcnt, ByteView message) {
  return truncate(aes_cmac(nwk_s_key, b_block(0, 0, 0, 0, direction, dev_addr, fcnt, message)));
}

Mic data_uplink_mic_11(const Key& f_nwk_s_int_key, const Key& s_nwk_s_int_key, DevAddr dev_addr, std::uint32_t fcnt_up,
                       std::uint16_t conf_fcnt, std::uint8_t tx_dr, std::uint8_t tx_ch, ByteView message) {
  const Mic f = data_mic_10(f_nwk_s_int_key, Direction::Uplink, dev_addr, fcnt_up, message);
  const Block s = aes_cmac(s_nwk_s_int_key, b_block(lo(conf_fcnt), hi(conf_fcnt), tx_dr, tx_ch, Direction::Uplink,
                                                    dev_addr, fcnt_up, message));
  return {s[0], s[1], f[0], f[1]};
}

Mic data_downlink_mic_11(const Key& s_nwk_s_int_key, DevAddr dev_addr, std::uint32_t fcnt_down, std::uint16_t conf_fcnt,
                         ByteView message) {
  return truncate(aes_cmac(
      s_nwk_s_int_key, b_block(lo(conf_fcnt), hi(conf_fcnt), 0, 0, Direction::Downlink, dev_addr, fcnt_down, message)));
}

}  // namespace uchet::lorawan
