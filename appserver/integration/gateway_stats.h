#pragma once
// Gateway status reports: the gateway's row (last seen, GPS position, cumulative counters) is
// updated and a `gateway/{gatewayEui}/event/stats` event goes to the outbox, in one transaction.
// The event is ChirpStack's gw.GatewayStats; the forwarder's figures it has no field for
// (forwarded packets, PUSH_ACK ratio, temperature) are strings in its `metadata`.
#include "gateway-bridge/gateway_stats.h"
#include "netserver/events.h"
#include "schema/database.h"

namespace uchet::appserver {

void record_gateway_stats(schema::Database& db, lorawan::Eui64 gateway_eui, const gateway_bridge::GatewayStats& stats);
// The event's JSON; `now` stands in for a report without a time of its own.
std::string gateway_stats_json(lorawan::Eui64 gateway_eui, const gateway_bridge::GatewayStats& stats,
                               netserver::SystemTime now);

}  // namespace uchet::appserver
