#pragma once
// PUSH_DATA "stat", validated into the contract's GatewayStats. Members a forwarder omits read
// as 0 / absent (forwarders differ in what they send); a member of the wrong type refuses the
// report; an unparseable "time" is dropped.
#include "common/json_fields.h"
#include "gateway-bridge/gateway_stats.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::semtech_udp {

lorawan::Result<GatewayStats> parse_gateway_stats(const common::json_fields::json& stat);

}  // namespace uchet::gateway_bridge::semtech_udp
