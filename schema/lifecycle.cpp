#include "schema/lifecycle.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {
namespace {

constexpr const char* kPassportColumns =
    "SELECT dev_eui, model, owner, verification_interval_years, manufactured_on, last_verified_on FROM passport ";

Passport passport_from(Statement& q) {
  Passport p;
  p.dev_eui = *lorawan::parse_eui64(q.text(0));
  p.model = q.text(1);
  p.owner = q.text(2);
  if (auto years = q.optional_int64(3)) p.verification_interval_years = static_cast<int>(*years);
  p.manufactured_on = q.optional_int64(4);
  p.last_verified_on = q.optional_int64(5);
  return p;
}

}  // namespace

std::optional<Passport> find_passport(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db, std::string(kPassportColumns) + "WHERE dev_eui = ?");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  if (!q.step()) return std::nullopt;
  return passport_from(q);
}

std::vector<Passport> list_passports(Database& db) {
  Statement q(db, std::string(kPassportColumns) + "ORDER BY dev_eui");
  std::vector<Passport> out;
  while (q.step()) out.push_back(passport_from(q));
  return out;
}

void save_passport(Database& db, const Passport& p) {
  std::optional<std::int64_t> years;
  if (p.verification_interval_years) years = *p.verification_interval_years;
  Statement(
      db,
      "INSERT INTO passport (dev_eui, model, owner, verification_interval_years, manufactured_on, last_verified_on, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dev_eui) DO UPDATE SET model = excluded.model, "
      "owner = excluded.owner, verification_interval_years = excluded.verification_interval_years, "
      "manufactured_on = excluded.manufactured_on, last_verified_on = excluded.last_verified_on, "
      "updated_at = excluded.updated_at")
      .bind(1, lorawan::eui64_to_string(p.dev_eui))
      .bind(2, p.model)
      .bind(3, p.owner)
      .bind(4, years)
      .bind(5, p.manufactured_on)
      .bind(6, p.last_verified_on)
      .bind(7, unix_now())
      .run();
}

std::vector<LifecycleEventRow> lifecycle_events(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db,
              "SELECT id, kind, at, actor, role, details, document, recorded_at FROM lifecycle_event "
              "WHERE dev_eui = ? ORDER BY at, id");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  std::vector<LifecycleEventRow> out;
  while (q.step()) {
    out.push_back(LifecycleEventRow{q.int64(0), dev_eui, q.text(1), q.int64(2), q.text(3), q.text(4), q.text(5),
                                    q.text(6), q.int64(7)});
  }
  return out;
}

std::int64_t append_lifecycle_event(Database& db, const LifecycleEventRow& e) {
  Statement insert(db,
                   "INSERT INTO lifecycle_event (dev_eui, kind, at, actor, role, details, document, recorded_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, lorawan::eui64_to_string(e.dev_eui))
      .bind(2, e.kind)
      .bind(3, e.at)
      .bind(4, e.actor)
      .bind(5, e.role)
      .bind(6, e.details)
      .bind(7, e.document)
      .bind(8, unix_now());
  return inserted_id(insert);
}

}  // namespace uchet::schema
