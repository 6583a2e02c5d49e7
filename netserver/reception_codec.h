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
// The bytes are a JSON object (version 1), readable in the table by an operator; decoding
// checks every member and returns a reason for anything malformed (the table is input from
// another process). Pure functions, any thread.
#include <cstdint>
#include <vector>

#include "gateway-bridge/backend.h"

namespace uchet::netserver {

std::vector<std::uint8_t> encode_reception(const gateway_bridge::Reception& reception);
lorawan::Result<gateway_bridge::Reception> decode_reception(lorawan::ByteView bytes);

}  // namespace uchet::netserver
