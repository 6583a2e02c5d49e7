#pragma once
// Which uchetd instance holds each gateway's downlink path (table gateway_path, migration 0019):
// the instance that last heard the gateway's PULL_DATA (Semtech UDP) or holds its WebSocket
// (Basics Station). Several uchetd on one PostgreSQL route a downlink for a gateway they cannot
// reach themselves to the holder (gateway-bridge/cluster_relay/). uchetd writes its own paths
// when it gains one and refreshes them every 30 s; on SQLite the table stays empty (one
// instance holds every path).
//
// Free functions on the caller's connection and thread, like every store.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct GatewayPath {
  lorawan::Eui64 gateway_eui = 0;
  std::string instance;
  std::string backend;  // "semtech_udp" or "basic_station"
  std::int64_t updated_at = 0;
  bool operator==(const GatewayPath&) const = default;
};

// Makes `path.instance` the holder (taking it over from another instance), or refreshes it.
void hold_gateway_path(Database& db, const GatewayPath& path);
std::optional<GatewayPath> find_gateway_path(Database& db, lorawan::Eui64 gateway_eui);
// Every path, by gateway EUI (uchetctl, tests).
std::vector<GatewayPath> list_gateway_paths(Database& db);

}  // namespace uchet::schema
