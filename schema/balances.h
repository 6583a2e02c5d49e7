#pragma once
// Published balance days (`balance_day`): each closed local day of an object and resource whose
// house balance was published, with its imbalance, so that each day is published once and a
// sustained imbalance can be recognised (its alarm is in schema/alarms.h). Written by the balance
// publisher (appserver/metering/object_balance.h) in the transaction that also stores the day's event.
//
// Functions take the connection (or a UnitOfWork) owned by the caller, on its thread, and throw
// StorageError on failure.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

// The start of the last published day of the object and resource, if any.
std::optional<std::int64_t> last_balance_day(Database& db, std::int64_t object_id, std::string_view resource);

// Records a published day; `imbalance_pct` is absent when the building meter had no value.
void insert_balance_day(Database& db, std::int64_t object_id, std::string_view resource, std::int64_t day_start,
                        std::optional<double> imbalance_pct);

// The imbalances of the last `days` published days, newest first (fewer when fewer exist).
std::vector<std::optional<double>> recent_imbalances(Database& db, std::int64_t object_id, std::string_view resource,
                                                     int days);

}  // namespace uchet::schema
