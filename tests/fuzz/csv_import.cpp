// Fuzz target: a manufacturer's device list given to `uchetctl device import`: the CSV reader,
// then the whole import (every row checked, all or nothing) against an in-memory database with
// one application; each input's transaction is rolled back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "schema/applications.h"
#include "schema/database.h"
#include "tools/uchetctl/csv.h"
#include "tools/uchetctl/device_import.h"
#include "tools/uchetctl/output.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace uchet;
  static schema::Database db = [] {
    auto opened = schema::Database::open(":memory:");
    schema::insert_application(opened, "water", "");
    return opened;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cli::parse_csv(text);
  schema::Transaction tx(db);  // never committed
  try {
    (void)cli::import_devices(db, text);
  } catch (const cli::UsageError&) {
    // a refused file: what most inputs are
  }
  return 0;
}
