#pragma once
// The channels a device transmits on: the region's default (join) channels at their indexes 0..,
// then the extra channels it was given at join in the CFList, from the region's first CFList
// index on. Pure. The network server keeps each device's extra channels in its MAC state, so that
// ADR never sends a channel mask that enables a channel the device does not have (it would refuse
// the whole LinkADRReq), nor disables one it has; the simulator numbers its channels the same way.
#include <cstdint>
#include <optional>
#include <span>

#include "netserver/lorawan/cf_list.h"
#include "netserver/lorawan/mac_commands.h"

#include "netserver/lorawan/region.h"

namespace uchet::lorawan {

// A device's extra channels are slot-aligned: entry k is channel first_cf_list_channel() + k, 0 for
// a slot without a channel.

// TxCh of a LoRaWAN 1.1 uplink MIC: the index of `frequency_hz` among the device's channels; 0 when
// it is none of them.
std::uint8_t channel_index(const Region& region, std::span<const std::uint32_t> extra_hz, std::uint32_t frequency_hz);

// ChMask (ChMaskCntl 0) enabling every default and extra channel of the device.
std::uint16_t channel_mask(const Region& region, std::span<const std::uint32_t> extra_hz);

// The first slot where the device's extra channels differ from the wanted ones, as the
// NewChannelReq that sets it (frequency 0 removes a channel; data rates 0..the region's ADR maximum).
std::optional<NewChannelReq> next_channel_change(const Region& region, std::span<const std::uint32_t> device_hz,
                                                 std::span<const std::uint32_t> wanted_hz);

}  // namespace uchet::lorawan
