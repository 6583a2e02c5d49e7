// RekeyInd: confirmed with the lower of the device's and the server's LoRaWAN minor version.
#include <catch2/catch.hpp>

#include "netserver/maccommand/rekey.h"

using namespace uchet;
using namespace uchet::netserver;

TEST_CASE("RekeyConf gives the lower of the device's minor version and 1") {
  CHECK(maccommand::rekey_confirmation(lorawan::RekeyInd{1}).minor == 1);
  CHECK(maccommand::rekey_confirmation(lorawan::RekeyInd{0}).minor == 0);
  CHECK(maccommand::rekey_confirmation(lorawan::RekeyInd{7}).minor == 1);
}
