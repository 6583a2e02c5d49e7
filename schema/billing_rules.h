#pragma once
// Billing norms and rules (migration 0006): the consumption norm per object and resource, valid
// from a date, and the rules for estimating a silent meter (how many months are averaged, how
// long before the norm applies), each set valid from a date. Written and read by uchetctl (the
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
};

void set_norm(Database& db, const BillingNorm& norm);  // insert or replace
// The norm in force at `at` (newest valid_from <= at), if any.
std::optional<BillingNorm> norm_at(Database& db, std::int64_t object_id, const std::string& resource, std::int64_t at);
std::vector<BillingNorm> list_norms(Database& db, std::int64_t object_id);

void set_billing_rule(Database& db, const BillingRuleRow& rule);  // insert or replace by valid_from
std::vector<BillingRuleRow> billing_rules(Database& db);          // by valid_from

}  // namespace uchet::schema
