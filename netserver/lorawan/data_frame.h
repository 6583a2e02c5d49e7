#pragma once
// Data frames (MType 010–101) as seen on air: MHDR | FHDR | [FPort | FRMPayload] | MIC.
// The codec is purely structural: FOpts and FRMPayload stay as on air (possibly encrypted), and
// the MIC is carried, not checked — see mic.h and payload_crypto.h for the keyed steps.
// parse -> build is an exact round trip.
#include <cstdint>
#include <optional>

#include "netserver/lorawan/phy_payload.h"
#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

inline constexpr std::size_t kMaxFOptsSize = 15;

// FCtrl without FOptsLen, which is always the size of the FOpts actually carried.
struct FCtrl {
  bool adr = false;
  bool adr_ack_req = false;  // uplink only; RFU downlink
  bool ack = false;
  bool class_b_or_f_pending = false;  // uplink: ClassB; downlink: FPending
  bool operator==(const FCtrl&) const = default;
};

struct DataFrame {
  Mhdr mhdr;
  DevAddr dev_addr = 0;
  FCtrl fctrl;
  std::uint16_t fcnt16 = 0;           // the 16 LSBs sent on air; see fcnt.h for the full counter
  Bytes fopts;                        // 0–15 bytes, MAC commands (encrypted in 1.1)
  std::optional<std::uint8_t> fport;  // absent <=> no FRMPayload follows the FHDR
  Bytes frm_payload;                  // may be empty even when FPort is present
  Mic mic{};
  bool operator==(const DataFrame&) const = default;

  Direction direction() const { return direction_of(mhdr.mtype); }
};

std::uint8_t encode_fctrl(const FCtrl& fctrl, std::size_t fopts_len);

// Rejects anything that is not a well-formed data frame: other MTypes, truncation, FOptsLen
// beyond the end, FOpts together with FPort 0.
Result<DataFrame> parse_data_frame(ByteView phy_payload);
// Rejects frames that could not be parsed back: non-data MType, FOpts > 15 bytes, FOpts with
// FPort 0, FRMPayload without FPort, more than 255 bytes.
Result<Bytes> build_data_frame(const DataFrame& frame);

}  // namespace uchet::lorawan
