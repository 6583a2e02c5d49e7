#include "appserver/integration/mqtt_publisher.h"

#include <mosquitto.h>
#include <poll.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "appserver/integration/outbox.h"
#include "schema/database.h"
#include "schema/leader_lease.h"

namespace uchet::appserver {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void init_mosquitto_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (int rc = mosquitto_lib_init(); rc != MOSQ_ERR_SUCCESS) {
      spdlog::error("mqtt publisher: mosquitto_lib_init: {}", mosquitto_strerror(rc));
    }
  });
}

// Call right after the failing libmosquitto call: MOSQ_ERR_ERRNO leaves the cause in errno.
// Success here means the loop returned normally but a callback saw the connection end.
std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string describe(int rc) {
  if (rc == MOSQ_ERR_SUCCESS) return "connection closed";
  return rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc);
}

// Publish errors that concern the message itself: retrying can never succeed.
bool refused_for_good(int rc) {
  switch (rc) {
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_MALFORMED_UTF8:
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_OVERSIZE_PACKET:
    case MOSQ_ERR_QOS_NOT_SUPPORTED:
      return true;
    default:
      return false;
  }
}

int to_poll_timeout(Clock::duration d) {
  auto ms = std::chrono::ceil<milliseconds>(d).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
}

}  // namespace

int configure_tls(mosquitto* client, const MqttSettings& settings) {
  if (!settings.uses_tls()) return MOSQ_ERR_SUCCESS;
  if (!settings.ca_file.empty()) {
    return mosquitto_tls_set(client, settings.ca_file.c_str(), nullptr, nullptr, nullptr, nullptr);
  }
  // libmosquitto 2: the OS's CA store (/etc/ssl/certs) instead of a file of our own.
  return mosquitto_int_option(client, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
}

class OutboxPublisher::Worker {
 public:
  Worker(MqttSettings settings, const std::string& database_path, PublisherOptions options)
      : settings_(std::move(settings)), options_(options), db_(schema::Database::open(database_path)) {
    init_mosquitto_once();
    options_.max_inflight = std::max<std::size_t>(options_.max_inflight, 1);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  }

  ~Worker() {
    stop();
    close(wake_fd_);
  }

  void start() {
    std::lock_guard lock(lifecycle_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "mqtt-publish");  // as top -H and perf show it
      run();
    });
  }

  void stop() {
    std::lock_guard lock(lifecycle_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    notify();
    thread_.join();
  }

  void notify() {
    std::uint64_t one = 1;
    // Only fails when the counter would overflow, and then a wake-up is pending anyway.
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
  }

  PublisherStats stats() const {
    const bool connected = connected_flag_.load();
    const bool standby = standby_flag_.load();
    std::optional<std::chrono::system_clock::time_point> since;
    if (!connected && !standby)
      since = std::chrono::system_clock::time_point(std::chrono::milliseconds(disconnected_since_ms_.load()));
    return {published_.load(), acknowledged_.load(),
            dropped_.load(),   connect_failures_.load(),
            backlog_.load(),   connected,
            standby,           since};
  }

 private:
  // ---- The worker thread. Everything below runs on it, libmosquitto callbacks included
  // (we drive the client with mosquitto_loop ourselves), so its state needs no locking.

  void run() {
    next_attempt_ = next_poll_ = Clock::now();
    backoff_ = options_.reconnect_min;
    std::string last_error;
    while (!stopping_) {
      try {
        step();
        last_error.clear();
      } catch (const std::exception& e) {
        // SQLite busy beyond its timeout, disk trouble: keep the connection, retry shortly.
        if (e.what() != last_error) spdlog::error("mqtt publisher: {}; retrying", e.what());
        last_error = e.what();
        wait(milliseconds(1000), false);
      }
    }
    shutdown();
  }

  void step() {
    if (options_.lease && !options_.lease->hold()) return stand_by();
    if (standby_flag_) {
      standby_flag_ = false;
      disconnected_since_ms_ = unix_ms_now();
      next_attempt_ = Clock::now();  // connect at once
      spdlog::info("mqtt publisher: this instance publishes the outbox now");
    }
    auto now = Clock::now();
    if (now >= next_poll_) {
      next_poll_ = now + options_.poll_interval;
      more_ = true;  // rows committed without notify(), by anyone
      prune_handed_off();
      backlog_ = outbox_backlog(db_);
    }
    if (now >= next_delete_) flush_acked();
    if (!client_) {
      if (now >= next_attempt_) {
        connect();
      } else {
        wait(std::min(next_attempt_, next_poll_) - now, false);
      }
      return;
    }
    if (!connected_) {
      // Let libmosquitto's own loop drive TCP, TLS handshake and CONNECT/CONNACK.
      int rc = mosquitto_loop(client_, 50, 1);
      if (rc != MOSQ_ERR_SUCCESS || lost_) return connection_over(describe(rc));
      if (!connected_ && Clock::now() - attempt_started_ > options_.connect_timeout) {
        return connection_over("no CONNACK within the connect timeout");
      }
      return;
    }
    if (acked_.size() >= options_.delete_batch) flush_acked();
    fill_window();
    if (!client_) return;  // a publish failure ended the connection
    wait(next_poll_ - Clock::now(), true);
    int rc = mosquitto_loop(client_, 0, 1);  // the socket is ready (or a timer is due): no blocking
    if (rc != MOSQ_ERR_SUCCESS || lost_) return connection_over(describe(rc));
  }

  // Another instance holds the outbox lease: no broker connection, nothing published. What this
  // one had acknowledged is still deleted; what it had in flight the holder sends again.
  void stand_by() {
    if (!standby_flag_) {
      if (client_) {
        if (connected_) mosquitto_disconnect(client_);
        spdlog::warn(
            "mqtt publisher: the outbox lease is held by another instance; {} unacknowledged rows are "
            "left to it",
            inflight_.size());
      } else {
        spdlog::info("mqtt publisher: standing by, another instance publishes the outbox");
      }
      destroy_client();
      connected_ = false;
      connected_flag_ = false;
      inflight_.clear();
      cursor_ = 0;
      standby_flag_ = true;
    }
    flush_acked();
    wait(std::chrono::milliseconds(200), false);
  }

  // Blocks until the timeout, notify()/stop(), or (with_socket) socket readiness.
  void wait(Clock::duration timeout, bool with_socket) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {-1, 0, 0}};
    nfds_t count = 1;
    if (with_socket && client_) {
      if (int sock = mosquitto_socket(client_); sock >= 0) {
        fds[1] = {sock, static_cast<short>(POLLIN | (mosquitto_want_write(client_) ? POLLOUT : 0)), 0};
        count = 2;
      }
    }
    if (poll(fds, count, to_poll_timeout(timeout)) > 0 && (fds[0].revents & POLLIN)) {
      std::uint64_t value = 0;
      [[maybe_unused]] auto n = read(wake_fd_, &value, sizeof value);
      more_ = true;
    }
  }

  void connect() {
    attempt_started_ = Clock::now();
    client_ = mosquitto_new(settings_.client_id.empty() ? nullptr : settings_.client_id.c_str(), true, this);
    if (!client_) return connection_over("mosquitto_new: " + describe(MOSQ_ERR_ERRNO));
    mosquitto_connect_callback_set(client_, &Worker::on_connect);
    mosquitto_disconnect_callback_set(client_, &Worker::on_disconnect);
    mosquitto_publish_callback_set(client_, &Worker::on_publish);
    // The library's window equals ours, so it sends every publish at once and never queues one.
    auto window = static_cast<unsigned>(options_.max_inflight);
    if (!configured("max inflight", mosquitto_max_inflight_messages_set(client_, window))) return;
    if (!settings_.username.empty() &&
        !configured("username/password",
                    mosquitto_username_pw_set(client_, settings_.username.c_str(), settings_.password.c_str()))) {
      return;
    }
    if (settings_.uses_tls() && !configured("TLS setup", configure_tls(client_, settings_))) return;
    int rc = mosquitto_connect_async(client_, settings_.host.c_str(), settings_.port, settings_.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) return connection_over(describe(rc));
  }

  bool configured(const std::string& what, int rc) {
    if (rc == MOSQ_ERR_SUCCESS) return true;
    connection_over(what + ": " + describe(rc));
    return false;
  }

  // Ends the current connection or attempt: forgets everything in flight (those rows are
  // still in the outbox and go out again, oldest first, on the next connection).
  void connection_over(std::string why) {
    if (!refusal_.empty()) why = refusal_;
    if (connected_flag_) disconnected_since_ms_ = unix_ms_now();
    destroy_client();
    if (connected_) {
      spdlog::warn("mqtt publisher: disconnected from {}:{} ({}); {} unacknowledged rows will be sent again",
                   settings_.host, settings_.port, why, inflight_.size());
    } else {
      ++connect_failures_;
      if (why != last_failure_) {
        spdlog::warn("mqtt publisher: cannot connect to {}:{}: {}; retrying", settings_.host, settings_.port, why);
      } else {
        spdlog::debug("mqtt publisher: cannot connect to {}:{}: {}", settings_.host, settings_.port, why);
      }
    }
    last_failure_ = connected_ ? std::string() : why;
    connected_ = false;
    connected_flag_ = false;
    inflight_.clear();
    next_attempt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  }

  void destroy_client() {
    if (client_) mosquitto_destroy(client_);
    client_ = nullptr;
    lost_ = false;
    refusal_.clear();
  }

  // Publishes rows after cursor_ until the window is full or the outbox is exhausted.
  void fill_window() {
    while (connected_ && more_ && inflight_.size() < options_.max_inflight && !stopping_) {
      std::size_t wanted = options_.max_inflight - inflight_.size();
      auto rows = outbox_rows_after(db_, cursor_, wanted);
      more_ = rows.size() == wanted;
      for (const auto& row : rows) {
        if (!acked_.contains(row.id) && !handed_off_.contains(row.id) && !publish(row)) return;
        cursor_ = row.id;
      }
    }
  }

  // False if the connection was ended: the row stays for the next connection.
  bool publish(const OutboxRow& row) {
    int mid = 0;
    // SQLite caps text at 1e9 bytes by default, so the size always fits an int.
    int rc = mosquitto_publish(client_, &mid, row.topic.c_str(), static_cast<int>(row.payload.size()),
                               row.payload.data(), 1, false);
    if (rc == MOSQ_ERR_SUCCESS) {
      inflight_[mid] = row.id;
      ++published_;
      return true;
    }
    if (refused_for_good(rc)) {
      spdlog::error("mqtt publisher: dropping outbox row {} (topic '{}'): {}", row.id, row.topic, describe(rc));
      acked_.insert(row.id);
      ++dropped_;
      return true;
    }
    // Anything else means the connection is in trouble. Ending it also discards whatever the
    // library may have queued, so its state and ours cannot diverge.
    connection_over("publish: " + describe(rc));
    return false;
  }

  void flush_acked() {
    next_delete_ = Clock::now() + options_.delete_interval;
    if (acked_.empty()) return;
    std::vector<std::int64_t> ids(acked_.begin(), acked_.end());
    if (options_.hand_off_acked && options_.hand_off_acked(ids)) {
      handed_off_.insert(acked_.begin(), acked_.end());
    } else {
      delete_outbox_rows(db_, ids);  // on failure the ids stay in acked_ and are retried
    }
    acked_.clear();
  }

  // Forgets handed-off ids the outbox no longer holds (ids are never reused, so every id below
  // the oldest remaining row is gone).
  void prune_handed_off() {
    if (handed_off_.empty()) return;
    const auto oldest = oldest_outbox_id(db_);
    if (!oldest) {
      handed_off_.clear();
      return;
    }
    handed_off_.erase(handed_off_.begin(), handed_off_.lower_bound(*oldest));
  }

  void shutdown() {
    bool was_connected = connected_;
    if (client_ && connected_) {
      auto deadline = Clock::now() + options_.drain_timeout;
      while (!inflight_.empty() && !lost_ && Clock::now() < deadline) {
        wait(std::min<Clock::duration>(deadline - Clock::now(), milliseconds(50)), true);
        if (mosquitto_loop(client_, 0, 1) != MOSQ_ERR_SUCCESS) break;
      }
      if (!inflight_.empty()) {
        spdlog::warn("mqtt publisher: stopping with {} rows unacknowledged; they will be sent again", inflight_.size());
      }
      if (int rc = mosquitto_disconnect(client_); rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
        spdlog::debug("mqtt publisher: disconnect: {}", describe(rc));
      }
    }
    destroy_client();
    connected_ = false;
    connected_flag_ = false;
    inflight_.clear();
    cursor_ = 0;
    try {
      flush_acked();
      backlog_ = outbox_backlog(db_);
    } catch (const std::exception& e) {
      spdlog::warn("mqtt publisher: could not delete acknowledged rows ({}); they will be sent again", e.what());
      acked_.clear();
    }
    if (was_connected) spdlog::info("mqtt publisher: stopped");
  }

  // ---- libmosquitto callbacks, called from inside mosquitto_loop on the worker thread.
  // They must not throw into C code; the work they do cannot fail except on bad_alloc.

  static void on_connect(mosquitto*, void* self, int rc) noexcept {
    auto& w = *static_cast<Worker*>(self);
    if (rc != 0) {
      w.refusal_ = std::string("refused: ") + mosquitto_connack_string(rc);
      w.lost_ = true;
      return;
    }
    w.connected_ = true;
    w.connected_flag_ = true;
    w.backoff_ = w.options_.reconnect_min;
    w.last_failure_.clear();
    w.cursor_ = 0;  // resend from the oldest row still in the outbox
    w.more_ = true;
    spdlog::info("mqtt publisher: connected to {}:{} (backlog {})", w.settings_.host, w.settings_.port,
                 w.backlog_.load());
  }

  static void on_disconnect(mosquitto*, void* self, int) noexcept { static_cast<Worker*>(self)->lost_ = true; }

  static void on_publish(mosquitto*, void* self, int mid) noexcept {
    auto& w = *static_cast<Worker*>(self);
    auto it = w.inflight_.find(mid);
    if (it == w.inflight_.end()) return;
    try {
      w.acked_.insert(it->second);
    } catch (...) {
      return;  // out of memory: the row stays and is sent again later
    }
    w.inflight_.erase(it);
    ++w.acknowledged_;
  }

  const MqttSettings settings_;
  PublisherOptions options_;
  schema::Database db_;
  int wake_fd_ = -1;

  std::mutex lifecycle_;  // serializes start() and stop()
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  std::atomic<std::uint64_t> published_{0}, acknowledged_{0}, dropped_{0}, connect_failures_{0};
  std::atomic<std::int64_t> backlog_{0};
  std::atomic<bool> connected_flag_{false};
  std::atomic<bool> standby_flag_{false};  // another instance holds the outbox lease
  // Unix milliseconds of the start or of the last loss of the connection.
  std::atomic<std::int64_t> disconnected_since_ms_{unix_ms_now()};

  // Worker-thread state.
  mosquitto* client_ = nullptr;
  bool connected_ = false;  // CONNACK success received on client_
  bool lost_ = false;       // client_'s connection ended (set by callbacks)
  std::string refusal_;     // CONNACK refusal reason, if any
  std::string last_failure_;
  Clock::time_point attempt_started_, next_attempt_, next_poll_, next_delete_;
  milliseconds backoff_{1000};
  std::unordered_map<int, std::int64_t> inflight_;  // mid -> outbox id, awaiting PUBACK
  std::set<std::int64_t> acked_;                    // acknowledged (or dropped), not yet deleted
  std::set<std::int64_t> handed_off_;               // given to hand_off_acked, maybe not deleted yet
  std::int64_t cursor_ = 0;                         // rows up to here are in flight or gone
  bool more_ = true;                                // the outbox may hold rows after cursor_
};

OutboxPublisher::OutboxPublisher(MqttSettings settings, const std::string& database_path, PublisherOptions options)
    : worker_(std::make_unique<Worker>(std::move(settings), database_path, options)) {}

OutboxPublisher::~OutboxPublisher() = default;

void OutboxPublisher::start() { worker_->start(); }
void OutboxPublisher::stop() { worker_->stop(); }
void OutboxPublisher::notify() { worker_->notify(); }
PublisherStats OutboxPublisher::stats() const { return worker_->stats(); }

}  // namespace uchet::appserver
