#pragma once
// NewChannelReq / NewChannelAns (LoRaWAN 1.0.4 §5.6): gives a device that lacks them the
// configured extra channels (an ABP device, a join under an older configuration), one channel
// per downlink. Called by the uplink handler (data_handler.cpp).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/region.h"
#include "netserver/mac_state.h"

namespace uchet::netserver::maccommand {

// An accepted channel joins the device's channels and the next one may be asked at once; a
// refused one is asked again after kMacRequestRetryS. No request pending: nothing happens.
void on_new_channel_ans(const lorawan::NewChannelAns& answer, MacState& mac);

// The next channel change when the last request is kMacRequestRetryS old and the request still
// fits into FOpts after `answers` (every other command of this downlink); recorded as pending.
std::optional<lorawan::NewChannelReq> new_channel_request(const lorawan::Region& region,
                                                          const std::vector<std::uint32_t>& configured_hz,
                                                          std::span<const lorawan::DownlinkMacCommand> answers,
                                                          MacState& mac, std::int64_t now_unix);

}  // namespace uchet::netserver::maccommand
