#include "gateway-bridge/bridge.h"

namespace uchet::bridge {

UplinkRx to_uplink(lorawan::Eui64 gateway_eui, RxPacket&& packet, std::chrono::steady_clock::time_point received_at) {
  return UplinkRx{
      .gateway_eui = gateway_eui,
      .counter_us = packet.tmst,
      .gps_time = packet.tmms,
      .utc_time = packet.time,
      .frequency_hz = packet.freq_hz,
      .rssi_dbm = packet.rssi_dbm,
      .snr_db = packet.lsnr_db,
      .channel = packet.chan,
      .rf_chain = packet.rfch,
      .data_rate = packet.datr,
      .coding_rate = packet.codr,
      .phy_payload = std::move(packet.data),
      .received_at = received_at,
  };
}

}  // namespace uchet::bridge
