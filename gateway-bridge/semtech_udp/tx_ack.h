#pragma once
// TX_ACK: the gateway's verdict on one PULL_RESP, matched to it by token. No JSON at all
// means success (lora_pkt_fwd v4 sends nothing when the packet was queued); otherwise
// {"txpk_ack":{"error":"..."}} and/or, from SX1302-era forwarders, {"warn":"TX_POWER","value":n}
// (sent anyway with reduced power).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

enum class TxAckError {
  None,     // scheduled
  TooLate,  // missed the RX window: the owner may retry on RX2
  TooEarly,
  CollisionPacket,  // also queue full on v4.0.1
  CollisionBeacon,
  TxFreq,       // outside the RF chain's TX range
  TxPower,      // power not in the TX gain table
  GpsUnlocked,  // tmms scheduling without GPS
  Other,        // a string this code does not know; see TxAck::error_text
};
std::string_view tx_ack_error_name(TxAckError error);

struct TxAckWarning {
  std::string kind;             // e.g. "TX_POWER"
  std::optional<double> value;  // e.g. the power actually used, dBm
};

struct TxAck {
  std::uint16_t token = 0;
  lorawan::Eui64 gateway_eui = 0;
  std::optional<TxAckError> error;  // absent: no JSON or no "error" member
  std::string error_text;           // the error string as sent, empty when absent
  std::optional<TxAckWarning> warning;

  // The gateway accepted the packet for transmission (possibly with a warning).
  bool scheduled() const { return !error || *error == TxAckError::None; }
};

// `json_text` is everything after the 12-byte header, possibly empty.
lorawan::Result<TxAck> parse_tx_ack(std::uint16_t token, lorawan::Eui64 gateway_eui, lorawan::ByteView json_text);

// In the contract's words: the token is the TransmissionId; each named error is the TxStatus of
// the same name, one this code does not know InternalError with the text as detail.
TxOutcome to_outcome(const TxAck& ack);

}  // namespace uchet::gateway_bridge::semtech_udp
