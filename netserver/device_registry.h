#pragma once
// The network server's in-memory view of the registry: devices by DevEUI, their sessions by
// DevEUI and DevAddr (several devices may share a DevAddr; the MIC picks), and the registered
// gateways. It is a cache of the database: every session change is written there first, and a
// registry change made by uchetctl (seen through registry_version) reloads it whole.
// With several uchetd instances on one PostgreSQL database another instance may change a
// session (a join, a frame) behind this cache: the network server then reloads that DevAddr's
// or that device's sessions (reload_sessions_for, reload_session) and judges the frame again;
// the generation each session carries (schema/sessions.h) keeps a stale copy from writing.
// One thread uses it, except has_gateway(), which the gateway bridge's thread may call too.
#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "schema/database.h"
#include "schema/devices.h"
#include "schema/sessions.h"

namespace uchet::netserver {

class DeviceRegistry {
 public:
  // Reloads when the database's registry version differs from the loaded one; returns true then.
  bool refresh(schema::Database& db);
  // The next refresh() reloads whatever the version (memory may be ahead of the database).
  void invalidate() { version_ = -1; }

  const schema::Device* device(lorawan::Eui64 dev_eui) const;
  schema::DeviceSession* session(lorawan::Eui64 dev_eui);
  std::vector<schema::DeviceSession*> sessions_for(lorawan::DevAddr dev_addr);
  // Inserts or replaces the device's session (after it was saved in the database).
  void put_session(const schema::DeviceSession& session);
  // Replaces what is cached for this DevAddr by the database's sessions with it (and forgets the
  // cached ones the database no longer has at it). Devices the registry does not know are left
  // out (a registry reload brings them). Returns how many sessions the DevAddr has now.
  std::size_t reload_sessions_for(schema::Database& db, lorawan::DevAddr dev_addr);
  // The device's session as the database has it now (none: forgotten). False when it has none.
  bool reload_session(schema::Database& db, lorawan::Eui64 dev_eui);
  bool dev_addr_in_use(lorawan::DevAddr dev_addr) const { return by_addr_.count(dev_addr) > 0; }
  bool has_gateway(lorawan::Eui64 gateway_eui) const { return gateways_.load()->contains(gateway_eui); }
  std::size_t device_count() const { return devices_.size(); }
  std::vector<const schema::Device*> class_c_devices() const;

 private:
  void index_session(const schema::DeviceSession& session);
  void forget_session(lorawan::Eui64 dev_eui);
  std::int64_t version_ = -1;
  std::unordered_map<lorawan::Eui64, schema::Device> devices_;
  std::unordered_map<lorawan::Eui64, schema::DeviceSession> sessions_;
  std::unordered_multimap<lorawan::DevAddr, lorawan::Eui64> by_addr_;
  // Replaced whole on reload, so a reader on another thread always sees a complete set.
  std::atomic<std::shared_ptr<const std::unordered_set<lorawan::Eui64>>> gateways_{
      std::make_shared<const std::unordered_set<lorawan::Eui64>>()};
};

}  // namespace uchet::netserver
