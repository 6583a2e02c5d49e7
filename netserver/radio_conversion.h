#pragma once
// Translation between the bridge's radio description (what the gateway reported) and the
// protocol core's data rates and receive windows; picks the gateway that hears a device best.
#include <cstdint>
#include <vector>

#include "gateway-bridge/bridge.h"
#include "netserver/lorawan/data_rate.h"
#include "netserver/lorawan/region.h"

namespace uchet::netserver {

lorawan::DataRate to_lorawan_rate(const bridge::DataRate& rate);
bridge::DataRate to_bridge_rate(const lorawan::DataRate& rate);

// Highest SNR, then highest RSSI: the gateway most likely to be heard back.
const bridge::UplinkRx& best_reception(const std::vector<bridge::UplinkRx>& receptions);
// The best reception at a gateway other than `chosen`'s, or nullptr (no allocation: per uplink).
const bridge::UplinkRx* runner_up(const std::vector<bridge::UplinkRx>& receptions, const bridge::UplinkRx& chosen);
// The other gateways that heard the frame, best first (one entry per gateway), with their
// concentrator counter at the uplink: where a downlink goes when the best gateway cannot take it.
std::vector<std::pair<lorawan::Eui64, std::uint32_t>> other_gateways(const std::vector<bridge::UplinkRx>& receptions,
                                                                     const bridge::UplinkRx& chosen);

// A transmission at concentrator time `counter_us` on the region's DR index.
lorawan::Result<bridge::TxPacket> tx_packet(const lorawan::Region& region, std::uint32_t frequency_hz,
                                            std::uint8_t dr, std::uint32_t counter_us, lorawan::Bytes phy_payload);

}  // namespace uchet::netserver
