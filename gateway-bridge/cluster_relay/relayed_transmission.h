#pragma once
// A Transmission (gateway-bridge/backend.h) as text, for the relayed_downlink table
// (schema/relayed_downlinks.h): the instance that decided a downlink writes it, the instance
// holding the gateway's path reads it back and hands it to its own backend unchanged. Every
// field travels, the CounterTime's 64-bit counter and context included; a JSON object with
// fixed member names (JSON numbers up to 2^64 - 1 are read back exactly).
//
// The reader treats the text as untrusted (another process wrote it; a newer uchetd may have
// added members, which are ignored): every missing or ill-typed member is an error naming it,
// and radio values are checked as a gateway's would be (frequency, payload size; the data rate
// and coding rate in the form and bounds every text between instances shares: radio_json.h).
//
// Pure; any thread.
#include <string>
#include <string_view>

#include "gateway-bridge/backend.h"

namespace uchet::gateway_bridge::cluster_relay {

std::string serialise_transmission(const Transmission& transmission);
lorawan::Result<Transmission> parse_transmission(std::string_view text);

}  // namespace uchet::gateway_bridge::cluster_relay
