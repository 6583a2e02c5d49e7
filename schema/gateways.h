#pragma once
// Registered gateways: only these are served by the gateway bridge.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::storage {

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

}  // namespace uchet::storage
