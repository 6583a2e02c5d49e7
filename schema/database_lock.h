#pragma once
// Contract: who holds a database for itself. uchetd takes the lock for its whole run, and
// `uchetctl restore` for the restore, so a restore is refused while uchetd runs (and a second
// uchetd on the same file refuses to start) instead of replacing the pages under a running
// writer. The lock is an advisory flock(2) on `<database>.lock` beside the file, holding the
// holder's pid for the message; the kernel drops it when the process ends, however it ends, so
// a crash leaves no stale lock. uchetctl's ordinary commands do not take it: they run beside
// uchetd by design (SQLite's own locks keep them consistent).
//
// On PostgreSQL (a postgresql:// location) the locks are session-level advisory locks, held by
// a connection of their own that lives as long as the DatabaseLock; the holder is named in that
// connection's application_name for the refusal message. The server releases them when the
// session ends, however the process ends. Several uchetd may share one PostgreSQL database
// (docs/deployment.md, layout 3): each takes acquire_instance(), a *shared* lock on the fixed
// key — so that acquire(), exclusive on the same key, is refused while any uchetd runs and
// refuses every uchetd while it is held — and an exclusive lock on its instance name
// (schema/instances.h), so a second uchetd with the same [cluster] instance refuses to start.
#include <expected>
#include <memory>
#include <string>

namespace uchet::schema {

class Database;

class DatabaseLock {
 public:
  // Takes the lock without waiting; the error says who holds it (pid) or why it cannot be had.
  static std::expected<DatabaseLock, std::string> acquire(const std::string& database_path, const std::string& holder);
  // uchetd's lock. SQLite: acquire() itself (one uchetd per file; `instance` is not used).
  // PostgreSQL: the shared database lock and the instance's own lock; the error names the
  // process holding either.
  static std::expected<DatabaseLock, std::string> acquire_instance(const std::string& database_path,
                                                                   const std::string& instance);

  DatabaseLock(DatabaseLock&& other) noexcept;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  DatabaseLock& operator=(DatabaseLock&&) = delete;
  ~DatabaseLock();

  static std::string lock_path(const std::string& database_path) { return database_path + ".lock"; }

 private:
  explicit DatabaseLock(int fd);
  explicit DatabaseLock(std::unique_ptr<Database> session);
  int fd_ = -1;
  std::unique_ptr<Database> session_;  // PostgreSQL: the connection holding the advisory lock
};

}  // namespace uchet::schema
