#include "schema/balances.h"
#include "schema/statement.h"

namespace uchet::schema {

std::optional<std::int64_t> last_balance_day(Database& db, std::int64_t object_id, std::string_view resource) {
  Statement q(db, "SELECT MAX(day_start) FROM balance_day WHERE object_id = ? AND resource = ?");
  q.bind(1, object_id).bind(2, resource);
  return q.step() ? q.optional_int64(0) : std::nullopt;
}

void insert_balance_day(Database& db, std::int64_t object_id, std::string_view resource, std::int64_t day_start,
                        std::optional<double> imbalance_pct) {
  Statement(db, "INSERT INTO balance_day (object_id, resource, day_start, imbalance_pct) VALUES (?, ?, ?, ?)")
      .bind(1, object_id)
      .bind(2, resource)
      .bind(3, day_start)
      .bind(4, imbalance_pct)
      .run();
}

std::vector<std::optional<double>> recent_imbalances(Database& db, std::int64_t object_id, std::string_view resource,
                                                     int days) {
  Statement q(db,
              "SELECT imbalance_pct FROM balance_day WHERE object_id = ? AND resource = ? "
              "ORDER BY day_start DESC LIMIT ?");
  q.bind(1, object_id).bind(2, resource).bind(3, days);
  std::vector<std::optional<double>> out;
  while (q.step()) out.push_back(q.optional_real(0));
  return out;
}

}  // namespace uchet::schema
