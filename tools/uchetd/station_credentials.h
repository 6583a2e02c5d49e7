#pragma once
// The Basics Station credentials of the registered gateways (schema/basic_station_gateways.h),
// held in memory for the Basics Station backend's thread. Like the network server's registry, it
// is reloaded whole when the database's registry version changes (a `uchetctl gateway add` or
// `remove` while uchetd runs), so a gateway added now may connect within a refresh interval.
//
// Threads: refresh() on the thread that owns the database connection (uchetd's io thread, every
// second); find() from any thread: the map is replaced whole, so a reader always sees a
// complete set.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>

#include "gateway-bridge/basic_station/station_credentials.h"
#include "schema/database.h"

namespace uchet {

class StationCredentialCache {
 public:
  // Reloads when the registry version differs from the loaded one; true then.
  bool refresh(schema::Database& db);
  std::optional<gateway_bridge::basic_station::StationCredential> find(lorawan::Eui64 gateway_eui) const;
  std::size_t size() const { return credentials_.load()->size(); }

 private:
  using Map = std::unordered_map<lorawan::Eui64, gateway_bridge::basic_station::StationCredential>;
  std::int64_t version_ = -1;
  std::atomic<std::shared_ptr<const Map>> credentials_{std::make_shared<const Map>()};
};

}  // namespace uchet
