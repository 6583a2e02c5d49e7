#include "netserver/lorawan/data_frame.h"

#include <string>

#include "netserver/lorawan/le.h"

namespace uchet::lorawan {
namespace {

constexpr std::size_t kFhdrMinSize = 7;  // DevAddr(4) FCtrl(1) FCnt(2)

std::optional<std::string> structural_error(const DataFrame& frame) {
  if (!is_data_frame(frame.mhdr.mtype)) {
    return "expected a data frame, got " + std::string(to_string(frame.mhdr.mtype));
  }
  if (frame.fopts.size() > kMaxFOptsSize) return "FOpts longer than 15 bytes";
  if (!frame.fopts.empty() && frame.fport == 0) {
    return "MAC commands in both FOpts and FRMPayload (FOpts present with FPort 0)";
  }
  if (!frame.fport && !frame.frm_payload.empty()) return "FRMPayload without FPort";
  return std::nullopt;
}

}  // namespace

std::uint8_t encode_fctrl(const FCtrl& fctrl, std::size_t fopts_len) {
  return static_cast<std::uint8_t>((fctrl.adr ? 0x80 : 0) | (fctrl.adr_ack_req ? 0x40 : 0) | (fctrl.ack ? 0x20 : 0) |
                                   (fctrl.class_b_or_f_pending ? 0x10 : 0) | (fopts_len & 0x0F));
}

Result<DataFrame> parse_data_frame(ByteView phy) {
  auto mhdr = parse_mhdr(phy);
  if (!mhdr) return std::unexpected(mhdr.error());
  if (!is_data_frame(mhdr->mtype)) {
    return std::unexpected("expected a data frame, got " + std::string(to_string(mhdr->mtype)));
  }
  if (phy.size() < 1 + kFhdrMinSize + 4) {
    return std::unexpected("data frame truncated: " + std::to_string(phy.size()) + " bytes, at least 12 needed");
  }
  DataFrame frame;
  frame.mhdr = *mhdr;
  frame.dev_addr = static_cast<DevAddr>(le::get(phy, 1, 4));
  const std::uint8_t fctrl = phy[5];
  frame.fctrl = {(fctrl & 0x80) != 0, (fctrl & 0x40) != 0, (fctrl & 0x20) != 0, (fctrl & 0x10) != 0};
  frame.fcnt16 = static_cast<std::uint16_t>(le::get(phy, 6, 2));
  const std::size_t fopts_len = fctrl & 0x0F;
  const std::size_t mic_at = phy.size() - 4;
  std::size_t pos = 1 + kFhdrMinSize;
  if (pos + fopts_len > mic_at) {
    return std::unexpected("FOptsLen " + std::to_string(fopts_len) + " runs past the end of the frame");
  }
  frame.fopts.assign(phy.begin() + pos, phy.begin() + pos + fopts_len);
  pos += fopts_len;
  if (pos < mic_at) {
    frame.fport = phy[pos++];
    frame.frm_payload.assign(phy.begin() + pos, phy.begin() + mic_at);
  }
  if (auto error = structural_error(frame)) return std::unexpected(*error);
  frame.mic = mic_of(phy);
  return frame;
}

Result<Bytes> build_data_frame(const DataFrame& frame) {
  if (auto error = structural_error(frame)) return std::unexpected(*error);
  Bytes out;
  out.reserve(1 + kFhdrMinSize + frame.fopts.size() + 1 + frame.frm_payload.size() + 4);
  out.push_back(encode_mhdr(frame.mhdr));
  le::put(out, frame.dev_addr, 4);
  out.push_back(encode_fctrl(frame.fctrl, frame.fopts.size()));
  le::put(out, frame.fcnt16, 2);
  out.insert(out.end(), frame.fopts.begin(), frame.fopts.end());
  if (frame.fport) {
    out.push_back(*frame.fport);
    out.insert(out.end(), frame.frm_payload.begin(), frame.frm_payload.end());
  }
  out.insert(out.end(), frame.mic.begin(), frame.mic.end());
  if (out.size() > kMaxPhyPayloadSize) {
    return std::unexpected("data frame of " + std::to_string(out.size()) + " bytes exceeds 255");
  }
  return out;
}

}  // namespace uchet::lorawan
