#pragma once
// A lease: at most one uchetd instance on a PostgreSQL database does the work of a role at a
// time — drain the MQTT outbox, deliver one webhook endpoint, listen for MQTT commands, run a
// singleton job (silence check, house balances, frame retention, claim pruning). The lease is a
// session-level advisory lock (pg_try_advisory_lock on kLeaseLockNamespace and hashtext(role),
// schema/instances.h), held on a connection of its own that lives as long as the lease: when
// the holder dies, or its connection drops, PostgreSQL releases the lock and another instance
// takes it at its next try (every `retry`, 1 s by default). The holder's connection is named
// "uchetd <instance> lease <role>" (application_name), which `uchetctl instance list` reads.
//
// A holder checks every `retry` that its lock is still granted to its own session (a dropped
// connection is reopened by the next statement, without the lock): between the loss and that
// check — at most `retry` plus the statement's own failure time — the old and the new holder may
// both work. Every role is written to bear that: deliveries are at least once, jobs are
// idempotent (they read what is still to be done from the database).
//
// SQLite: one uchetd holds the file (schema/database_lock.h), so every lease is simply held,
// and no connection is opened.
//
// Threading: hold() and release() on one thread (the role's worker); held() from any thread.
// hold() never throws: a storage failure means "not held", logged once per change.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace uchet::schema {

class Database;

class LeaderLease {
 public:
  // `role` at most 16 characters (it shares PostgreSQL's 63-byte application_name with the
  // instance name). Opens nothing yet.
  LeaderLease(std::string database_location, std::string instance, std::string role,
              std::chrono::milliseconds retry = std::chrono::seconds(1));
  ~LeaderLease();
  LeaderLease(const LeaderLease&) = delete;
  LeaderLease& operator=(const LeaderLease&) = delete;

  // Whether this instance holds the lease now: when not held and the last try is `retry` ago,
  // tries to take it; when held and the last check is `retry` ago, checks it still is. Cheap
  // between tries (no statement).
  bool hold();
  // The last answer of hold() (any thread): for the metrics.
  bool held() const { return held_.load(); }
  const std::string& role() const { return role_; }
  // Gives the lease up now (closing its connection) so another instance takes it at once.
  void release();

 private:
  bool try_take();
  bool still_held();

  const std::string location_, instance_, role_;
  const std::chrono::milliseconds retry_;
  const bool always_held_;
  std::unique_ptr<Database> session_;
  std::chrono::steady_clock::time_point next_try_{};
  std::string last_error_;
  std::atomic<bool> held_{false};
};

}  // namespace uchet::schema
