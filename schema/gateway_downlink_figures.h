#pragma once
// The downlink figures of each gateway as uchetd last saved them (migration 0015): named
// counters ("planned", "sent", "acknowledged", "deferred", "refused.<reason>") and the airtime
// per sub-band in the last hour ("airtime_us.<sub-band>"), as
// netserver::scheduling::figure_list() names them. uchetd writes them on its writer connection
// (every minute and at stop); uchetctl reads. Functions take the caller's connection, on its
// thread, and throw StorageError on failure.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "netserver/lorawan/types.h"
#include "netserver/scheduling/saved_airtime.h"
#include "schema/database.h"

namespace uchet::schema {

struct GatewayDownlinkFigures {
  std::int64_t updated_at = 0;                                // Unix seconds, the latest figure's
  std::int64_t airtime_saved_at = 0;                          // the latest "airtime_us." figure's (0: none)
  std::vector<std::pair<std::string, std::int64_t>> figures;  // by name
};

// Replaces every figure of the gateway; with `airtime` false, every figure but the airtime ones,
// which stay as saved before (several uchetd on one PostgreSQL: only the instance holding the
// gateway's downlink path saves the airtime its scheduler counted, which a restarted or taking
// over instance reads back: netserver/scheduling/saved_airtime.h).
void save_gateway_downlink_figures(Database& db, lorawan::Eui64 gateway_eui, std::int64_t now,
                                   const std::vector<std::pair<std::string, std::int64_t>>& figures,
                                   bool airtime = true);
// nullopt when uchetd never saved any for this gateway.
std::optional<GatewayDownlinkFigures> find_gateway_downlink_figures(Database& db, lorawan::Eui64 gateway_eui);

}  // namespace uchet::schema
