#include "schema/database_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace uchet::schema {

std::expected<DatabaseLock, std::string> DatabaseLock::acquire(const std::string& database_path,
                                                               const std::string& holder) {
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

DatabaseLock::DatabaseLock(DatabaseLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

DatabaseLock::~DatabaseLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace uchet::schema
