#include "tools/uchetctl/lifecycle_derived.h"

#include <algorithm>

namespace uchet::cli {

namespace lc = appserver::lifecycle;

lc::Event to_event(const schema::LifecycleEventRow& row) {
  auto kind = lc::parse_kind(row.kind);
  auto role = lc::parse_role(row.role);
  if (!kind || !role)
    throw schema::StorageError("lifecycle event " + std::to_string(row.id) + " has an unknown kind or role");
  return lc::Event{*kind, row.at, row.actor, *role, row.details, row.document};
}

lc::State stored_state(const std::vector<schema::LifecycleEventRow>& rows) {
  std::vector<lc::Event> events;
  for (const auto& r : rows) events.push_back(to_event(r));
  auto state = lc::derive_state(events);
  if (!state) throw schema::StorageError("the stored lifecycle log is inconsistent: " + state.error());
  return *state;
}

DerivedPassport derive_passport(const appserver::TimeZone& tz, const std::optional<schema::Passport>& p,
                                const std::vector<schema::LifecycleEventRow>& rows) {
  DerivedPassport d;
  d.state = stored_state(rows);
  if (p) {
    d.manufactured_on = p->manufactured_on;
    d.last_verified = p->last_verified_on;
  }
  for (const auto& r : rows) {
    if (r.kind == "manufactured" && !d.manufactured_on) d.manufactured_on = tz.start_of_local_day(r.at);
    if (r.kind == "verified" && (!d.last_verified || r.at > *d.last_verified)) d.last_verified = r.at;
    if (r.kind == "commissioned") d.commissioned_at = r.at;
  }
  if (p && p->verification_interval_years && d.last_verified) {
    d.next_due = lc::next_verification_due(tz, *d.last_verified, *p->verification_interval_years);
  }
  return d;
}

std::vector<VerificationDue> verifications_due(schema::Database& db, const appserver::TimeZone& tz, std::int64_t now,
                                               std::int64_t within) {
  std::vector<VerificationDue> rows;
  for (const auto& p : schema::list_passports(db)) {
    if (!p.verification_interval_years) continue;
    auto device = schema::find_device(db, p.dev_eui);
    if (!device) continue;
    auto d = derive_passport(tz, p, schema::lifecycle_events(db, p.dev_eui));
    if (d.state.stage == lc::Stage::Decommissioned || d.state.stage == lc::Stage::Disposed) continue;
    if (!d.next_due || *d.next_due > now + within) continue;
    rows.push_back(VerificationDue{*device, p, *d.last_verified, *d.next_due});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.due < b.due; });
  return rows;
}

}  // namespace uchet::cli
