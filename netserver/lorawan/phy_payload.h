#pragma once
// The PHYPayload envelope shared by every frame: MHDR (MType, Major), the 255-byte LoRa size
// limit, the trailing 4-byte MIC, and proprietary frames, which are nothing but the envelope.
// parse_mhdr() is the dispatcher: it rejects empty, oversized and non-R1 frames so that the
// per-MType parsers only check their own layout.
#include <array>
#include <cstdint>
#include <string_view>

#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

// Largest PHYPayload a LoRa radio carries (8-bit length field).
inline constexpr std::size_t kMaxPhyPayloadSize = 255;

enum class MType : std::uint8_t {
  JoinRequest = 0,
  JoinAccept = 1,
  UnconfirmedDataUp = 2,
  UnconfirmedDataDown = 3,
  ConfirmedDataUp = 4,
  ConfirmedDataDown = 5,
  RejoinRequest = 6,  // RFU before LoRaWAN 1.1
  Proprietary = 7,
};

// The numeric value is the Dir byte of the B0/A_i blocks.
enum class Direction : std::uint8_t { Uplink = 0, Downlink = 1 };

inline constexpr std::uint8_t kMajorLoRaWANR1 = 0;

struct Mhdr {
  MType mtype = MType::UnconfirmedDataUp;
  std::uint8_t major = kMajorLoRaWANR1;
  bool operator==(const Mhdr&) const = default;
};

// Four bytes, in on-air order.
using Mic = std::array<std::uint8_t, 4>;

std::uint8_t encode_mhdr(Mhdr mhdr);
// Checks the envelope of a received frame (non-empty, at most 255 bytes, Major R1) and decodes
// its MHDR; RFU bits are ignored as the spec asks receivers to.
Result<Mhdr> parse_mhdr(ByteView phy_payload);

std::string_view to_string(MType mtype);
bool is_data_frame(MType mtype);
bool is_confirmed(MType mtype);
// Meaningful for data frames and join/rejoin frames; proprietary frames have no direction.
Direction direction_of(MType mtype);

// The bytes a MIC covers: everything but the last four. Precondition: size >= 4.
ByteView mic_message(ByteView phy_payload);
// The trailing MIC of a frame. Precondition: size >= 4.
Mic mic_of(ByteView phy_payload);
// Overwrites the trailing MIC of a built frame. Precondition: size >= 4.
void set_mic(Bytes& phy_payload, const Mic& mic);

// Proprietary frames carry no LoRaWAN structure (not even a MIC we could check).
struct ProprietaryFrame {
  std::uint8_t major = kMajorLoRaWANR1;
  Bytes payload;  // everything after the MHDR
};
Result<ProprietaryFrame> parse_proprietary_frame(ByteView phy_payload);
Result<Bytes> build_proprietary_frame(const ProprietaryFrame& frame);

}  // namespace uchet::lorawan
