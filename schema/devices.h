#pragma once
// Provisioned devices with their root keys (OTAA) and, for ABP devices, their fixed session.
// Keys are stored plain, or wrapped with the key-encryption key of storage.kek_file
// (schema/key_encryption.h): callers always see plain keys.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct Device {
  lorawan::Eui64 dev_eui = 0;
  std::int64_t application_id = 0;
  std::string application;       // name, filled on read
  std::string application_uuid;  // the application's UUID, filled on read
  std::string name;
  std::string serial;
  std::string codec;
  std::string mac_version = "1.0.3";  // "1.0.2", "1.0.3", "1.0.4" or "1.1"
  char device_class = 'A';            // 'A' or 'C'
  bool abp = false;
  std::optional<lorawan::Eui64> join_eui;
  std::optional<lorawan::Key> app_key;
  std::optional<lorawan::Key> nwk_key;
  std::string fcnt_policy = "strict";  // "strict" or "reset-allowed" (ABP devices that reboot)
  std::int64_t created_at = 0;
};

// The session an ABP device is provisioned with.
struct AbpSession {
  lorawan::DevAddr dev_addr = 0;
  lorawan::Key nwk_s_key{};
  lorawan::Key app_s_key{};
};

std::optional<Device> find_device(Database& db, lorawan::Eui64 dev_eui);
// All devices, or those of one application.
std::vector<Device> list_devices(Database& db, std::optional<std::int64_t> application_id = std::nullopt);
void insert_device(Database& db, const Device& device, const std::optional<AbpSession>& abp);
void delete_device(Database& db, lorawan::Eui64 dev_eui);
void set_device_codec(Database& db, lorawan::Eui64 dev_eui, const std::string& codec);
// The DevAddr of the device's current session, if it has one.
std::optional<lorawan::DevAddr> session_dev_addr(Database& db, lorawan::Eui64 dev_eui);

// A number the schema's triggers raise whenever applications, devices or gateways change: the
// network server rereads its registry when it differs from the one it last read.
std::optional<std::int64_t> registry_version(Database& db);

// Registered devices, for /metrics.
std::int64_t count_devices(Database& db);

}  // namespace uchet::schema
