#include "schema/billing_rules.h"
#include "schema/statement.h"

namespace uchet::schema {

// ---- billing norms and rules ----

void set_norm(Database& db, const BillingNorm& norm) {
  Statement(db,
            "INSERT INTO billing_norm (object_id, resource, valid_from, per_month) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (object_id, resource, valid_from) DO UPDATE SET per_month = excluded.per_month")
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

void set_common_property_norm(Database& db, const CommonPropertyNorm& norm) {
  Statement(db,
            "INSERT INTO common_property_norm (object_id, resource, valid_from, per_m2) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (object_id, resource, valid_from) DO UPDATE SET per_m2 = excluded.per_m2")
      .bind(1, norm.object_id)
      .bind(2, norm.resource)
      .bind(3, norm.valid_from)
      .bind(4, norm.per_m2)
      .run();
}

std::optional<CommonPropertyNorm> common_property_norm_at(Database& db, std::int64_t object_id,
                                                          const std::string& resource, std::int64_t at) {
  Statement q(db,
              "SELECT object_id, resource, valid_from, per_m2 FROM common_property_norm "
              "WHERE object_id = ? AND resource = ? AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1");
  q.bind(1, object_id).bind(2, resource).bind(3, at);
  if (!q.step()) return std::nullopt;
  return CommonPropertyNorm{q.int64(0), q.text(1), q.int64(2), q.real(3)};
}

std::vector<CommonPropertyNorm> list_common_property_norms(Database& db, std::int64_t object_id) {
  Statement q(db,
              "SELECT object_id, resource, valid_from, per_m2 FROM common_property_norm WHERE object_id = ? "
              "ORDER BY resource, valid_from");
  q.bind(1, object_id);
  std::vector<CommonPropertyNorm> out;
  while (q.step()) out.push_back(CommonPropertyNorm{q.int64(0), q.text(1), q.int64(2), q.real(3)});
  return out;
}

void set_calculated_volume(Database& db, const CalculatedVolume& volume) {
  Statement(db,
            "INSERT INTO calculated_volume (premise_id, resource, valid_from, per_month) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (premise_id, resource, valid_from) DO UPDATE SET per_month = excluded.per_month")
      .bind(1, volume.premise_id)
      .bind(2, volume.resource)
      .bind(3, volume.valid_from)
      .bind(4, volume.per_month)
      .run();
}

std::optional<CalculatedVolume> calculated_volume_at(Database& db, std::int64_t premise_id, const std::string& resource,
                                                     std::int64_t at) {
  Statement q(db,
              "SELECT premise_id, resource, valid_from, per_month FROM calculated_volume "
              "WHERE premise_id = ? AND resource = ? AND valid_from <= ? ORDER BY valid_from DESC LIMIT 1");
  q.bind(1, premise_id).bind(2, resource).bind(3, at);
  if (!q.step()) return std::nullopt;
  return CalculatedVolume{q.int64(0), q.text(1), q.int64(2), q.real(3)};
}

std::vector<CalculatedVolume> list_calculated_volumes(Database& db, std::int64_t premise_id) {
  Statement q(db,
              "SELECT premise_id, resource, valid_from, per_month FROM calculated_volume WHERE premise_id = ? "
              "ORDER BY resource, valid_from");
  q.bind(1, premise_id);
  std::vector<CalculatedVolume> out;
  while (q.step()) out.push_back(CalculatedVolume{q.int64(0), q.text(1), q.int64(2), q.real(3)});
  return out;
}

void set_billing_rule(Database& db, const BillingRuleRow& rule) {
  Statement(db,
            "INSERT INTO billing_rule (valid_from, average_months, min_history_months, "
            "max_periods_residential, max_periods_non_residential, source, norm_coefficient_residential, "
            "non_residential_after_limit, heating_season_average, max_periods_house) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (valid_from) DO UPDATE SET "
            "average_months = excluded.average_months, min_history_months = excluded.min_history_months, "
            "max_periods_residential = excluded.max_periods_residential, "
            "max_periods_non_residential = excluded.max_periods_non_residential, source = excluded.source, "
            "norm_coefficient_residential = excluded.norm_coefficient_residential, "
            "non_residential_after_limit = excluded.non_residential_after_limit, "
            "heating_season_average = excluded.heating_season_average, max_periods_house = excluded.max_periods_house")
      .bind(1, rule.valid_from)
      .bind(2, rule.average_months)
      .bind(3, rule.min_history_months)
      .bind(4, rule.max_periods_residential)
      .bind(5, rule.max_periods_non_residential)
      .bind(6, rule.source)
      .bind(7, rule.norm_coefficient_residential)
      .bind(8, rule.non_residential_after_limit)
      .bind(9, rule.heating_season_average ? 1 : 0)
      .bind(10, rule.max_periods_house)
      .run();
}

std::vector<BillingRuleRow> billing_rules(Database& db) {
  Statement q(db,
              "SELECT valid_from, average_months, min_history_months, max_periods_residential, "
              "max_periods_non_residential, source, norm_coefficient_residential, non_residential_after_limit, "
              "heating_season_average, max_periods_house FROM billing_rule ORDER BY valid_from");
  std::vector<BillingRuleRow> out;
  while (q.step()) {
    BillingRuleRow r;
    r.valid_from = q.int64(0);
    r.average_months = static_cast<int>(q.int64(1));
    r.min_history_months = static_cast<int>(q.int64(2));
    r.max_periods_residential = static_cast<int>(q.int64(3));
    r.max_periods_non_residential = static_cast<int>(q.int64(4));
    r.source = q.text(5);
    r.norm_coefficient_residential = q.real(6);
    r.non_residential_after_limit = q.text(7);
    r.heating_season_average = q.int64(8) != 0;
    r.max_periods_house = static_cast<int>(q.int64(9));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace uchet::schema
