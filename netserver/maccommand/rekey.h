#pragma once
// RekeyInd (LoRaWAN 1.1 §5.10): a 1.1 device announces its new session keys; until RekeyConf
// arrives it repeats RekeyInd in every uplink. Pure; called by the uplink handler for 1.1
// sessions only (a 1.0 device has no such command).
#include "netserver/lorawan/mac_commands.h"

namespace uchet::netserver::maccommand {

// Confirms with the lower of the device's and this server's minor version (1).
lorawan::RekeyConf rekey_confirmation(const lorawan::RekeyInd& indication);

}  // namespace uchet::netserver::maccommand
