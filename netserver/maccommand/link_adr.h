#pragma once
// LinkADRReq / LinkADRAns (LoRaWAN 1.0.4 §5.3) with the ADR decision (netserver/adr.h): asks a
// device for a new data rate, TX power and NbTrans once its SNR history is full, one request
// at a time; the session changes only when the device accepts all of it. Called by the uplink
// handler (data_handler.cpp).
#include <cstdint>
#include <optional>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/region.h"
#include "netserver/mac_state.h"
#include "schema/sessions.h"

namespace uchet::netserver::maccommand {

// Accepted in full: the session gets the TX power and NbTrans asked; otherwise ADR tries again
// later. No request pending: nothing happens.
void on_link_adr_ans(const lorawan::LinkADRAns& answer, MacState& mac, schema::DeviceSession& session);

// The ADR decision for an uplink at `uplink_dr` (radio rate `uplink_rate`) when no request is
// pending and the history is full; a request only when it changes something (then pending).
std::optional<lorawan::LinkADRReq> link_adr_request(const lorawan::Region& region, double installation_margin_db,
                                                    const gateway_bridge::DataRate& uplink_rate, std::uint8_t uplink_dr,
                                                    const schema::DeviceSession& session, MacState& mac);

}  // namespace uchet::netserver::maccommand
