#pragma once
// Applications group devices and name their MQTT topics (application/{name}/... by default, or
// by their UUID, see appserver/integration/topics.h). Each has a random UUID given at creation
// and never changed: ChirpStack's applicationId in events.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

struct Application {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::int64_t created_at = 0;
  std::int64_t device_count = 0;
  std::string time_zone;  // IANA name; empty: the configuration's default
  std::string uuid;       // deviceInfo.applicationId, lower-case canonical form
};

std::optional<Application> find_application(Database& db, const std::string& name);
std::vector<Application> list_applications(Database& db);
// Returns the new id; the application gets a new random UUID. The caller checks that the name is free first.
std::int64_t insert_application(Database& db, const std::string& name, const std::string& description,
                                const std::string& time_zone = "");
// Removes the application and, when asked to, its devices with all their data.
void delete_application(Database& db, std::int64_t id, bool with_devices);

}  // namespace uchet::schema
