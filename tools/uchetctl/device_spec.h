#pragma once
// One device as an operator describes it (command-line flags or a CSV row), validated into
// what storage keeps. `device add` and `device import` share this so they accept and refuse
// exactly the same things.
#include <optional>
#include <string>

#include "schema/database.h"
#include "schema/devices.h"

namespace uchet::cli {

struct DeviceSpec {
  std::string dev_eui, app;
  std::string join_eui, app_key, nwk_key;  // OTAA
  bool abp = false;
  std::string dev_addr, nwk_s_key, app_s_key;  // ABP
  std::string fcnt_policy;                     // ABP only; default strict
  std::string mac_version = "1.0.3";
  std::string device_class = "A";
  std::string codec, name, serial;
};

struct ValidDevice {
  schema::Device device;
  std::optional<schema::AbpSession> abp;
};

// Throws UsageError naming the field; checks the application exists and the DevEUI is free.
ValidDevice validate_device(schema::Database& db, const DeviceSpec& spec);

}  // namespace uchet::cli
