#pragma once
// Bulk provisioning from a manufacturer's CSV list. Required columns: dev_eui, join_eui,
// app_key, codec, serial, name, app; optional: nwk_key, mac_version, class. Other columns are
// ignored. Every row is checked before anything is written; one bad row refuses the whole file
// with every bad row listed by line number.
#include <string_view>

#include "schema/database.h"

namespace uchet::cli {

// Returns the number of devices added; throws UsageError listing all bad rows.
int import_devices(schema::Database& db, std::string_view csv_text);

}  // namespace uchet::cli
