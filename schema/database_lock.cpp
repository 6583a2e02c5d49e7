#include "schema/database_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <initializer_list>

#include "schema/instances.h"
#include "schema/location.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

// The advisory lock's key ("uchetd l" in ASCII); pg_locks shows it split in classid (high 32
// bits) and objid (low 32 bits).
constexpr std::int64_t kAdvisoryKey = 0x756368657464206c;
const std::string kDatabaseKeyCondition = "l.objsubid = 1 AND (l.classid::bigint << 32 | l.objid::bigint) = ?";

// The application_name of the session holding the advisory lock `condition` selects (pg_locks
// columns as l.*), or "another process".
std::string lock_holder(Database& session, const std::string& condition, std::initializer_list<std::int64_t> keys) {
  Statement who(session,
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database()) AND " +
                    condition + " ORDER BY 1");
  int index = 1;
  for (const auto key : keys) who.bind(index++, key);
  std::string name = who.step() ? who.text(0) : std::string();
  return name.empty() ? "another process" : name;
}

}  // namespace

std::expected<DatabaseLock, std::string> DatabaseLock::acquire_instance(const std::string& database_path,
                                                                        const std::string& instance) {
  if (!is_postgresql_location(database_path)) return acquire(database_path, "uchetd");
  try {
    auto session = std::make_unique<Database>(Database::open_raw(database_path));
    Statement(*session, "SELECT set_config('application_name', ?, false)")
        .bind(1, "uchetd " + instance + " (pid " + std::to_string(::getpid()) + ")")
        .run();
    Statement shared(*session, "SELECT pg_try_advisory_lock_shared(?)");
    shared.bind(1, kAdvisoryKey);
    if (!shared.step() || shared.int64(0) == 0) {
      shared.reset();
      return std::unexpected(
          "the database " + printable_location(database_path) + " is held by " +
          lock_holder(*session, kDatabaseKeyCondition + " AND l.mode = 'ExclusiveLock'", {kAdvisoryKey}) +
          " (a PostgreSQL advisory lock)");
    }
    shared.reset();
    Statement own(*session, "SELECT pg_try_advisory_lock(CAST(? AS INTEGER), hashtext(?))");
    own.bind(1, static_cast<std::int64_t>(kInstanceLockNamespace)).bind(2, instance);
    if (!own.step() || own.int64(0) == 0) {
      own.reset();
      Statement hash(*session, "SELECT " + lock_objid_sql("?"));
      hash.bind(1, instance);
      hash.step();
      const auto key = hash.int64(0);
      hash.reset();
      return std::unexpected("instance " + instance + " already runs on " + printable_location(database_path) +
                             ": held by " +
                             lock_holder(*session, "l.objsubid = 2 AND l.classid::bigint = ? AND l.objid::bigint = ?",
                                         {kInstanceLockNamespace, key}) +
                             " (give each uchetd its own [cluster] instance)");
    }
    return DatabaseLock(std::move(session));
  } catch (const StorageError& e) {
    return std::unexpected(std::string("cannot take the database lock: ") + e.what());
  }
}

std::expected<DatabaseLock, std::string> DatabaseLock::acquire(const std::string& database_path,
                                                               const std::string& holder) {
  if (is_postgresql_location(database_path)) {
    try {
      auto session = std::make_unique<Database>(Database::open_raw(database_path));
      Statement take(*session, "SELECT pg_try_advisory_lock(?)");
      take.bind(1, kAdvisoryKey);
      if (take.step() && take.int64(0) != 0) {
        take.reset();
        Statement(*session, "SELECT set_config('application_name', ?, false)")
            .bind(1, holder + " (pid " + std::to_string(::getpid()) + ")")
            .run();
        return DatabaseLock(std::move(session));
      }
      take.reset();
      return std::unexpected("the database " + printable_location(database_path) + " is held by " +
                             lock_holder(*session, kDatabaseKeyCondition, {kAdvisoryKey}) +
                             " (a PostgreSQL advisory lock)");
    } catch (const StorageError& e) {
      return std::unexpected(std::string("cannot take the database lock: ") + e.what());
    }
  }
  const auto path = lock_path(database_path);
  auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return std::unexpected("cannot open the lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char who[128] = {};
    const auto n = ::pread(fd, who, sizeof who - 1, 0);
    ::close(fd);
    std::string text = n > 0 ? std::string(who, static_cast<std::size_t>(n)) : std::string();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    if (err == EWOULDBLOCK) {
      return std::unexpected("the database " + database_path + " is held by " +
                             (text.empty() ? "another process" : text) + " (lock file " + path + ")");
    }
    return std::unexpected("cannot lock " + path + ": " + std::strerror(err));
  }
  const std::string who = holder + " (pid " + std::to_string(::getpid()) + ")\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, who.data(), who.size(), 0);
  return DatabaseLock(fd);
}

DatabaseLock::DatabaseLock(int fd) : fd_(fd) {}

DatabaseLock::DatabaseLock(std::unique_ptr<Database> session) : session_(std::move(session)) {}

DatabaseLock::DatabaseLock(DatabaseLock&& other) noexcept : fd_(other.fd_), session_(std::move(other.session_)) {
  other.fd_ = -1;
}

DatabaseLock::~DatabaseLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
  // session_ closes its connection: PostgreSQL releases the advisory lock with the session.
}

}  // namespace uchet::schema
