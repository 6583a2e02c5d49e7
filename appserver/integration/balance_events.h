#pragma once
// The object events of the house balance: `object/{objectName}/event/balance` (one closed day,
// the row's JSON plus object, resource and grid) and `object/{objectName}/event/alarm` (an
// imbalance alarm opened or closed), and the daemon's daily job that records closed days
// (metering/object_balance.h) and stores their events in the outbox. Called from uchetd's
// balance timer and by uchetctl (a row's JSON); not thread-safe beyond the connection it is given.
#include <cstdint>
#include <string>
#include <string_view>

#include "appserver/integration/topics.h"
#include "appserver/metering/object_balance.h"
#include "appserver/metering/time_zone.h"
#include "schema/database.h"

namespace uchet::appserver {

// One balance row (times as ISO 8601 in `zone`, quantities to six decimals): the payload of the
// balance event and each row `uchetctl balance --format json` prints.
std::string balance_row_json(const BalanceRow& row, const TimeZone& zone);
std::string balance_event_json(std::string_view object_name, std::string_view resource, const BalanceRow& row,
                               const TimeZone& zone);
std::string imbalance_event_json(std::string_view object_name, std::string_view resource, const ImbalanceChange& change,
                                 double threshold_pct);

// Records and announces every closed, not yet recorded day and its imbalance alarm change,
// each object and resource in a transaction of its own (call it outside any transaction; a
// failing one is logged and retried on the next call). `default_zone` is used for objects
// without a time zone. Returns the number of days published.
int publish_closed_balances(schema::Database& db, std::int64_t now, const TimeZone& default_zone,
                            const BalanceSettings& settings);

}  // namespace uchet::appserver
