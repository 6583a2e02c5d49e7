#pragma once
// DeviceTimeReq (LoRaWAN 1.0.3 §5.9): the device asks for the time at the end of its uplink.
// The same reception time dates the uplink event (its network time). Called by the uplink
// handler; reception_gps_time reads the clocks, the rest is pure.
#include <chrono>
#include <utility>

#include "netserver/deduplicator.h"
#include "netserver/lorawan/mac_commands.h"

namespace uchet::netserver::maccommand {

// When the frame ended on air, as GPS time, and whether a gateway's clock said so: the
// gateway's GPS clock when it has one, else its UTC clock, else the moment the first copy
// reached this server (false).
std::pair<std::chrono::nanoseconds, bool> reception_gps_time(const ReceivedFrame& frame);

lorawan::DeviceTimeAns device_time_answer(std::chrono::nanoseconds gps_time);

}  // namespace uchet::netserver::maccommand
