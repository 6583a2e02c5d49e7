#pragma once
// Contract: who holds a database for itself. uchetd takes the lock for its whole run, and
// `uchetctl restore` for the restore, so a restore is refused while uchetd runs (and a second
// uchetd on the same file refuses to start) instead of replacing the pages under a running
// writer. The lock is an advisory flock(2) on `<database>.lock` beside the file, holding the
// holder's pid for the message; the kernel drops it when the process ends, however it ends, so
// a crash leaves no stale lock. uchetctl's ordinary commands do not take it: they run beside
// uchetd by design (SQLite's own locks keep them consistent).
#include <expected>
#include <string>

namespace uchet::schema {

class DatabaseLock {
 public:
  // Takes the lock without waiting; the error says who holds it (pid) or why it cannot be had.
  static std::expected<DatabaseLock, std::string> acquire(const std::string& database_path, const std::string& holder);

  DatabaseLock(DatabaseLock&& other) noexcept;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  DatabaseLock& operator=(DatabaseLock&&) = delete;
  ~DatabaseLock();

  static std::string lock_path(const std::string& database_path) { return database_path + ".lock"; }

 private:
  explicit DatabaseLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace uchet::schema
