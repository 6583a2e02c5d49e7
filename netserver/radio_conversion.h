#pragma once
// Translation between the gateway backend's radio description (what the gateway reported) and the
// protocol core's data rates and receive windows; picks the gateway that hears a device best.
#include <cstdint>
#include <vector>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/data_rate.h"
#include "netserver/lorawan/region.h"

namespace uchet::netserver {

// Defined beside the radio types (gateway-bridge/radio.h), which every backend uses too.
using gateway_bridge::to_bridge_rate;
using gateway_bridge::to_lorawan_rate;

// Highest SNR, then highest RSSI: the gateway most likely to be heard back.
const gateway_bridge::Reception& best_reception(const std::vector<gateway_bridge::Reception>& receptions);
// The best reception at a gateway other than `chosen`'s, or nullptr (no allocation: per uplink).
const gateway_bridge::Reception* runner_up(const std::vector<gateway_bridge::Reception>& receptions,
                                           const gateway_bridge::Reception& chosen);
// The other gateways that heard the frame, best first (one entry per gateway), with their
// concentrator counter at the uplink: where a downlink goes when the best gateway cannot take it.
std::vector<std::pair<lorawan::Eui64, gateway_bridge::CounterTime>> other_gateways(
    const std::vector<gateway_bridge::Reception>& receptions, const gateway_bridge::Reception& chosen);

// A transmission at `timing` on the region's DR index.
lorawan::Result<gateway_bridge::Transmission> tx_packet(const lorawan::Region& region, std::uint32_t frequency_hz,
                                                        std::uint8_t dr, gateway_bridge::TxTiming timing,
                                                        lorawan::Bytes phy_payload);

}  // namespace uchet::netserver
