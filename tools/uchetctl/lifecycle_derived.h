#pragma once
// What uchetctl derives from a device's stored lifecycle log and passport: the state the log
// leads to, the passport's dates (last verification, next due) and the meters whose verification
// is due. Shared by the passport and verification commands and by the fleet report, so that a
// "due" date means the same everywhere.
#include <cstdint>
#include <optional>
#include <vector>

#include "appserver/metering/lifecycle.h"
#include "appserver/metering/time_zone.h"
#include "schema/database.h"
#include "schema/devices.h"
#include "schema/lifecycle.h"

namespace uchet::cli {

// A stored row as an event of the state machine; StorageError when its kind or role is unknown.
appserver::lifecycle::Event to_event(const schema::LifecycleEventRow& row);
// The state the stored log leads to. The log was checked event by event when it was written, so
// a refusal here means the database was edited behind uchet's back: StorageError.
appserver::lifecycle::State stored_state(const std::vector<schema::LifecycleEventRow>& rows);

// What the passport card shows beyond the stored fields.
struct DerivedPassport {
  appserver::lifecycle::State state;
  std::optional<std::int64_t> manufactured_on, last_verified, commissioned_at, next_due;
};

DerivedPassport derive_passport(const appserver::TimeZone& tz, const std::optional<schema::Passport>& passport,
                                const std::vector<schema::LifecycleEventRow>& rows);

struct VerificationDue {
  schema::Device device;
  schema::Passport passport;
  std::int64_t last_verified = 0;
  std::int64_t due = 0;
};

// Meters still owned (not decommissioned or disposed) whose next verification is due at or
// before now + within, overdue ones included; earliest due first.
std::vector<VerificationDue> verifications_due(schema::Database& db, const appserver::TimeZone& tz, std::int64_t now,
                                               std::int64_t within);

}  // namespace uchet::cli
