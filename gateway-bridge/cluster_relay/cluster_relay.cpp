#include "gateway-bridge/cluster_relay/cluster_relay.h"

#include <boost/asio/post.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

#include "common/callback_guard.h"
#include "gateway-bridge/cluster_relay/relayed_transmission.h"
#include "netserver/lorawan/encoding.h"
#include "schema/gateway_paths.h"
#include "schema/relayed_downlinks.h"

namespace uchet::gateway_bridge::cluster_relay {
namespace {

using SteadyClock = std::chrono::steady_clock;
using SystemClock = std::chrono::system_clock;

constexpr const char* kNoOutcome = "NO_OUTCOME";
// Rows older than this belong to a sender that died before reading its outcome.
constexpr std::chrono::minutes kRowLifetime{10};
// A local send whose outcome never came (a forwarder without TX_ACK) is forgotten after this.
constexpr std::chrono::minutes kIncomingLifetime{1};

std::int64_t unix_us(SystemClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

TxStatus tx_status_by_name(std::string_view name) {
  for (int s = 0; s <= static_cast<int>(TxStatus::DutyCycleOverflow); ++s) {
    if (tx_status_name(static_cast<TxStatus>(s)) == name) return static_cast<TxStatus>(s);
  }
  return TxStatus::InternalError;
}

ClusterRelay::ClusterRelay(GatewayBackend& local, ClusterRelayOptions options)
    : local_(local), options_(std::move(options)) {}

ClusterRelay::~ClusterRelay() { stop(); }

lorawan::Result<void> ClusterRelay::start(boost::asio::io_context& owner, BackendCallbacks callbacks) {
  if (!options_.admit) return std::unexpected(std::string("cluster relay: no admit function"));
  {
    std::lock_guard lock(mutex_);
    if (running_) return std::unexpected(std::string("cluster relay: already started"));
    try {
      db_.emplace(schema::Database::open(options_.location));
      listener_ = schema::Notifications::open(options_.location, "uchetd " + options_.instance + " relay listener");
      listener_->listen(kDownlinkChannel);
      listener_->listen(kOutcomeChannel);
    } catch (const schema::StorageError& e) {
      db_.reset();
      listener_.reset();
      return std::unexpected(std::string("cluster relay: ") + e.what());
    }
    owner_ = &owner;
    callbacks_ = callbacks;
    timer_ = std::make_unique<boost::asio::steady_timer>(owner);
    running_ = true;
  }
  BackendCallbacks wrapped = callbacks;
  // Each gateway's counter against the wall clock, to place a counter-timed transmission.
  wrapped.on_reception = [this, forward = callbacks.on_reception](Reception&& rx) {
    {
      const auto received_at = rx.received_at == SteadyClock::time_point{} ? SteadyClock::now() : rx.received_at;
      std::lock_guard lock(mutex_);
      clocks_[rx.gateway_eui] = {rx.counter.counter_us, SystemClock::now() - (SteadyClock::now() - received_at)};
    }
    if (forward) forward(std::move(rx));
  };
  wrapped.on_outcome = [this](const TxOutcome& outcome) { on_local_outcome(outcome); };
  if (auto started = local_.start(owner, std::move(wrapped)); !started) {
    stop();
    return started;
  }
  boost::asio::post(owner, [this] {
    wait_for_notifications();
    tick();
  });
  return {};
}

void ClusterRelay::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
  }
  local_.stop();
  std::lock_guard lock(mutex_);
  running_ = false;
  if (timer_) timer_->cancel();
  if (socket_) {
    socket_->cancel();
    socket_->release();  // libpq owns the descriptor
    socket_.reset();
  }
  // Downlinks relayed and not answered: the network server stops with them; their rows are
  // answered NO_OUTCOME by nobody and pruned with the old rows.
  outgoing_.clear();
}

RelayCounters ClusterRelay::relay_counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void ClusterRelay::log_error(const std::string& key, const std::string& message) {
  if (limiter_.admit(key, SteadyClock::now()))
    spdlog::error("cluster relay: {} (logged at most once a minute)", message);
}

std::int64_t ClusterRelay::not_after_us(lorawan::Eui64 gateway_eui, const Transmission& transmission,
                                        std::int64_t now_us) {
  const auto* at = std::get_if<CounterTime>(&transmission.timing);
  const auto clock = clocks_.find(gateway_eui);
  if (at && clock != clocks_.end()) {
    const auto delta = static_cast<std::int64_t>(at->counter_us - clock->second.counter_us);
    return unix_us(clock->second.at) + delta;
  }
  return now_us + std::chrono::duration_cast<std::chrono::microseconds>(options_.reach).count();
}

lorawan::Result<TransmissionId> ClusterRelay::send(lorawan::Eui64 gateway_eui, const Transmission& transmission) {
  auto local = local_.send(gateway_eui, transmission);
  if (local) return local;
  std::lock_guard lock(mutex_);
  if (!running_ || !db_) return local;
  try {
    const auto path = schema::find_gateway_path(*db_, gateway_eui);
    if (!path || path->instance == options_.instance) return local;
    const auto age = schema::unix_now() - path->updated_at;
    if (age > options_.path_stale.count()) {
      return std::unexpected(
          fmt::format("{}; its path was last held by instance {}, which has not refreshed it for {} s", local.error(),
                      path->instance, age));
    }
    const auto now_us = unix_us(SystemClock::now());
    schema::RelayedDownlink row;
    row.gateway_eui = gateway_eui;
    row.from_instance = options_.instance;
    row.to_instance = path->instance;
    row.transmission = serialise_transmission(transmission);
    row.not_after_us = not_after_us(gateway_eui, transmission, now_us);
    row.created_at_us = now_us;
    if (row.not_after_us <= now_us)
      return std::unexpected(std::string("too late to relay to instance ") + path->instance);
    schema::Transaction tx(*db_);
    const auto id = schema::insert_relayed_downlink(*db_, row);
    schema::notify(*db_, kDownlinkChannel, path->instance);
    tx.commit();
    const auto wait = std::chrono::microseconds(row.not_after_us - now_us) + options_.outcome_grace;
    outgoing_[id] = {gateway_eui, path->instance, SteadyClock::now() + wait};
    ++counters_.relayed;
    return kRelayedIdBit | static_cast<TransmissionId>(id);
  } catch (const schema::StorageError& e) {
    ++counters_.relay_errors;
    return std::unexpected(fmt::format("{}; relaying through the database failed: {}", local.error(), e.what()));
  }
}

void ClusterRelay::wait_for_notifications() {
  std::lock_guard lock(mutex_);
  if (!running_ || !listener_) return;
  const int fd = listener_->socket();
  if (fd != socket_fd_ && socket_) {
    socket_->cancel();
    socket_->release();
    socket_.reset();
  }
  socket_fd_ = fd;
  if (fd < 0) return;  // down: the tick drains (and so reconnects) again
  if (!socket_) socket_ = std::make_unique<boost::asio::posix::stream_descriptor>(*owner_, fd);
  socket_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    on_notifications();
  });
}

void ClusterRelay::on_notifications() {
  std::vector<TxOutcome> outcomes;
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    auto drained = listener_->drain();
    if (!drained.connected) log_error("listen", "listening connection down: " + drained.error);
    if (drained.may_have_missed && drained.connected) {
      ++counters_.listen_reconnects;
      if (limiter_.admit("relisten", SteadyClock::now()))
        spdlog::warn(
            "cluster relay: the listening connection dropped and was opened again; re-reading relayed downlinks "
            "and outcomes (a notification may have been missed; logged at most once a minute)");
    }
    if (drained.may_have_missed && socket_) {
      // The connection was opened again: its socket may reuse the old descriptor's number, which
      // the reactor no longer watches. Wait on it afresh.
      socket_->cancel();
      socket_->release();
      socket_.reset();
      socket_fd_ = -1;
    }
    bool incoming = drained.may_have_missed, answered = drained.may_have_missed;
    for (const auto& n : drained.notifications) {
      if (n.payload != options_.instance) continue;
      if (n.channel == kDownlinkChannel) incoming = true;
      if (n.channel == kOutcomeChannel) answered = true;
    }
    if (incoming) take_incoming();
    if (answered) outcomes = read_outcomes();
  }
  deliver(outcomes);
  wait_for_notifications();
}

void ClusterRelay::tick() {
  std::vector<TxOutcome> outcomes;
  bool rewait = false;
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    publish_paths();
    // Missed notifications cost at most one poll period.
    take_incoming();
    outcomes = read_outcomes();
    auto more = give_up_overdue();
    outcomes.insert(outcomes.end(), more.begin(), more.end());
    const auto now = SteadyClock::now();
    std::erase_if(incoming_, [&](const auto& entry) { return now - entry.second.sent_at > kIncomingLifetime; });
    if (now - last_prune_ > std::chrono::minutes(1)) {
      last_prune_ = now;
      try {
        schema::prune_relayed_downlinks(*db_, unix_us(SystemClock::now() - kRowLifetime));
      } catch (const schema::StorageError& e) {
        log_error("prune", std::string("pruning old relayed downlinks failed: ") + e.what());
      }
    }
    rewait = socket_fd_ < 0;
    timer_->expires_after(options_.poll);
    timer_->async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  }
  deliver(outcomes);
  if (rewait) on_notifications();  // reconnects the listener and waits on its new socket
}

void ClusterRelay::publish_paths() {
  const auto now = SteadyClock::now();
  std::set<lorawan::Eui64> reachable;
  for (const auto& [gateway, backend] : local_.downlink_paths()) {
    reachable.insert(gateway);
    auto held = held_.find(gateway);
    if (held != held_.end() && now - held->second < options_.path_refresh) continue;
    try {
      schema::hold_gateway_path(*db_, {gateway, options_.instance, backend, schema::unix_now()});
      if (held == held_.end())
        spdlog::info("cluster relay: this instance ({}) holds the downlink path of gateway {} ({})", options_.instance,
                     lorawan::eui64_to_string(gateway), backend);
      held_[gateway] = now;
      ++counters_.paths_written;
    } catch (const schema::StorageError& e) {
      log_error("path",
                "writing the downlink path of gateway " + lorawan::eui64_to_string(gateway) + " failed: " + e.what());
    }
  }
  std::erase_if(held_, [&](const auto& entry) { return !reachable.contains(entry.first); });
}

void ClusterRelay::take_incoming() {
  try {
    for (const auto& row : schema::relayed_downlinks_to(*db_, options_.instance)) {
      if (!schema::take_relayed_downlink(*db_, row.id, unix_us(SystemClock::now()))) continue;
      ++counters_.held_taken;
      hold(row);
    }
  } catch (const schema::StorageError& e) {
    log_error("take", std::string("reading relayed downlinks failed: ") + e.what());
  }
}

void ClusterRelay::hold(const schema::RelayedDownlink& row) {
  const auto refuse = [&](std::uint64_t RelayCounters::*counter, TxStatus status, const std::string& detail) {
    ++(counters_.*counter);
    answer(row.id, row.from_instance, status, detail);
  };
  auto transmission = parse_transmission(row.transmission);
  if (!transmission) return refuse(&RelayCounters::held_malformed, TxStatus::InternalError, transmission.error());
  const auto now_us = unix_us(SystemClock::now());
  if (now_us > row.not_after_us) {
    return refuse(&RelayCounters::held_too_late, TxStatus::TooLate,
                  fmt::format("reached instance {} {} ms after its latest moment on air", options_.instance,
                              (now_us - row.not_after_us) / 1000));
  }
  auto booked = options_.admit(row.gateway_eui, *transmission);
  if (!booked) {
    const auto counter = booked.error() == TxStatus::DutyCycleOverflow ? &RelayCounters::held_refused_duty_cycle
                                                                       : &RelayCounters::held_refused_timeline;
    return refuse(counter, booked.error(),
                  fmt::format("refused by instance {}, which holds the gateway's path, against its timeline and duty "
                              "cycle",
                              options_.instance));
  }
  auto sent = local_.send(row.gateway_eui, *transmission);
  if (!sent) {
    if (options_.release) options_.release(row.gateway_eui, *booked);
    return refuse(&RelayCounters::held_unreachable, TxStatus::InternalError,
                  fmt::format("instance {} cannot reach the gateway: {}", options_.instance, sent.error()));
  }
  ++counters_.held_sent;
  incoming_[{row.gateway_eui, *sent}] = {row.id, *booked, row.from_instance, SteadyClock::now()};
}

void ClusterRelay::answer(std::int64_t row, const std::string& sender, TxStatus status, const std::string& detail,
                          const std::string& warning) {
  try {
    schema::Transaction tx(*db_);
    if (schema::answer_relayed_downlink(*db_, row, tx_status_name(status), detail, warning))
      schema::notify(*db_, kOutcomeChannel, sender);
    tx.commit();
  } catch (const schema::StorageError& e) {
    // The sender gives up after its grace and reports a failure.
    log_error("answer", std::string("writing a relayed downlink's outcome failed: ") + e.what());
  }
}

void ClusterRelay::on_local_outcome(const TxOutcome& outcome) {
  {
    std::lock_guard lock(mutex_);
    auto it = incoming_.find({outcome.gateway_eui, outcome.id});
    if (it != incoming_.end()) {
      auto entry = std::move(it->second);
      incoming_.erase(it);
      if (!outcome.ok() && options_.release) options_.release(outcome.gateway_eui, entry.booking);
      if (running_) answer(entry.row, entry.sender, outcome.status, outcome.detail, outcome.warning);
      return;
    }
  }
  if (callbacks_.on_outcome) callbacks_.on_outcome(outcome);
}

std::vector<TxOutcome> ClusterRelay::read_outcomes() {
  std::vector<TxOutcome> out;
  try {
    for (const auto& row : schema::answered_relayed_downlinks(*db_, options_.instance)) {
      schema::delete_relayed_downlink(*db_, row.id);
      auto it = outgoing_.find(row.id);
      if (it == outgoing_.end()) continue;  // given up already, or sent before a restart
      outgoing_.erase(it);
      TxOutcome outcome;
      outcome.gateway_eui = row.gateway_eui;
      outcome.id = kRelayedIdBit | static_cast<TransmissionId>(row.id);
      outcome.status = tx_status_by_name(row.outcome.value_or(kNoOutcome));
      outcome.detail = row.detail;
      outcome.warning = row.warning;
      ++(outcome.ok() ? counters_.relayed_ok : counters_.relayed_failed);
      out.push_back(std::move(outcome));
    }
  } catch (const schema::StorageError& e) {
    log_error("outcomes", std::string("reading relayed downlinks' outcomes failed: ") + e.what());
  }
  return out;
}

std::vector<TxOutcome> ClusterRelay::give_up_overdue() {
  std::vector<TxOutcome> out;
  const auto now = SteadyClock::now();
  for (auto it = outgoing_.begin(); it != outgoing_.end();) {
    if (it->second.give_up_at > now) {
      ++it;
      continue;
    }
    try {
      // Loses to an outcome the holder wrote meanwhile: then read_outcomes() delivers that one.
      if (!schema::answer_relayed_downlink(*db_, it->first, kNoOutcome, "", "")) {
        ++it;
        continue;
      }
      schema::delete_relayed_downlink(*db_, it->first);
    } catch (const schema::StorageError& e) {
      log_error("give up", std::string("giving up a relayed downlink failed: ") + e.what());
    }
    TxOutcome outcome;
    outcome.gateway_eui = it->second.gateway_eui;
    outcome.id = kRelayedIdBit | static_cast<TransmissionId>(it->first);
    outcome.status = TxStatus::InternalError;
    outcome.unanswered = true;
    outcome.detail = fmt::format("no outcome from instance {}, which holds the gateway's path, in time: not sent",
                                 it->second.holder);
    ++counters_.relayed_no_outcome;
    out.push_back(std::move(outcome));
    it = outgoing_.erase(it);
  }
  if (!out.empty()) {
    auto late = read_outcomes();
    out.insert(out.end(), late.begin(), late.end());
  }
  return out;
}

void ClusterRelay::deliver(const std::vector<TxOutcome>& outcomes) {
  for (const auto& outcome : outcomes) {
    if (callbacks_.on_outcome)
      common::run_guarded("cluster relay: on_outcome", [&] { callbacks_.on_outcome(outcome); });
  }
}

}  // namespace uchet::gateway_bridge::cluster_relay
