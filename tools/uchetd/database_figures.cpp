#include "tools/uchetd/database_figures.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include "netserver/lorawan/encoding.h"
#include "schema/alarms.h"
#include "schema/devices.h"
#include "schema/gateways.h"
#include "schema/outbox.h"
#include "schema/sessions.h"

namespace uchet {

DatabaseFigures read_database_figures(schema::Database& db) {
  DatabaseFigures f;
  db.exec("BEGIN");  // one snapshot for all of them (a deferred transaction: reads only)
  try {
    f.devices = schema::count_devices(db);
    f.sessions = schema::count_sessions(db);
    f.open_alarms = schema::open_alarms_by_kind(db);
    f.oldest_outbox_row_at = schema::oldest_outbox_created_at(db);
    for (const auto& g : schema::list_gateways(db)) {
      f.gateways.push_back(DatabaseFigures::Gateway{lorawan::eui64_to_string(g.eui), g.last_seen_at, g.rx_received,
                                                    g.rx_ok, g.rx_forwarded, g.tx_received, g.tx_emitted});
    }
  } catch (...) {
    if (db.in_transaction()) db.exec("ROLLBACK");
    throw;
  }
  db.exec("COMMIT");
  f.valid = true;
  return f;
}

DatabaseFiguresCache::DatabaseFiguresCache(const std::string& path, std::chrono::milliseconds period)
    : db_(schema::Database::open(path)), period_(period) {
  refresh();
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "db-figures");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, period_, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      refresh();
      lock.lock();
    }
  });
}

DatabaseFiguresCache::~DatabaseFiguresCache() { stop(); }

void DatabaseFiguresCache::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

DatabaseFigures DatabaseFiguresCache::latest() const {
  std::lock_guard lock(mutex_);
  return figures_;
}

void DatabaseFiguresCache::refresh() {
  try {
    auto fresh = read_database_figures(db_);
    if (!last_error_.empty()) spdlog::info("database figures for /metrics: read again");
    last_error_.clear();
    std::lock_guard lock(mutex_);
    figures_ = std::move(fresh);
  } catch (const std::exception& e) {
    std::string error = e.what();
    if (error != last_error_) spdlog::warn("database figures for /metrics not read (previous ones kept): {}", error);
    last_error_ = std::move(error);
  }
}

}  // namespace uchet
