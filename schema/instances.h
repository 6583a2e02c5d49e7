#pragma once
// Several uchetd on one PostgreSQL database (docs/deployment.md, layout 3): each is an
// *instance* with a name ([cluster] instance), unique among the live ones and the same across
// its restarts. This store keeps their rows in `uchet_instance` (started, heartbeat, pid, host,
// version) and tells an operator which are live and which leases (schema/leader_lease.h) each
// holds — `uchetctl instance list`.
//
// Live means: the instance's advisory lock is held (DatabaseLock::acquire_instance takes it on a
// connection that lives as long as uchetd), so a crashed or killed instance is dead as soon as
// PostgreSQL notices its connection is gone, whatever its last heartbeat says. A live instance
// whose heartbeat is older than kStaleHeartbeat is shown as stale (hung, or its writer
// connection stuck). Lock keys: the two-integer form of PostgreSQL's advisory locks, a
// namespace (below) and hashtext(name) — a collision of two names' 32-bit hashes would make one
// refuse to start as if it were the other, and the message names the holder.
//
// SQLite: one uchetd holds the file, there are no instances to list, and these functions are
// not called (list_instances refuses).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

// First key of the advisory locks: an instance's own lock, and the leases.
inline constexpr std::int32_t kInstanceLockNamespace = 0x75636869;  // "uchi"
inline constexpr std::int32_t kLeaseLockNamespace = 0x7563686c;     // "uchl"
// The connection application_name prefix of a lease holder: "uchetd <instance> lease <role>".
inline constexpr std::string_view kLeaseApplicationPrefix = "uchetd ";
inline constexpr std::int64_t kStaleHeartbeat = 30;  // seconds

// The second key of a name's advisory lock as pg_locks shows it, in SQL: hashtext(name) is an
// int4 and pg_locks.objid an oid (unsigned), so both are compared as the same 32 bits —
// `objid::bigint = lock_objid_sql("?")`. `name_sql` is an SQL expression: a placeholder or a
// column. The one place this conversion is written (instances, leases, the instance lock).
inline std::string lock_objid_sql(std::string_view name_sql) {
  return "(hashtext(" + std::string(name_sql) + ")::bigint & 4294967295)";
}

// A valid instance name: 1-32 characters of A-Z a-z 0-9 . _ - (it goes into lock holder names
// PostgreSQL caps at 63 bytes, and into MQTT client ids). Empty when valid, else the reason.
std::string instance_name_refusal(std::string_view name);

struct InstanceRecord {
  std::string name;
  std::int64_t started_at = 0;
  std::int64_t heartbeat_at = 0;
  std::int64_t pid = 0;
  std::string host;
  std::string version;
};

// Written at start: the row is created, or replaced when the instance rejoins after a restart.
void register_instance(Database& db, const InstanceRecord& instance);
// The instance's heartbeat (every few seconds, uchetd's writer thread).
void record_heartbeat(Database& db, std::string_view name, std::int64_t now);

struct InstanceStatus {
  InstanceRecord record;
  bool live = false;                // its advisory lock is held
  std::vector<std::string> leases;  // roles whose lease it holds, sorted
};
// Every instance that ever registered, by name. PostgreSQL only (throws StorageError on SQLite).
std::vector<InstanceStatus> list_instances(Database& db);
// The SQL condition "the instance named by the SQL expression `name` is live" (its lock is
// held), the one notion of live for list_instances and the frame claims (schema/frame_claims.h).
// PostgreSQL only; `name` is pasted into the SQL, so it must be an expression, never input.
std::string instance_live_condition(std::string_view name);

}  // namespace uchet::schema
