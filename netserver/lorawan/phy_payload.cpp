#include "netserver/lorawan/phy_payload.h"

#include <algorithm>
#include <string>

namespace uchet::lorawan {

std::uint8_t encode_mhdr(Mhdr mhdr) {
  return static_cast<std::uint8_t>(static_cast<unsigned>(mhdr.mtype) << 5 | (mhdr.major & 0x03));
}

Result<Mhdr> parse_mhdr(ByteView phy_payload) {
  if (phy_payload.empty()) return std::unexpected("empty PHYPayload");
  if (phy_payload.size() > kMaxPhyPayloadSize) {
    return std::unexpected("PHYPayload of " + std::to_string(phy_payload.size()) +
                           " bytes exceeds the LoRa maximum of 255");
  }
  Mhdr mhdr{static_cast<MType>(phy_payload[0] >> 5), static_cast<std::uint8_t>(phy_payload[0] & 0x03)};
  if (mhdr.major != kMajorLoRaWANR1) {
    return std::unexpected("unsupported Major " + std::to_string(mhdr.major) + " (only LoRaWAN R1 = 0)");
  }
  return mhdr;
}

std::string_view to_string(MType mtype) {
  switch (mtype) {
    case MType::JoinRequest:
      return "JoinRequest";
    case MType::JoinAccept:
      return "JoinAccept";
    case MType::UnconfirmedDataUp:
      return "UnconfirmedDataUp";
    case MType::UnconfirmedDataDown:
      return "UnconfirmedDataDown";
    case MType::ConfirmedDataUp:
      return "ConfirmedDataUp";
    case MType::ConfirmedDataDown:
      return "ConfirmedDataDown";
    case MType::RejoinRequest:
      return "RejoinRequest";
    case MType::Proprietary:
      return "Proprietary";
  }
  return "?";
}

bool is_data_frame(MType mtype) { return mtype >= MType::UnconfirmedDataUp && mtype <= MType::ConfirmedDataDown; }

bool is_confirmed(MType mtype) { return mtype == MType::ConfirmedDataUp || mtype == MType::ConfirmedDataDown; }

Direction direction_of(MType mtype) {
  switch (mtype) {
    case MType::JoinAccept:
    case MType::UnconfirmedDataDown:
    case MType::ConfirmedDataDown:
      return Direction::Downlink;
    default:
      return Direction::Uplink;
  }
}

ByteView mic_message(ByteView phy_payload) { return phy_payload.first(phy_payload.size() - 4); }

Mic mic_of(ByteView phy_payload) {
  Mic mic{};
  std::copy(phy_payload.end() - 4, phy_payload.end(), mic.begin());
  return mic;
}

void set_mic(Bytes& phy_payload, const Mic& mic) { std::copy(mic.begin(), mic.end(), phy_payload.end() - 4); }

Result<ProprietaryFrame> parse_proprietary_frame(ByteView phy_payload) {
  auto mhdr = parse_mhdr(phy_payload);
  if (!mhdr) return std::unexpected(mhdr.error());
  if (mhdr->mtype != MType::Proprietary) {
    return std::unexpected("expected a proprietary frame, got " + std::string(to_string(mhdr->mtype)));
  }
  return ProprietaryFrame{mhdr->major, Bytes(phy_payload.begin() + 1, phy_payload.end())};
}

Result<Bytes> build_proprietary_frame(const ProprietaryFrame& frame) {
  if (frame.payload.size() + 1 > kMaxPhyPayloadSize) return std::unexpected("proprietary payload too long");
  Bytes out{encode_mhdr({MType::Proprietary, frame.major})};
  out.insert(out.end(), frame.payload.begin(), frame.payload.end());
  return out;
}

}  // namespace uchet::lorawan
