#include "schema/checkpointer.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "schema/sqlite_connection.h"

namespace uchet::schema {

void leave_checkpoints_to_checkpointer(Database& db) {
  db.exec("PRAGMA wal_autocheckpoint=" + std::to_string(kWriterAutoCheckpointPages));
}

Checkpointer::Checkpointer(const std::string& path, std::chrono::milliseconds interval, int restart_wal_pages)
    : db_(Database::open(path)),
      database_file_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)),
      interval_(interval),
      restart_wal_pages_(restart_wal_pages),
      thread_([this] {
        pthread_setname_np(pthread_self(), "checkpoint");  // as top -H and perf show it
        run();
      }) {
  // Without the descriptor the RESTART only takes longer (it syncs everything itself).
  if (database_file_ < 0)
    spdlog::warn("checkpointer: cannot open {} for early syncs; WAL restarts will pause longer", path);
}

Checkpointer::~Checkpointer() {
  stop();
  if (database_file_ >= 0) ::close(database_file_);
}

void Checkpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    checkpoint_once();
    lock.lock();
  }
}

void Checkpointer::checkpoint_once() {
  int wal_pages = 0, copied = 0;
  const auto started = std::chrono::steady_clock::now();
  int rc = sqlite3_wal_checkpoint_v2(sqlite_handle(db_, "the WAL checkpointer"), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                     &wal_pages, &copied);
  if (rc == SQLITE_OK && wal_pages >= restart_wal_pages_) {
    // Linux writes back a file's dirty pages whichever descriptor asks, read-only ones too.
    if (database_file_ >= 0) ::fdatasync(database_file_);
    rc = sqlite3_wal_checkpoint_v2(sqlite_handle(db_, "the WAL checkpointer"), nullptr, SQLITE_CHECKPOINT_RESTART,
                                   &wal_pages, &copied);
  }
  if (rc == SQLITE_OK || rc == SQLITE_BUSY) {
    // BUSY: another connection is checkpointing right now; the next interval goes on from there.
    if (!last_error_.empty()) spdlog::info("checkpointer: working again");
    last_error_.clear();
    if (rc == SQLITE_OK && copied > 0) {
      durations_.observe(std::chrono::steady_clock::now() - started);
      std::lock_guard lock(mutex_);
      ++checkpoints_;
    }
    return;
  }
  std::string error = sqlite3_errmsg(sqlite_handle(db_, "the WAL checkpointer"));
  if (error != last_error_) spdlog::warn("checkpointer: WAL checkpoint failed: {}; retrying", error);
  last_error_ = std::move(error);
}

}  // namespace uchet::schema
