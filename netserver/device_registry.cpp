#include "netserver/device_registry.h"

#include "schema/gateways.h"

namespace uchet::netserver {

bool DeviceRegistry::refresh(schema::Database& db) {
  const auto version = schema::registry_version(db);
  if (!version || *version == version_) return false;
  version_ = *version;
  devices_.clear();
  sessions_.clear();
  by_addr_.clear();
  for (auto& d : schema::list_devices(db)) devices_.emplace(d.dev_eui, std::move(d));
  for (auto& s : schema::load_sessions(db)) {
    index_session(s);
    sessions_.emplace(s.dev_eui, std::move(s));
  }
  auto gateways = std::make_shared<std::unordered_set<lorawan::Eui64>>();
  for (const auto& g : schema::list_gateways(db)) gateways->insert(g.eui);
  gateways_.store(std::move(gateways));
  return true;
}

const schema::Device* DeviceRegistry::device(lorawan::Eui64 dev_eui) const {
  auto it = devices_.find(dev_eui);
  return it == devices_.end() ? nullptr : &it->second;
}

schema::DeviceSession* DeviceRegistry::session(lorawan::Eui64 dev_eui) {
  auto it = sessions_.find(dev_eui);
  return it == sessions_.end() ? nullptr : &it->second;
}

std::vector<schema::DeviceSession*> DeviceRegistry::sessions_for(lorawan::DevAddr dev_addr) {
  std::vector<schema::DeviceSession*> out;
  auto [begin, end] = by_addr_.equal_range(dev_addr);
  for (auto it = begin; it != end; ++it) {
    if (auto* s = session(it->second)) out.push_back(s);
  }
  return out;
}

void DeviceRegistry::index_session(const schema::DeviceSession& session) {
  by_addr_.emplace(session.dev_addr, session.dev_eui);
}

void DeviceRegistry::forget_session(lorawan::Eui64 dev_eui) {
  auto* old = session(dev_eui);
  if (!old) return;
  auto [begin, end] = by_addr_.equal_range(old->dev_addr);
  for (auto it = begin; it != end; ++it) {
    if (it->second == dev_eui) {
      by_addr_.erase(it);
      break;
    }
  }
  sessions_.erase(dev_eui);
}

void DeviceRegistry::put_session(const schema::DeviceSession& session) {
  forget_session(session.dev_eui);
  sessions_[session.dev_eui] = session;
  index_session(session);
}

std::size_t DeviceRegistry::reload_sessions_for(schema::Database& db, lorawan::DevAddr dev_addr) {
  std::vector<lorawan::Eui64> cached;
  auto [begin, end] = by_addr_.equal_range(dev_addr);
  for (auto it = begin; it != end; ++it) cached.push_back(it->second);
  for (const auto dev_eui : cached) forget_session(dev_eui);
  std::size_t count = 0;
  for (auto& s : schema::load_sessions_for(db, dev_addr)) {
    if (!devices_.contains(s.dev_eui)) continue;
    put_session(s);
    ++count;
  }
  return count;
}

bool DeviceRegistry::reload_session(schema::Database& db, lorawan::Eui64 dev_eui) {
  forget_session(dev_eui);
  auto s = schema::find_session(db, dev_eui);
  if (!s || !devices_.contains(dev_eui)) return false;
  put_session(*s);
  return true;
}

std::vector<const schema::Device*> DeviceRegistry::class_c_devices() const {
  std::vector<const schema::Device*> out;
  for (const auto& [eui, d] : devices_) {
    if (d.device_class == 'C') out.push_back(&d);
  }
  return out;
}

}  // namespace uchet::netserver
