#pragma once
// A reception (gateway-bridge/backend.h) as bytes and back, for the receptions one uchetd
// instance hands another through the database (schema/frame_claims.h): the owner of a frame
// claimed across instances reads the copies other instances' gateways received and goes on
// with all of them, as one instance does with its own. Everything an rxInfo and class A timing
// need travels: gateway EUI, counter and its context, GPS and UTC time, frequency, RSSI, SNR,
// IF channel, RF chain, data rate, coding rate, antenna and metadata. Not carried: the
// PHYPayload (the owner has it: it is the claim's key) and the steady-clock arrival time
// (meaningless on another host; the owner's own first copy times the frame).
//
// The bytes are a JSON object, readable in the table by an operator; decoding checks every
// member and returns a reason for anything malformed (the table is input from another process).
// Version 2 writes the data rate and coding rate in the form every text between instances
// shares (gateway-bridge/radio_json.h: "data_rate": {"sf", "bw_khz"} or {"fsk_bps"},
// "coding_rate": n or null); version 1 (flat sf, bw_khz, fsk_bps, coding_rate), written by an
// older uchetd during a rolling upgrade, is still read, with the same bounds. Pure functions,
// any thread (decoding parses with this thread's json_fields parser).
#include <cstdint>
#include <vector>

#include "gateway-bridge/backend.h"

namespace uchet::netserver {

std::vector<std::uint8_t> encode_reception(const gateway_bridge::Reception& reception);
lorawan::Result<gateway_bridge::Reception> decode_reception(lorawan::ByteView bytes);

}  // namespace uchet::netserver
