#include "appserver/integration/http_integration.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "appserver/integration/http_poster.h"
#include "common/callback_guard.h"
#include "common/log_rate_limiter.h"
#include "schema/database.h"
#include "schema/http_outbox.h"
#include "schema/leader_lease.h"

namespace uchet::appserver {

class HttpIntegration::Worker {
 public:
  Worker(HttpEndpointSettings settings, std::int64_t endpoint_id, const std::string& database_path, TopicLayout topics,
         HttpDeliveryOptions options)
      : settings_(std::move(settings)),
        shown_url_(settings_.url.substr(0, settings_.url.find('?'))),
        endpoint_id_(endpoint_id),
        db_(schema::Database::open(database_path)),
        topics_(std::move(topics)),
        options_(options),
        poster_(parse_http_url(settings_.url).value(), settings_.headers, settings_.ca_file, settings_.timeout) {}

  ~Worker() { stop(); }

  void start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    running_ = true;
    thread_ = std::thread([this] { common::run_guarded("HTTP integration", [this] { run(); }); });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      running_ = false;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void notify() {
    {
      std::lock_guard lock(mutex_);
      notified_ = true;
    }
    wake_.notify_all();
  }

  HttpEndpointStats stats() const {
    return HttpEndpointStats{shown_url_,        delivered_.load(), failed_.load(), dropped_.load(),
                             discarded_.load(), retrying_.load(),  backlog_.load()};
  }

 private:
  // Waits for notify(), stop() or `period`; false once stopping.
  bool wait(std::chrono::milliseconds period) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, period, [this] { return notified_ || !running_; });
    notified_ = false;
    return running_;
  }
  // Waits out a backoff: only stop() ends it early. (A commit notifies every endpoint; were
  // that to end the wait, a busy network would hammer a dead endpoint with no backoff at all.)
  bool back_off(std::chrono::milliseconds period) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, period, [this] { return !running_; });
    return running_;
  }
  bool running() {
    std::lock_guard lock(mutex_);
    return running_;
  }

  // Whether this instance delivers to the endpoint now (its lease; always without one). Taking
  // the lease over starts again at the oldest row still stored: what the previous holder
  // delivered it deleted, what it had not deleted yet is sent again (at least once).
  bool leading() {
    if (!options_.lease) return true;
    const bool was = leading_;
    leading_ = options_.lease->hold();
    if (leading_ && !was) cursor_ = deleted_up_to_ = 0;
    return leading_;
  }

  void run() {
    while (running()) {
      if (!leading()) {
        if (!back_off(std::chrono::milliseconds(200))) break;
        continue;
      }
      std::vector<schema::OutboxRow> rows;
      try {
        rows = schema::http_outbox_rows_after(db_, endpoint_id_, cursor_, 100);
      } catch (const std::exception& e) {
        spdlog::error("HTTP integration {}: reading the outbox failed (retried): {}", shown_url_, e.what());
      }
      for (const auto& row : rows) {
        had_to_retry_ = false;
        if (!deliver(row)) break;  // stopping, or the lease went to another instance
        cursor_ = row.id;
        // While it was retried, the rest of the batch may have been discarded by the backlog cap:
        // read again rather than send what is no longer stored.
        if (had_to_retry_) break;
      }
      if (rows.empty()) housekeeping(true);
      if (rows.empty() && !wait(options_.poll_interval)) break;
    }
    if (leading_ || !options_.lease) housekeeping(true);
  }

  // Sends one row until it is answered (or refused, or skipped); false when stopped first.
  bool deliver(const schema::OutboxRow& row) {
    const auto kind = topics_.event_of(row.topic);
    if (!kind) return true;  // not a device event
    if (!settings_.events.empty() &&
        std::find(settings_.events.begin(), settings_.events.end(), *kind) == settings_.events.end()) {
      return true;
    }
    auto backoff = options_.retry_min;
    while (true) {
      const auto result = poster_.post("event=" + *kind, row.payload);
      if (result.status >= 200 && result.status < 300) {
        ++delivered_;
        retrying_ = false;
        housekeeping(false);
        return true;
      }
      const bool refused = result.status == 400 || result.status == 413 || result.status == 415 || result.status == 422;
      if (refused) {
        ++dropped_;
        retrying_ = false;
        warn(fmt::format("refused a {} event with HTTP {}; it is not sent again", *kind, result.status));
        return true;
      }
      ++failed_;
      retrying_ = true;
      had_to_retry_ = true;
      warn(result.status ? fmt::format("answered HTTP {}; retrying in {} ms", result.status, backoff.count())
                         : fmt::format("{}; retrying in {} ms", result.error, backoff.count()));
      housekeeping(false);  // the backlog cap holds while this endpoint is down
      if (!back_off(backoff)) return false;
      if (!leading()) return false;  // another instance delivers to this endpoint now
      backoff = std::min(backoff * 2, options_.retry_max);
    }
  }

  void warn(const std::string& what) {
    // A dead endpoint fails every few seconds for as long as it is down: one line a minute.
    if (auto suppressed = log_.admit("failure", std::chrono::steady_clock::now())) {
      spdlog::warn("HTTP integration {}: {} ({} more such lines suppressed)", shown_url_, what, *suppressed);
    }
  }

  // Deletes what was delivered (or skipped), enforces the backlog cap and refreshes the backlog
  // figure: at most once per delete_interval unless `now`. Failures are retried next time;
  // after a crash undeleted rows are sent again (at least once).
  void housekeeping(bool now) {
    const auto time = std::chrono::steady_clock::now();
    if (!now && time - last_housekeeping_ < options_.delete_interval) return;
    last_housekeeping_ = time;
    try {
      if (cursor_ > deleted_up_to_) {
        schema::delete_http_outbox_rows(db_, endpoint_id_, cursor_);
        deleted_up_to_ = cursor_;
      }
      if (const auto discarded = schema::trim_http_outbox(db_, endpoint_id_, settings_.max_backlog); discarded > 0) {
        discarded_ += static_cast<std::uint64_t>(discarded);
        spdlog::warn("HTTP integration {}: backlog over {} events, the {} oldest discarded unsent", shown_url_,
                     settings_.max_backlog, discarded);
      }
      backlog_ = schema::http_outbox_backlog(db_, endpoint_id_);
    } catch (const std::exception& e) {
      spdlog::error("HTTP integration {}: outbox housekeeping failed (retried): {}", shown_url_, e.what());
    }
  }

  HttpEndpointSettings settings_;
  std::string shown_url_;  // for logs and metrics: without the query, which may carry a token
  std::int64_t endpoint_id_;
  schema::Database db_;
  TopicLayout topics_;
  HttpDeliveryOptions options_;
  HttpPoster poster_;
  std::int64_t cursor_ = 0, deleted_up_to_ = 0;                // worker thread only
  std::chrono::steady_clock::time_point last_housekeeping_{};  // worker thread only
  bool had_to_retry_ = false;                                  // worker thread only
  bool leading_ = false;                                       // worker thread only: lease held
  common::LogRateLimiter log_;
  std::atomic<std::uint64_t> delivered_{0}, failed_{0}, dropped_{0}, discarded_{0};
  std::atomic<bool> retrying_{false};
  std::atomic<std::int64_t> backlog_{0};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool running_ = false, notified_ = false;
  std::thread thread_;
};

HttpIntegration::HttpIntegration(HttpEndpointSettings settings, std::int64_t endpoint_id,
                                 const std::string& database_path, TopicLayout topics, HttpDeliveryOptions options)
    : worker_(std::make_unique<Worker>(std::move(settings), endpoint_id, database_path, std::move(topics), options)) {}

HttpIntegration::~HttpIntegration() { stop(); }
void HttpIntegration::start() { worker_->start(); }
void HttpIntegration::stop() { worker_->stop(); }
void HttpIntegration::notify() { worker_->notify(); }
HttpEndpointStats HttpIntegration::stats() const { return worker_->stats(); }

}  // namespace uchet::appserver
