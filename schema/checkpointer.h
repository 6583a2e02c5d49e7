#pragma once
// Copies the WAL back into the database file on a thread of its own. By default SQLite does this
// inside the commit that takes the WAL past 1,000 pages, so the network server's thread would
// sometimes spend the copy and its fdatasync between two receptions (the largest stall in the
// profile of BENCHMARKS.md). uchetd instead raises its writer's automatic threshold to a backstop
// (kWriterAutoCheckpointPages, used only if this thread falls behind) and lets the Checkpointer
// run a PASSIVE checkpoint — which never waits for or blocks a writer — every `interval` on its
// own connection.
//
// A PASSIVE checkpoint copies pages but cannot start the WAL over while commits keep coming (the
// writer restarts it only when every frame was copied back at the moment it begins a
// transaction). Under steady load the WAL then grew to the backstop and the writer checkpointed
// in its own commits — two fdatasyncs, 10-25 ms, every ~400 ms at 5,000 uplinks/s: the latency
// tail (BENCHMARKS.md, run K). So once the WAL holds `restart_wal_pages`, the Checkpointer follows
// its PASSIVE pass with a RESTART checkpoint: it waits for the writer's current transaction, holds
// off the next one while it copies the few pages PASSIVE left and syncs, and lets the next writer
// start the WAL from its beginning. One short pause per WAL cycle instead of several long ones.
//
// PASSIVE checkpoints sync only the WAL: SQLite syncs the database file when a checkpoint has
// copied everything, which under load only the RESTART does — so its fdatasync used to write back
// every page copied during the whole cycle (44-100 ms at 10,000 uplinks/s, with the writer held
// off). The Checkpointer therefore flushes the database file itself, through a descriptor of its
// own and without any SQLite lock, just before the RESTART, which is then left a few pages.
//
// Failures (a reader pinning old pages, a busy lock) are logged once per change of message and
// retried at the next interval.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/latency_histogram.h"
#include "schema/database.h"

namespace uchet::schema {

// The WAL length (4 KiB pages, 256 MiB) at which the Checkpointer starts the WAL over. Each
// restart holds the writer off while it copies the pages PASSIVE left and syncs them (20-60 ms
// before the early flush described above, a few ms since), and the frames of that moment wait
// as long. At 16,384 pages this came every 2 s at 5,000 uplinks/s and set the p99 (10.7 ms;
// 5.0 ms at 65,536, BENCHMARKS.md run L).
// Under everyday load PASSIVE keeps up and the WAL never gets near this; under sustained load the
// file stays at about this size on disk.
inline constexpr int kRestartWalPages = 65536;
// The writer's own checkpoint threshold while a Checkpointer runs: a backstop, well above it.
inline constexpr int kWriterAutoCheckpointPages = 4 * kRestartWalPages;

// Makes `db` (uchetd's writer) checkpoint by itself only past kWriterAutoCheckpointPages: for the
// connection whose WAL a Checkpointer keeps short.
void leave_checkpoints_to_checkpointer(Database& db);

class Checkpointer {
 public:
  // Opens its own connection to `path` (throws StorageError) and starts the thread.
  Checkpointer(const std::string& path, std::chrono::milliseconds interval = std::chrono::milliseconds(500),
               int restart_wal_pages = kRestartWalPages);
  ~Checkpointer();  // stop()
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Runs a last checkpoint and joins the thread. Idempotent.
  void stop();

  // Checkpoints that copied at least one page, for tests and the stop log line.
  std::uint64_t checkpoints() const;
  // How long each checkpoint that copied pages took (PASSIVE, and the RESTART with its early
  // flush when one followed), for /metrics; readable from any thread.
  const common::LatencyHistogram& durations() const { return durations_; }

 private:
  void run();
  void checkpoint_once();

  Database db_;
  int database_file_ = -1;  // read-only descriptor of the database file, for fdatasync
  const std::chrono::milliseconds interval_;
  const int restart_wal_pages_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  common::LatencyHistogram durations_;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace uchet::schema
