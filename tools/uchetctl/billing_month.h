#pragma once
// A billing month of an object, computed from storage for uchetctl's `export billing` and
// `billing odn`: every metering point billed by the dated rules (appserver/metering/
// billing_rules.h; Decree 354 items 59, 59(1), 60) and the common-property share (ОДН,
// appserver/metering/common_property.h; items 44-48) of each resource where it applies.
// Reads the database on the caller's thread; throws UsageError for what the operator can fix.
#include <optional>
#include <string>
#include <vector>

#include "appserver/metering/billing_rules.h"
#include "appserver/metering/common_property.h"
#include "schema/database.h"
#include "schema/objects.h"

namespace uchet::cli {

struct YearMonth {
  int year = 0, month = 0;
};
// "YYYY-MM"; `what` names the option in the message.
YearMonth year_month_arg(const std::string& text, const std::string& what);

std::vector<appserver::billing::Rule> stored_rules(schema::Database& db);

// One metering point's month.
struct PointBill {
  schema::MeteringPoint point;
  std::optional<schema::Premise> premise;  // premise-level points
  std::string meter_serial;                // the meter at the month's end, else the last before it
  std::optional<double> reading_start, reading_end;
  appserver::billing::Billed billed;
};

// Every point of the object, building points first, then premise points by name. A rule's date
// (read in `fallback_zone`, uchetctl's zone) is taken as the same wall-clock time in the object's
// zone: a rule from 2026-11-01 governs every object's November.
std::vector<PointBill> bill_object(schema::Database& db, const schema::MeteringObject& object,
                                   const std::string& fallback_zone, YearMonth period,
                                   const std::vector<appserver::billing::Rule>& rules);

// The ОДН of one resource: the inputs as gathered and the allocation.
struct CommonPropertyShare {
  std::string resource;
  std::vector<schema::Premise> premises;  // in the order of input.premises
  appserver::common_property::Input input;
  appserver::common_property::Allocation allocation;
};

// The resources whose ОДН is computed: an object with its common-property area set (or the
// owners' decision to distribute above the norm), for cold water, hot water and electricity
// (heating is billed by area, item 42(1)), where the object has a house meter or a
// common-property norm for the resource. `only` restricts to one resource. A resource whose
// inputs are incomplete throws UsageError naming the object, the resource and what is missing.
std::vector<CommonPropertyShare> common_property_shares(schema::Database& db, const schema::MeteringObject& object,
                                                        const std::string& fallback_zone, YearMonth period,
                                                        const std::vector<PointBill>& bills,
                                                        const std::string& only = {});

}  // namespace uchet::cli
