#pragma once
// RXParamSetupReq / RXParamSetupAns (LoRaWAN 1.0.4 §5.4): brings the session's RX1 data-rate
// offset to the configuration and RX2 to the region's default. The answer is sticky
// (repeated until a downlink arrives), so an uplink carrying it is always answered. Called by
// the uplink handler (data_handler.cpp).
#include <optional>

#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/region.h"
#include "netserver/mac_state.h"
#include "schema/sessions.h"

namespace uchet::netserver::maccommand {

// The device applies all of the request or none of it: only a full acknowledgement changes the
// session. The request is no longer pending either way.
void on_rx_param_setup_ans(const lorawan::RXParamSetupAns& answer, MacState& mac, schema::DeviceSession& session);

// The request when the session's RX1 offset differs from `rx1_dr_offset` or it has an RX2 of
// its own (recorded as pending).
std::optional<lorawan::RXParamSetupReq> rx_param_setup_request(const schema::DeviceSession& session, int rx1_dr_offset,
                                                               const lorawan::Region& region, MacState& mac);

}  // namespace uchet::netserver::maccommand
