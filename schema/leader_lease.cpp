#include "schema/leader_lease.h"

#include <spdlog/spdlog.h>

#include "schema/instances.h"
#include "schema/location.h"
#include "schema/statement.h"

namespace uchet::schema {

LeaderLease::LeaderLease(std::string database_location, std::string instance, std::string role,
                         std::chrono::milliseconds retry)
    : location_(std::move(database_location)),
      instance_(std::move(instance)),
      role_(std::move(role)),
      retry_(retry),
      always_held_(!is_postgresql_location(location_)) {
  if (always_held_) held_ = true;
}

LeaderLease::~LeaderLease() = default;  // closing the connection releases the lock

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
    // The connection is in trouble: whatever it held is not to be relied on; try afresh.
    if (last_error_ != e.what()) spdlog::warn("lease {}: {}; retrying every {} ms", role_, e.what(), retry_.count());
    last_error_ = e.what();
    session_.reset();
    now_held = false;
  }
  if (now_held != was) {
    if (now_held) {
      spdlog::info("lease {}: taken by instance {}", role_, instance_);
    } else {
      spdlog::warn("lease {}: lost by instance {} (another instance may hold it now)", role_, instance_);
      session_.reset();
    }
  }
  held_ = now_held;
  return now_held;
}

bool LeaderLease::try_take() {
  if (!session_) session_ = std::make_unique<Database>(Database::open_raw(location_));
  Statement(*session_, "SELECT set_config('application_name', ?, false)")
      .bind(1, std::string(kLeaseApplicationPrefix) + instance_ + " lease " + role_)
      .run();
  Statement take(*session_, "SELECT pg_try_advisory_lock(CAST(? AS INTEGER), hashtext(?))");
  take.bind(1, static_cast<std::int64_t>(kLeaseLockNamespace)).bind(2, role_);
  return take.step() && take.int64(0) != 0;
}

// Granted to this very session: after a dropped connection was reopened, it is not.
bool LeaderLease::still_held() {
  Statement q(*session_,
              "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND pid = "
              "pg_backend_pid() AND classid::bigint = ? AND objid::bigint = " +
                  lock_objid_sql("?"));
  q.bind(1, static_cast<std::int64_t>(kLeaseLockNamespace)).bind(2, role_);
  return q.step() && q.int64(0) > 0;
}

void LeaderLease::release() {
  if (always_held_) return;
  if (held_) spdlog::info("lease {}: released by instance {}", role_, instance_);
  session_.reset();
  held_ = false;
  next_try_ = {};
}

}  // namespace uchet::schema
