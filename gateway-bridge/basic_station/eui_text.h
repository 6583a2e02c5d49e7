#pragma once
// The text forms of an EUI-64 in the LoRa Basics Station protocol. A station names itself (the
// "router" of /router-info) and devices (DevEui, JoinEui) in whatever form its configuration
// used, so every form is accepted on input:
//   - a JSON integer (handled by the message parsers, not here);
//   - dashed bytes "b8-27-eb-ff-fe-e1-e3-9a" (what the station writes for EUIs in messages);
//   - 16 hex digits "b827ebfffee1e39a" (also with ':' between the bytes, as "%:E" prints);
//   - ID6 "b827:ebff:fee1:e39a": four groups of 16 bits written as 1..4 hex digits, where one
//     "::" stands for the run of zero groups that makes four ("::0", "1::", "16:c001:ff1e:b51").
// Output is dashed (messages) or ID6 (the "router"/"muxs" of a discovery answer). Pure.
#include <string>
#include <string_view>

#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::basic_station {

// Any of the text forms above; an error says why the text is none of them.
lorawan::Result<lorawan::Eui64> parse_eui_text(std::string_view text);

// "b8-27-eb-ff-fe-e1-e3-9a" (lower case).
std::string format_eui_dashed(lorawan::Eui64 eui);

// ID6 exactly as the station writes it (uj.c encId6): groups without leading zeros; "::" for
// two zero groups at the start ("::0", "::1", "::2:1"), at the end ("4::", "4:3::") or in the
// middle ("4::1"); otherwise all four groups ("0:3:2:0").
std::string format_eui_id6(lorawan::Eui64 eui);

}  // namespace uchet::gateway_bridge::basic_station
