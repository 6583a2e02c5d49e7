#include "netserver/lorawan/join_accept.h"

#include <algorithm>
#include <string>

#include "netserver/lorawan/crypto.h"
#include "netserver/lorawan/le.h"

namespace uchet::lorawan {
namespace {

Result<Mhdr> check_envelope(ByteView phy) {
  auto mhdr = parse_mhdr(phy);
  if (!mhdr) return mhdr;
  if (mhdr->mtype != MType::JoinAccept) {
    return std::unexpected("expected a join-accept, got " + std::string(to_string(mhdr->mtype)));
  }
  if (phy.size() != kJoinAcceptSize && phy.size() != kJoinAcceptWithCfListSize) {
    return std::unexpected("join-accept must be 17 or 33 bytes, got " + std::to_string(phy.size()));
  }
  return mhdr;
}

// Applies one AES direction block by block to everything after the MHDR.
Result<Bytes> transform_blocks(ByteView phy, const Key& key, bool encrypt_blocks) {
  auto mhdr = check_envelope(phy);
  if (!mhdr) return std::unexpected(mhdr.error());
  Bytes out(phy.begin(), phy.end());
  for (std::size_t pos = 1; pos < out.size(); pos += 16) {
    Block block{};
    std::copy_n(out.begin() + static_cast<std::ptrdiff_t>(pos), 16, block.begin());
    block = encrypt_blocks ? aes128_encrypt(key, block) : aes128_decrypt(key, block);
    std::copy(block.begin(), block.end(), out.begin() + static_cast<std::ptrdiff_t>(pos));
  }
  return out;
}

}  // namespace

std::uint8_t DlSettings::to_byte() const {
  return static_cast<std::uint8_t>((opt_neg ? 0x80 : 0) | (rx1_dr_offset & 0x07) << 4 | (rx2_data_rate & 0x0F));
}

DlSettings DlSettings::from_byte(std::uint8_t byte) {
  return {(byte & 0x80) != 0, static_cast<std::uint8_t>(byte >> 4 & 0x07), static_cast<std::uint8_t>(byte & 0x0F)};
}

Result<JoinAccept> parse_join_accept(ByteView phy) {
  auto mhdr = check_envelope(phy);
  if (!mhdr) return std::unexpected(mhdr.error());
  JoinAccept accept;
  accept.join_nonce = static_cast<std::uint32_t>(le::get(phy, 1, 3));
  accept.net_id = static_cast<NetId>(le::get(phy, 4, 3));
  accept.dev_addr = static_cast<DevAddr>(le::get(phy, 7, 4));
  accept.dl_settings = DlSettings::from_byte(phy[11]);
  accept.rx_delay = phy[12];
  if (phy.size() == kJoinAcceptWithCfListSize) {
    CfList cf_list{};
    std::copy_n(phy.begin() + 13, cf_list.size(), cf_list.begin());
    accept.cf_list = cf_list;
  }
  accept.mic = mic_of(phy);
  return accept;
}

Bytes build_join_accept(const JoinAccept& accept) {
  Bytes out{encode_mhdr({MType::JoinAccept})};
  le::put(out, accept.join_nonce, 3);
  le::put(out, accept.net_id, 3);
  le::put(out, accept.dev_addr, 4);
  out.push_back(accept.dl_settings.to_byte());
  out.push_back(accept.rx_delay);
  if (accept.cf_list) out.insert(out.end(), accept.cf_list->begin(), accept.cf_list->end());
  out.insert(out.end(), accept.mic.begin(), accept.mic.end());
  return out;
}

Result<Bytes> encrypt_join_accept(ByteView plaintext_phy_payload, const Key& key) {
  return transform_blocks(plaintext_phy_payload, key, false);
}

Result<Bytes> decrypt_join_accept(ByteView on_air_phy_payload, const Key& key) {
  return transform_blocks(on_air_phy_payload, key, true);
}

}  // namespace uchet::lorawan
