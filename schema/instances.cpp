#include "schema/instances.h"

#include <algorithm>
#include <map>

#include "schema/leader_lease.h"
#include "schema/statement.h"

namespace uchet::schema {

std::string instance_name_refusal(std::string_view name) {
  if (name.empty() || name.size() > 32) return "must be 1 to 32 characters long";
  for (const char ch : name) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '_' || ch == '-';
    if (!ok) return "may hold only letters A-Z a-z, digits and . _ -";
  }
  return "";
}

void register_instance(Database& db, const InstanceRecord& i) {
  Statement(db,
            "INSERT INTO uchet_instance (name, started_at, heartbeat_at, pid, host, version) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, "
            "pid = excluded.pid, host = excluded.host, version = excluded.version")
      .bind(1, i.name)
      .bind(2, i.started_at)
      .bind(3, i.heartbeat_at)
      .bind(4, i.pid)
      .bind(5, i.host)
      .bind(6, i.version)
      .run();
}

void record_heartbeat(Database& db, std::string_view name, std::int64_t now) {
  Statement(db, "UPDATE uchet_instance SET heartbeat_at = ? WHERE name = ?").bind(1, now).bind(2, name).run();
}

std::string instance_live_condition(std::string_view name) {
  // The instance lock (namespace, hashtext(name)) is granted to some session. objid is an oid
  // (unsigned), hashtext an int4: compared as the same 32 bits.
  return "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND "
         "l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.classid::bigint = " +
         std::to_string(kInstanceLockNamespace) + " AND l.objid::bigint = " + lock_objid_sql(name) + ")";
}

std::vector<InstanceStatus> list_instances(Database& db) {
  if (db.dialect() != Dialect::postgresql)
    throw StorageError("instances exist only on PostgreSQL: one uchetd holds an SQLite database");
  std::vector<InstanceStatus> out;
  std::map<std::string, std::size_t> by_name;
  {
    Statement q(db, "SELECT i.name, i.started_at, i.heartbeat_at, i.pid, i.host, i.version, " +
                        instance_live_condition("i.name") + " FROM uchet_instance i ORDER BY i.name");
    while (q.step()) {
      InstanceStatus s;
      s.record = {q.text(0), q.int64(1), q.int64(2), q.int64(3), q.text(4), q.text(5)};
      s.live = q.int64(6) != 0;
      by_name[s.record.name] = out.size();
      out.push_back(std::move(s));
    }
  }
  // Leases: granted lease locks, named by their holder connection's application_name, "uchetd
  // <instance> lease <role>"; or "uchetd <instance> leases" for a shared connection, whose
  // locks are named by matching their key against the roles it may carry.
  std::string shared_roles;
  for (std::size_t i = 0; i < kSharedLeaseRoles.size(); ++i)
    shared_roles += i ? ", (CAST(? AS TEXT))" : "(CAST(? AS TEXT))";
  Statement q(db, "SELECT a.application_name, COALESCE((SELECT r.role FROM (VALUES " + shared_roles +
                      ") AS r(role) WHERE l.objid::bigint = " + lock_objid_sql("r.role") +
                      " LIMIT 1), '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE "
                      "l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (SELECT oid FROM "
                      "pg_database WHERE datname = current_database()) AND l.classid::bigint = ? ORDER BY 1");
  int index = 1;
  for (const auto role : kSharedLeaseRoles) q.bind(index++, role);
  q.bind(index, static_cast<std::int64_t>(kLeaseLockNamespace));
  while (q.step()) {
    const std::string holder = q.text(0);
    if (!holder.starts_with(kLeaseApplicationPrefix)) continue;
    const auto rest = holder.substr(kLeaseApplicationPrefix.size());
    std::string instance, role;
    if (const auto split = rest.find(" lease "); split != std::string::npos) {
      instance = rest.substr(0, split);
      role = rest.substr(split + 7);
    } else if (rest.ends_with(" leases")) {
      instance = rest.substr(0, rest.size() - 7);
      role = q.text(1);
    }
    auto it = by_name.find(instance);
    if (it == by_name.end() || role.empty()) continue;
    out[it->second].leases.push_back(role);
  }
  for (auto& s : out) std::ranges::sort(s.leases);
  return out;
}

}  // namespace uchet::schema
