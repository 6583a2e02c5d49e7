#pragma once
// Billing norms and rules (migrations 0006, 0014): the consumption norm per object and resource,
// valid from a date; the common-property norm per m² of common area (ОДН cap, item 44); the
// calculated volume of a non-residential premise (item 43); and the rules for estimating a silent meter (how many
// months are averaged, how long before the norm applies), each set valid from a date. Written and read by uchetctl (the
// billing rules themselves are appserver/metering/billing_rules.h). Thin: values are checked by the
// callers. Functions take the connection owned by the caller, on its thread, and
// throw StorageError on failure.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

struct BillingNorm {
  std::int64_t object_id = 0;
  std::string resource;
  std::int64_t valid_from = 0;
  double per_month = 0;
};

struct BillingRuleRow {
  std::int64_t valid_from = 0;
  int average_months = 6, min_history_months = 3, max_periods_residential = 3, max_periods_non_residential = 2;
  std::string source;
  // Migration 0014 (item 60, 59(1)):
  double norm_coefficient_residential = 1.0;
  std::string non_residential_after_limit = "calculated";  // norm | calculated
  bool heating_season_average = true;
  int max_periods_house = 3;
};

struct CommonPropertyNorm {
  std::int64_t object_id = 0;
  std::string resource;
  std::int64_t valid_from = 0;
  double per_m2 = 0;  // per m² of common property per month
};

struct CalculatedVolume {
  std::int64_t premise_id = 0;
  std::string resource;
  std::int64_t valid_from = 0;
  double per_month = 0;
};

void set_norm(Database& db, const BillingNorm& norm);  // insert or replace
// The norm in force at `at` (newest valid_from <= at), if any.
std::optional<BillingNorm> norm_at(Database& db, std::int64_t object_id, const std::string& resource, std::int64_t at);
std::vector<BillingNorm> list_norms(Database& db, std::int64_t object_id);

void set_common_property_norm(Database& db, const CommonPropertyNorm& norm);  // insert or replace
std::optional<CommonPropertyNorm> common_property_norm_at(Database& db, std::int64_t object_id,
                                                          const std::string& resource, std::int64_t at);
std::vector<CommonPropertyNorm> list_common_property_norms(Database& db, std::int64_t object_id);

void set_calculated_volume(Database& db, const CalculatedVolume& volume);  // insert or replace
std::optional<CalculatedVolume> calculated_volume_at(Database& db, std::int64_t premise_id, const std::string& resource,
                                                     std::int64_t at);
std::vector<CalculatedVolume> list_calculated_volumes(Database& db, std::int64_t premise_id);

void set_billing_rule(Database& db, const BillingRuleRow& rule);  // insert or replace by valid_from
std::vector<BillingRuleRow> billing_rules(Database& db);          // by valid_from

}  // namespace uchet::schema
