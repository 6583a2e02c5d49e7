#include "gateway-bridge/backend.h"

namespace uchet::gateway_bridge {

std::string_view tx_status_name(TxStatus status) {
  switch (status) {
    case TxStatus::Ok:
      return "OK";
    case TxStatus::TooLate:
      return "TOO_LATE";
    case TxStatus::TooEarly:
      return "TOO_EARLY";
    case TxStatus::CollisionPacket:
      return "COLLISION_PACKET";
    case TxStatus::CollisionBeacon:
      return "COLLISION_BEACON";
    case TxStatus::TxFreq:
      return "TX_FREQ";
    case TxStatus::TxPower:
      return "TX_POWER";
    case TxStatus::GpsUnlocked:
      return "GPS_UNLOCKED";
    case TxStatus::QueueFull:
      return "QUEUE_FULL";
    case TxStatus::InternalError:
      return "INTERNAL_ERROR";
    case TxStatus::DutyCycleOverflow:
      return "DUTY_CYCLE_OVERFLOW";
  }
  return "INTERNAL_ERROR";
}

}  // namespace uchet::gateway_bridge
