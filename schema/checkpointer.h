#pragma once
// Copies the WAL back into the database file on a thread of its own. By default SQLite does this
// inside the commit that takes the WAL past 1,000 pages, so the network server's thread would
// sometimes spend the copy and its fdatasync between two receptions (the largest stall in the
// profile of BENCHMARKS.md). uchetd instead raises its writer's automatic threshold to a backstop
// (kWriterAutoCheckpointPages, used only if this thread falls behind) and lets the Checkpointer
// run a PASSIVE checkpoint — which never waits for or blocks a writer — every `interval` on its
// own connection. Failures (a reader pinning old pages, a busy lock) are logged once per change
// of message and retried at the next interval.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "schema/database.h"

namespace uchet::storage {

// The writer's own checkpoint threshold while a Checkpointer runs (16 MiB of 4 KiB pages).
inline constexpr int kWriterAutoCheckpointPages = 4096;

class Checkpointer {
 public:
  // Opens its own connection to `path` (throws StorageError) and starts the thread.
  Checkpointer(const std::string& path, std::chrono::milliseconds interval = std::chrono::milliseconds(500));
  ~Checkpointer();  // stop()
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Runs a last checkpoint and joins the thread. Idempotent.
  void stop();

  // Checkpoints that copied at least one page, for tests and the stop log line.
  std::uint64_t checkpoints() const;

 private:
  void run();
  void checkpoint_once();

  Database db_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace uchet::storage
