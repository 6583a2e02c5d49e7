#include "schema/database_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "schema/location.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

// The advisory lock's key ("uchetd l" in ASCII); pg_locks shows it split in classid (high 32
// bits) and objid (low 32 bits).
constexpr std::int64_t kAdvisoryKey = 0x756368657464206c;

}  // namespace

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
      Statement who(*session,
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database()) AND (l.classid::bigint << 32 | l.objid::bigint) = ?");
      who.bind(1, kAdvisoryKey);
      const std::string name = who.step() ? who.text(0) : std::string();
      return std::unexpected("the database " + printable_location(database_path) + " is held by " +
                             (name.empty() ? "another process" : name) + " (a PostgreSQL advisory lock)");
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
