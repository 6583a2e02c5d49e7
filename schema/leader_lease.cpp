#include "schema/leader_lease.h"

#include <spdlog/spdlog.h>

#include "schema/instances.h"
#include "schema/location.h"
#include "schema/statement.h"

namespace uchet::schema {

LeaseSession::LeaseSession(std::string database_location, std::string application_name)
    : location_(std::move(database_location)), application_name_(std::move(application_name)) {}

LeaseSession::~LeaseSession() = default;

Database& LeaseSession::connection() {
  if (!db_) {
    auto db = std::make_unique<Database>(Database::open_raw(location_));
    Statement(*db, "SELECT set_config('application_name', ?, false)").bind(1, application_name_).run();
    db_ = std::move(db);
  }
  return *db_;
}

void LeaseSession::close() { db_.reset(); }

LeaderLease::LeaderLease(std::string database_location, std::string instance, std::string role,
                         std::chrono::milliseconds retry)
    : location_(std::move(database_location)),
      instance_(std::move(instance)),
      role_(std::move(role)),
      retry_(retry),
      always_held_(!is_postgresql_location(location_)),
      shared_(false) {
  if (always_held_) {
    held_ = true;
  } else {
    session_ =
        std::make_shared<LeaseSession>(location_, std::string(kLeaseApplicationPrefix) + instance_ + " lease " + role_);
  }
}

LeaderLease::LeaderLease(std::string database_location, std::string instance, std::string role,
                         std::shared_ptr<LeaseSession> shared, std::chrono::milliseconds retry)
    : location_(std::move(database_location)),
      instance_(std::move(instance)),
      role_(std::move(role)),
      retry_(retry),
      always_held_(!is_postgresql_location(location_)),
      shared_(true),
      session_(std::move(shared)) {
  if (always_held_) held_ = true;
}

LeaderLease::~LeaderLease() {
  // Its own connection closes with it; on a shared one the lock is given back here.
  if (shared_ && held_ && !always_held_) unlock();
}

std::shared_ptr<LeaseSession> LeaderLease::shared_session(const std::string& database_location,
                                                          const std::string& instance) {
  if (!is_postgresql_location(database_location)) return nullptr;
  return std::make_shared<LeaseSession>(database_location, std::string(kLeaseApplicationPrefix) + instance + " leases");
}

bool LeaderLease::hold() {
  if (always_held_) return true;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_try_) return held_;
  next_try_ = now + retry_;
  const bool was = held_;
  bool now_held = false;
  try {
    now_held = was ? still_held() : try_take();
    last_error_.clear();
  } catch (const StorageError& e) {
    // The connection is in trouble: whatever it held is not to be relied on (on a shared one,
    // every lease's lock); try afresh.
    if (last_error_ != e.what()) spdlog::warn("lease {}: {}; retrying every {} ms", role_, e.what(), retry_.count());
    last_error_ = e.what();
    session_->close();
    now_held = false;
  }
  if (now_held != was) {
    if (now_held) {
      spdlog::info("lease {}: taken by instance {}", role_, instance_);
    } else {
      spdlog::warn("lease {}: lost by instance {} (another instance may hold it now)", role_, instance_);
      if (!shared_) session_->close();  // a shared one carries the other leases' locks
    }
  }
  held_ = now_held;
  return now_held;
}

bool LeaderLease::try_take() {
  Statement take(session_->connection(), "SELECT pg_try_advisory_lock(CAST(? AS INTEGER), hashtext(?))");
  take.bind(1, static_cast<std::int64_t>(kLeaseLockNamespace)).bind(2, role_);
  return take.step() && take.int64(0) != 0;
}

// Granted to this very session: after a dropped connection was reopened, it is not.
bool LeaderLease::still_held() {
  Statement q(session_->connection(),
              "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND pid = "
              "pg_backend_pid() AND classid::bigint = ? AND objid::bigint = " +
                  lock_objid_sql("?"));
  q.bind(1, static_cast<std::int64_t>(kLeaseLockNamespace)).bind(2, role_);
  return q.step() && q.int64(0) > 0;
}

void LeaderLease::unlock() {
  if (!session_->is_open()) return;  // closed: nothing is held on it
  try {
    Statement q(session_->connection(), "SELECT pg_advisory_unlock(CAST(? AS INTEGER), hashtext(?))");
    q.bind(1, static_cast<std::int64_t>(kLeaseLockNamespace)).bind(2, role_);
    q.step();
  } catch (const StorageError& e) {
    // Unlocking failed with the connection: closing it releases the lock anyway (and the other
    // leases on it, which find out at their next check).
    spdlog::warn("lease {}: giving it up failed ({}); closing its connection", role_, e.what());
    session_->close();
  }
}

void LeaderLease::release() {
  if (always_held_) return;
  if (held_) spdlog::info("lease {}: released by instance {}", role_, instance_);
  if (shared_) {
    if (held_) unlock();
  } else {
    session_->close();
  }
  held_ = false;
  next_try_ = {};
}

}  // namespace uchet::schema
