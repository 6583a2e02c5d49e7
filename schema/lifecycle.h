#pragma once
// Storage of the meter lifecycle passport (migration 0004): the static passport fields of a device
// and its append-only lifecycle event log. Kinds and roles are stored as their names; the rules
// for which event may follow which live in appserver/metering/lifecycle.h, checked before a row is added.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct Passport {
  lorawan::Eui64 dev_eui = 0;
  std::string model;
  std::string owner;
  std::optional<int> verification_interval_years;
  std::optional<std::int64_t> manufactured_on;   // start of a local day, Unix seconds
  std::optional<std::int64_t> last_verified_on;  // verification known from outside the log
};

struct LifecycleEventRow {
  std::int64_t id = 0;
  lorawan::Eui64 dev_eui = 0;
  std::string kind;
  std::int64_t at = 0;
  std::string actor;
  std::string role;
  std::string details = "{}";
  std::string document;
  std::int64_t recorded_at = 0;
};

std::optional<Passport> find_passport(Database& db, lorawan::Eui64 dev_eui);
// Every stored passport, ordered by DevEUI.
std::vector<Passport> list_passports(Database& db);
// Inserts or replaces the passport's fields.
void save_passport(Database& db, const Passport& passport);

// The device's events in the order they happened (time, then order of recording).
std::vector<LifecycleEventRow> lifecycle_events(Database& db, lorawan::Eui64 dev_eui);
// Appends one event (recorded_at is set here); returns its id.
std::int64_t append_lifecycle_event(Database& db, const LifecycleEventRow& event);

}  // namespace uchet::schema
