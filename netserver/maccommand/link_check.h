#pragma once
// LinkCheckReq (LoRaWAN 1.0.4 §5.2): the device asks how well it is heard. Answered with the
// best reception's margin over its spreading factor's demodulation floor and the number of
// gateways that heard the frame. Pure; called by the uplink handler (data_handler.cpp).
#include <vector>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/mac_commands.h"

namespace uchet::netserver::maccommand {

lorawan::LinkCheckAns link_check_answer(const std::vector<gateway_bridge::Reception>& receptions,
                                        const gateway_bridge::Reception& best);

}  // namespace uchet::netserver::maccommand
