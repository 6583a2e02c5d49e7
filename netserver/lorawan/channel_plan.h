#pragma once
// The channels a device transmits on: the region's default (join) channels at their indexes 0..,
// then the extra channels it was given at join in the CFList, from the region's first CFList
// index on. Pure. The network server keeps each device's extra channels in its MAC state, so that
// ADR never sends a channel mask that enables a channel the device does not have (it would refuse
// the whole LinkADRReq), nor disables one it has; the simulator numbers its channels the same way.
#include <cstdint>
#include <span>

#include "netserver/lorawan/region.h"

namespace uchet::lorawan {

// TxCh of a LoRaWAN 1.1 uplink MIC: the index of `frequency_hz` among the device's channels; 0 when
// it is none of them (as Region::uplink_channel_index).
std::uint8_t channel_index(const Region& region, std::span<const std::uint32_t> extra_hz, std::uint32_t frequency_hz);

// ChMask (ChMaskCntl 0) enabling every default and extra channel of the device.
std::uint16_t channel_mask(const Region& region, std::span<const std::uint32_t> extra_hz);

}  // namespace uchet::lorawan
