#include "netserver/maccommand/rekey.h"

#include <algorithm>

namespace uchet::netserver::maccommand {

lorawan::RekeyConf rekey_confirmation(const lorawan::RekeyInd& indication) {
  return lorawan::RekeyConf{static_cast<std::uint8_t>(std::min<int>(indication.minor, 1))};
}

}  // namespace uchet::netserver::maccommand
