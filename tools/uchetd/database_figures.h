#pragma once
// Contract: the figures of /metrics that need SQL (devices, sessions, open alarms, the outbox's
// oldest row, gateways), read on a connection and a thread of their own every `period` and kept
// for the HTTP thread to copy. A scrape never runs SQL and never waits for the writer: it gets
// the last refresh (at most `period` old). WAL-mode reads never block uchetd's writer either. A
// failed refresh is logged (once per change of message) and the previous figures are kept.
// Thread-safe: latest() from any thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "schema/database.h"
#include "tools/uchetd/operator_view.h"

namespace uchet {

// One read of the figures on `db` (the stores of schema/), in one read transaction.
DatabaseFigures read_database_figures(schema::Database& db);

class DatabaseFiguresCache {
 public:
  // Opens its connection to `path` (throws StorageError), reads once, and starts the thread.
  DatabaseFiguresCache(const std::string& path, std::chrono::milliseconds period = std::chrono::seconds(5));
  ~DatabaseFiguresCache();  // stop()
  DatabaseFiguresCache(const DatabaseFiguresCache&) = delete;
  DatabaseFiguresCache& operator=(const DatabaseFiguresCache&) = delete;

  void stop();
  DatabaseFigures latest() const;

 private:
  void refresh();

  schema::Database db_;
  const std::chrono::milliseconds period_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  DatabaseFigures figures_;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace uchet
