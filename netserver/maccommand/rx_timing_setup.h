#pragma once
// RXTimingSetupReq / RXTimingSetupAns (LoRaWAN 1.0.4 §5.7): brings the session's RX1 delay to
// the configuration. The answer is sticky (repeated until a downlink arrives), so an uplink
// carrying it is always answered. Called by the uplink handler (data_handler.cpp).
#include <optional>

#include "netserver/lorawan/mac_commands.h"
#include "netserver/mac_state.h"
#include "schema/sessions.h"

namespace uchet::netserver::maccommand {

// The device took the delay asked: the session gets it; the request is no longer pending.
void on_rx_timing_setup_ans(MacState& mac, schema::DeviceSession& session);

// The request when the session's RX1 delay differs from `rx1_delay_s` (recorded as pending).
std::optional<lorawan::RXTimingSetupReq> rx_timing_setup_request(const schema::DeviceSession& session, int rx1_delay_s,
                                                                 MacState& mac);

}  // namespace uchet::netserver::maccommand
