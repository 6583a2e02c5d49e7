#pragma once
// A lease: at most one uchetd instance on a PostgreSQL database does the work of a role at a
// time — drain the MQTT outbox, deliver one webhook endpoint, listen for MQTT commands, run a
// singleton job (silence check, house balances, frame retention, claim pruning). The lease is a
// session-level advisory lock (pg_try_advisory_lock on kLeaseLockNamespace and hashtext(role),
// schema/instances.h), held on a LeaseSession — a PostgreSQL connection that lives as long as the
// lease: when the holder dies, or the connection drops, PostgreSQL releases the lock and another
// instance takes it at its next try (every `retry`, 1 s by default).
//
// A lease has a connection of its own, named "uchetd <instance> lease <role>"
// (application_name), or shares one with other leases of the same thread (uchetd's four
// singleton jobs on its io thread): one connection polled instead of four, named
// "uchetd <instance> leases". Several advisory locks on one session are all released when it
// dies, so the roles on a shared connection pass over together — which is what a dead or cut-off
// instance wants. `uchetctl instance list` names a lease's role from its holder's
// application_name, or, on a shared connection, from kSharedLeaseRoles.
//
// A holder checks every `retry` that its lock is still granted to its own session (a dropped
// connection is reopened by the next statement, without the lock): between the loss and that
// check — at most `retry` plus the statement's own failure time — the old and the new holder may
// both work. Every role is written to bear that: deliveries are at least once, jobs are
// idempotent (they read what is still to be done from the database). A statement failing on a
// shared connection closes it, so every lease on it is lost together and tried afresh.
//
// SQLite: one uchetd holds the file (schema/database_lock.h), so every lease is simply held,
// and no connection is opened.
//
// Threading: hold() and release() on one thread (the role's worker) — for leases sharing a
// LeaseSession, the same thread for all of them (the session is not locked); held() from any
// thread. hold() never throws: a storage failure means "not held", logged once per change.
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace uchet::schema {

class Database;

// The roles uchetd's singleton jobs hold on one shared connection, for `uchetctl instance
// list` (a shared connection's application_name cannot name them all).
inline constexpr std::array<std::string_view, 4> kSharedLeaseRoles = {"frame retention", "silence check",
                                                                      "house balance", "claim pruning"};

// The PostgreSQL connection one or more leases hold their locks on; opened by the first
// statement that needs it. Not thread-safe: its leases use it from one thread.
class LeaseSession {
 public:
  LeaseSession(std::string database_location, std::string application_name);
  ~LeaseSession();  // closing the connection releases every lock held on it
  LeaseSession(const LeaseSession&) = delete;
  LeaseSession& operator=(const LeaseSession&) = delete;

  // The open connection (opened and named now when closed). Throws StorageError.
  Database& connection();
  // Closes the connection: every lock held on it is released.
  void close();
  bool is_open() const { return db_ != nullptr; }

 private:
  const std::string location_, application_name_;
  std::unique_ptr<Database> db_;
};

class LeaderLease {
 public:
  // On a connection of its own. `role` at most 16 characters (it shares PostgreSQL's 63-byte
  // application_name with the instance name). Opens nothing yet.
  LeaderLease(std::string database_location, std::string instance, std::string role,
              std::chrono::milliseconds retry = std::chrono::seconds(1));
  // On `shared` (see shared_session()), with other leases of the same thread.
  LeaderLease(std::string database_location, std::string instance, std::string role,
              std::shared_ptr<LeaseSession> shared, std::chrono::milliseconds retry = std::chrono::seconds(1));
  ~LeaderLease();
  LeaderLease(const LeaderLease&) = delete;
  LeaderLease& operator=(const LeaderLease&) = delete;

  // The connection several leases of `instance` share, named "uchetd <instance> leases";
  // nullptr on SQLite (no connection: the leases are simply held).
  static std::shared_ptr<LeaseSession> shared_session(const std::string& database_location,
                                                      const std::string& instance);

  // Whether this instance holds the lease now: when not held and the last try is `retry` ago,
  // tries to take it; when held and the last check is `retry` ago, checks it still is. Cheap
  // between tries (no statement).
  bool hold();
  // The last answer of hold() (any thread): for the metrics.
  bool held() const { return held_.load(); }
  const std::string& role() const { return role_; }
  // Gives the lease up now so another instance takes it at once: closes its own connection, or
  // unlocks its lock on a shared one.
  void release();

 private:
  bool try_take();
  bool still_held();
  void unlock();

  const std::string location_, instance_, role_;
  const std::chrono::milliseconds retry_;
  const bool always_held_;
  const bool shared_;
  std::shared_ptr<LeaseSession> session_;
  std::chrono::steady_clock::time_point next_try_{};
  std::string last_error_;
  std::atomic<bool> held_{false};
};

}  // namespace uchet::schema
