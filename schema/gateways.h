#pragma once
// Registered gateways: only these are served by the gateway bridge. Registered and removed by
// uchetctl; their status reports are recorded by the application server (gateway_stats.h) on
// uchetd's writer connection. Functions take the connection owned by the caller, on its thread,
// and throw StorageError on failure.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct Gateway {
  lorawan::Eui64 eui = 0;
  std::string name;
  std::optional<double> latitude, longitude, altitude;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_seen_at;
  std::int64_t rx_received = 0, rx_ok = 0, rx_forwarded = 0, tx_received = 0, tx_emitted = 0;
};

std::optional<Gateway> find_gateway(Database& db, lorawan::Eui64 eui);
std::vector<Gateway> list_gateways(Database& db);
void insert_gateway(Database& db, const Gateway& gateway);
void delete_gateway(Database& db, lorawan::Eui64 eui);

// One status report of a gateway's packet forwarder: its counters cover the report's interval,
// so they are added to the gateway's totals; last_seen_at becomes now. An unknown gateway is
// left alone.
struct GatewayCounters {
  std::int64_t rx_received = 0, rx_ok = 0, rx_forwarded = 0, tx_received = 0, tx_emitted = 0;
};
void add_gateway_stats(Database& db, lorawan::Eui64 eui, const GatewayCounters& counters);
// The gateway's GPS position, as last reported.
void set_gateway_position(Database& db, lorawan::Eui64 eui, double latitude, double longitude,
                          std::optional<double> altitude);

}  // namespace uchet::schema
