#pragma once
// Gateway status reports: the gateway's row (last seen, GPS position, cumulative counters) is
// updated and a `gateway/{gatewayEui}/event/stats` event goes to the outbox, in one transaction.
#include "gateway-bridge/gateway_stats.h"
#include "schema/database.h"

namespace uchet::appserver {

void record_gateway_stats(schema::Database& db, lorawan::Eui64 gateway_eui, const gateway_bridge::GatewayStats& stats);

}  // namespace uchet::appserver
