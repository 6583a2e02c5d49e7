#include "schema/billing_rules.h"
#include "schema/statement.h"

namespace uchet::schema {

// ---- billing norms and rules ----

void set_norm(Database& db, const BillingNorm& norm) {
  Statement(db, "INSERT OR REPLACE INTO billing_norm (object_id, resource, valid_from, per_month) VALUES (?, ?, ?, ?)")
      .bind(1, norm.object_id)
      .bind(2, norm.resource)
      .bind(3, norm.valid_from)
      .bind(4, norm.per_month)
      .run();
}

std::optional<BillingNorm> norm_at(Database& db, std::int64_t object_id, const std::string& resource, std::int64_t at) {
  Statement q(db,
              "SELECT object_id, resource, valid_from, per_month FROM billing_norm "
              "WHERE object_id = ? AND resource = ? AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1");
  q.bind(1, object_id).bind(2, resource).bind(3, at);
  if (!q.step()) return std::nullopt;
  return BillingNorm{q.int64(0), q.text(1), q.int64(2), q.real(3)};
}

std::vector<BillingNorm> list_norms(Database& db, std::int64_t object_id) {
  Statement q(db,
              "SELECT object_id, resource, valid_from, per_month FROM billing_norm WHERE object_id = ? "
              "ORDER BY resource, valid_from");
  q.bind(1, object_id);
  std::vector<BillingNorm> out;
  while (q.step()) out.push_back(BillingNorm{q.int64(0), q.text(1), q.int64(2), q.real(3)});
  return out;
}

void set_billing_rule(Database& db, const BillingRuleRow& rule) {
  Statement(db,
            "INSERT OR REPLACE INTO billing_rule (valid_from, average_months, min_history_months, "
            "max_periods_residential, max_periods_non_residential, source) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, rule.valid_from)
      .bind(2, rule.average_months)
      .bind(3, rule.min_history_months)
      .bind(4, rule.max_periods_residential)
      .bind(5, rule.max_periods_non_residential)
      .bind(6, rule.source)
      .run();
}

std::vector<BillingRuleRow> billing_rules(Database& db) {
  Statement q(db,
              "SELECT valid_from, average_months, min_history_months, max_periods_residential, "
              "max_periods_non_residential, source FROM billing_rule ORDER BY valid_from");
  std::vector<BillingRuleRow> out;
  while (q.step()) {
    BillingRuleRow r;
    r.valid_from = q.int64(0);
    r.average_months = static_cast<int>(q.int64(1));
    r.min_history_months = static_cast<int>(q.int64(2));
    r.max_periods_residential = static_cast<int>(q.int64(3));
    r.max_periods_non_residential = static_cast<int>(q.int64(4));
    r.source = q.text(5);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace uchet::schema
