#include "gateway-bridge/semtech_udp/tx_ack.h"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "common/json_fields.h"

namespace uchet::gateway_bridge::semtech_udp {
namespace {

using namespace common::json_fields;

constexpr std::array<std::pair<TxAckError, std::string_view>, 8> kErrorNames{{
    {TxAckError::None, "NONE"},
    {TxAckError::TooLate, "TOO_LATE"},
    {TxAckError::TooEarly, "TOO_EARLY"},
    {TxAckError::CollisionPacket, "COLLISION_PACKET"},
    {TxAckError::CollisionBeacon, "COLLISION_BEACON"},
    {TxAckError::TxFreq, "TX_FREQ"},
    {TxAckError::TxPower, "TX_POWER"},
    {TxAckError::GpsUnlocked, "GPS_UNLOCKED"},
}};

}  // namespace

std::string_view tx_ack_error_name(TxAckError error) {
  for (const auto& [value, name] : kErrorNames) {
    if (value == error) return name;
  }
  return "OTHER";
}

Result<TxAck> parse_tx_ack(std::uint16_t token, lorawan::Eui64 gateway_eui, ByteView json_text) {
  TxAck ack{token, gateway_eui, std::nullopt, {}, std::nullopt};
  if (trim_end(json_text).empty()) return ack;
  json root;
  UCHET_TRY(root, parse_object(json_text));
  auto body = member(root, "txpk_ack");
  if (!body || !body->is_object()) return std::unexpected("TX_ACK JSON has no txpk_ack object");

  std::optional<std::string_view> error;
  UCHET_TRY(error, read_string(*body, "error"));
  if (error) {
    ack.error_text = std::string(*error);
    ack.error = TxAckError::Other;
    for (const auto& [value, name] : kErrorNames) {
      if (name == *error) ack.error = value;
    }
  }
  std::optional<std::string_view> warn;
  UCHET_TRY(warn, read_string(*body, "warn"));
  if (warn) {
    std::optional<double> value;
    UCHET_TRY(value, read_number(*body, "value"));
    ack.warning = TxAckWarning{std::string(*warn), value};
  }
  return ack;
}

TxOutcome to_outcome(const TxAck& ack) {
  TxOutcome outcome{ack.gateway_eui, ack.token, TxStatus::Ok, {}};
  switch (ack.error.value_or(TxAckError::None)) {
    case TxAckError::None:
      break;
    case TxAckError::TooLate:
      outcome.status = TxStatus::TooLate;
      break;
    case TxAckError::TooEarly:
      outcome.status = TxStatus::TooEarly;
      break;
    case TxAckError::CollisionPacket:
      outcome.status = TxStatus::CollisionPacket;
      break;
    case TxAckError::CollisionBeacon:
      outcome.status = TxStatus::CollisionBeacon;
      break;
    case TxAckError::TxFreq:
      outcome.status = TxStatus::TxFreq;
      break;
    case TxAckError::TxPower:
      outcome.status = TxStatus::TxPower;
      break;
    case TxAckError::GpsUnlocked:
      outcome.status = TxStatus::GpsUnlocked;
      break;
    case TxAckError::Other:
      outcome.status = TxStatus::InternalError;
      outcome.detail = ack.error_text;
      break;
  }
  if (ack.warning) {
    outcome.warning = ack.warning->kind;
    if (ack.warning->value) outcome.warning += fmt::format(" {}", *ack.warning->value);
  }
  return outcome;
}

}  // namespace uchet::gateway_bridge::semtech_udp
