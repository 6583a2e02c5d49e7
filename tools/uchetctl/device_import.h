#pragma once
// Bulk provisioning from a manufacturer's CSV list. Required columns: dev_eui, join_eui,
// app_key, codec, serial, name, app; optional: nwk_key, mac_version, class. A list with a
// dev_addr column holds ABP devices too: it requires dev_eui, dev_addr, nwk_s_key, app_s_key,
// codec, serial, name, app instead (join_eui, app_key optional; fcnt_policy optional), and a row
// with a DevAddr is an ABP device with that session, one without an OTAA device. A row is checked
// exactly as `device add` checks its flags (tools/uchetctl/device_spec.h). Other columns are
// ignored. Every row is checked before anything is written; one bad row refuses the whole file
// with every bad row listed by line number.
#include <string_view>

#include "schema/database.h"

namespace uchet::cli {

// Returns the number of devices added; throws UsageError listing all bad rows.
int import_devices(schema::Database& db, std::string_view csv_text);

}  // namespace uchet::cli
