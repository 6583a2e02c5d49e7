#pragma once
// Translation between the gateway backend's radio description (what the gateway reported) and the
// protocol core's data rates and receive windows; picks the gateway that hears a device best.
#include <cstdint>
#include <vector>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/data_rate.h"
#include "netserver/lorawan/region.h"

namespace uchet::netserver {

lorawan::DataRate to_lorawan_rate(const bridge::DataRate& rate);
bridge::DataRate to_bridge_rate(const lorawan::DataRate& rate);

// Highest SNR, then highest RSSI: the gateway most likely to be heard back.
const bridge::Reception& best_reception(const std::vector<bridge::Reception>& receptions);
// The best reception at a gateway other than `chosen`'s, or nullptr (no allocation: per uplink).
const bridge::Reception* runner_up(const std::vector<bridge::Reception>& receptions, const bridge::Reception& chosen);
// The other gateways that heard the frame, best first (one entry per gateway), with their
// concentrator counter at the uplink: where a downlink goes when the best gateway cannot take it.
std::vector<std::pair<lorawan::Eui64, bridge::CounterTime>> other_gateways(const std::vector<bridge::Reception>& receptions,
                                                                           const bridge::Reception& chosen);

// A transmission at `timing` on the region's DR index.
lorawan::Result<bridge::Transmission> tx_packet(const lorawan::Region& region, std::uint32_t frequency_hz,
                                                std::uint8_t dr, bridge::TxTiming timing, lorawan::Bytes phy_payload);

}  // namespace uchet::netserver
