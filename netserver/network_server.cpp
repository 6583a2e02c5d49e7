#include "netserver/network_server.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/phy_payload.h"
#include "netserver/network_server_internal.h"
#include "netserver/reception_codec.h"
#include "schema/frame_claims.h"

namespace uchet::netserver {

SystemTime to_system_time(std::chrono::nanoseconds since_epoch) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(since_epoch));
}

namespace {

// A claim, hand-over or read of handed-over receptions that failed: counted, and logged when
// `log_now` (at most once a minute per kind: the database away fails every frame).
void count_claim_failure(std::uint64_t& failures, bool log_now, const std::string& what,
                         const schema::StorageError& e) {
  ++failures;
  if (log_now) spdlog::error("{}: {} (counted; logged at most once a minute)", what, e.what());
}

}  // namespace

NetworkServer::NetworkServer(boost::asio::io_context& io, schema::Database& db, NetworkSettings settings,
                             EventSink& sink, gateway_bridge::GatewayBackend& gateways)
    : io_(io),
      db_(db),
      settings_(std::move(settings)),
      sink_(sink),
      gateways_(gateways),
      scheduler_(
          [this] {
            auto bands = lorawan::sub_bands_with_limits(settings_.region, settings_.duty_cycle);
            if (!bands) throw std::invalid_argument("network duty cycle: " + bands.error());
            return std::move(*bands);
          }(),
          settings_.saved_airtime),
      dedup_(settings_.dedup_window),
      // A burst of one second's worth: a few devices joining together are all asked at once.
      dev_status_budget_(settings_.dev_status_max_per_s, std::max(1.0, settings_.dev_status_max_per_s)),
      dev_addr_prefix_(dev_addr_prefix(settings_.net_id)),
      rng_(std::random_device{}()),
      dedup_timer_(io),
      held_timer_(io),
      registry_timer_(io) {}

NetworkServer::~NetworkServer() { stop(); }

void NetworkServer::share_frames(schema::Database& claims, std::string instance) {
  claims_ = &claims;
  instance_ = std::move(instance);
  dedup_ = Deduplicator(settings_.dedup_window + kClaimGrace, kClaimHorizon);
}

void NetworkServer::start() {
  registry_.refresh(db_);
  spdlog::info("network server: {} devices, region {}", registry_.device_count(), settings_.region.name());
  poll_registry();
}

void NetworkServer::stop() {
  if (stopped_) return;
  // Gateways were already acknowledged for the frames still in their dedup window and will not
  // send them again: process them now rather than drop them.
  process_frames(settle_claims(dedup_.close_due(std::chrono::steady_clock::time_point::max())));
  stopped_ = true;
  if (!held_.empty()) {
    spdlog::info("network server: {} frames held for their owners on other instances dropped at stop", held_.size());
    held_.clear();
  }
  held_timer_.cancel();
  dedup_timer_.cancel();
  registry_timer_.cancel();
}

bool NetworkServer::gateway_registered(lorawan::Eui64 gateway_eui) { return registry_.has_gateway(gateway_eui); }

void NetworkServer::poll_registry() {
  if (stopped_) return;
  try {
    if (registry_.refresh(db_)) spdlog::info("registry changed: {} devices", registry_.device_count());
    deliver_class_c();
  } catch (const std::exception& e) {
    ++counters_.storage_failures;
    spdlog::error("registry refresh failed: {}", e.what());
  }
  registry_timer_.expires_after(settings_.registry_poll);
  registry_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) poll_registry();
  });
}

void NetworkServer::handle_uplink(gateway_bridge::Reception&& rx) {
  ++counters_.receptions;
  // The bridge's reception time: a copy that waited in the queue while this thread was busy (a
  // checkpoint holding off a commit, a long pass) must not also wait a whole window after it.
  const auto received_at = rx.received_at == SteadyTime{} ? std::chrono::steady_clock::now() : rx.received_at;
  // The gateway's counter at a known moment: class C bookings and the duty-cycle hour need it.
  scheduler_.heard(rx.gateway_eui, rx.counter.counter_us, received_at);
  lorawan::Bytes payload;
  if (claims_) payload = rx.phy_payload;  // to find the frame again once the copy is in it
  switch (dedup_.add(std::move(rx), received_at)) {
    case Deduplicator::Outcome::NewFrame:
      if (claims_) claim(*dedup_.open_frame(payload));
      arm_dedup_timer();
      break;
    case Deduplicator::Outcome::CopyAdded:
      if (claims_) {
        if (auto* frame = dedup_.open_frame(payload); frame && frame->claim && !frame->claim->owner)
          hand_over(*frame, frame->receptions.back());
      }
      break;
    case Deduplicator::Outcome::LateCopy:
      ++counters_.late_copies;
      break;
  }
}

void NetworkServer::arm_dedup_timer() {
  if (dedup_timer_armed_ || stopped_) return;
  auto deadline = dedup_.next_deadline();
  if (!deadline) return;
  dedup_timer_armed_ = true;
  dedup_timer_.expires_at(std::max(*deadline, last_pass_ + kMinPassInterval));
  dedup_timer_.async_wait([this](const boost::system::error_code& ec) {
    dedup_timer_armed_ = false;
    if (!ec) close_windows();
  });
}

void NetworkServer::close_windows() {
  last_pass_ = std::chrono::steady_clock::now();
  process_frames(settle_claims(dedup_.close_due(last_pass_)));
  arm_dedup_timer();
}

void NetworkServer::claim(ReceivedFrame& frame) {
  auto& c = frame.claim.emplace();
  try {
    c.key = schema::frame_key(frame.phy_payload);
    const auto claimed = schema::claim_frame(*claims_, c.key, instance_, kClaimHorizon.count());
    c.claimed_at_ms = claimed.claimed_at_ms;
    c.owner = claimed.owner == instance_;
  } catch (const schema::StorageError& e) {
    // Processed here rather than lost; were another instance to process it too, the session
    // generation refuses the second as a replay.
    frame.claim.reset();
    const std::string what = "frame claim failed, the frame is processed here unclaimed";
    return count_claim_failure(counters_.claim_failures, log_due(what), what, e);
  }
  if (!c.owner) hand_over(frame, frame.receptions.front());
}

void NetworkServer::hand_over(const ReceivedFrame& frame, const gateway_bridge::Reception& copy) {
  try {
    schema::add_claim_reception(*claims_, frame.claim->key, frame.claim->claimed_at_ms, instance_,
                                encode_reception(copy));
  } catch (const schema::StorageError& e) {
    const std::string what = "a reception of a frame another instance owns was not handed over";
    count_claim_failure(counters_.claim_failures, log_due(what), what, e);
  }
}

std::vector<ReceivedFrame> NetworkServer::settle_claims(std::vector<ReceivedFrame>&& frames) {
  if (!claims_) return std::move(frames);
  std::vector<ReceivedFrame> own;
  own.reserve(frames.size());
  for (auto& frame : frames) {
    if (frame.claim && !frame.claim->owner) {
      hold(std::move(frame));
      continue;
    }
    if (frame.claim) add_handed_over(frame);
    own.push_back(std::move(frame));
  }
  return own;
}

void NetworkServer::add_handed_over(ReceivedFrame& frame) {
  try {
    for (const auto& bytes :
         schema::claim_receptions(*claims_, frame.claim->key, frame.claim->claimed_at_ms, instance_)) {
      auto rx = decode_reception(bytes);
      if (!rx) {
        reject(&NetworkCounters::malformed, "reception handed over by another instance", rx.error());
        continue;
      }
      ++counters_.claim_receptions_received;
      frame.receptions.push_back(std::move(*rx));
    }
  } catch (const schema::StorageError& e) {
    const std::string what =
        "the receptions other instances had of a frame could not be read, going on with this instance's own";
    count_claim_failure(counters_.claim_failures, log_due(what), what, e);
  }
}

void NetworkServer::hold(ReceivedFrame&& frame) {
  if (held_.size() >= kHeldCap) {
    ++counters_.held_frames_dropped;
    if (log_due("held set full")) {
      spdlog::warn(
          "{} frames held for their owners on other instances already: a frame another instance owns is dropped "
          "at once (lost should that owner die before processing it; counted as held_frames_dropped; logged at "
          "most once a minute)",
          held_.size());
    }
    return;
  }
  const auto key = frame.claim->key;
  held_.insert_or_assign(key, HeldFrame{std::move(frame), std::chrono::steady_clock::now()});
  arm_held_timer();
}

void NetworkServer::arm_held_timer() {
  if (held_timer_armed_ || stopped_ || held_.empty()) return;
  held_timer_armed_ = true;
  held_timer_.expires_after(kHeldCheckInterval);
  held_timer_.async_wait([this](const boost::system::error_code& ec) {
    held_timer_armed_ = false;
    if (!ec) check_held();
  });
}

void NetworkServer::check_held() {
  if (stopped_ || held_.empty()) return;
  std::vector<schema::FrameKey> keys;
  keys.reserve(held_.size());
  for (const auto& [key, held] : held_) keys.push_back(key);
  std::map<schema::FrameKey, schema::ClaimState> states;
  bool read = false;
  try {
    for (auto& state : schema::claim_states(*claims_, keys)) states.emplace(state.key, std::move(state));
    read = true;
  } catch (const schema::StorageError& e) {
    // Tried again at the next check; frames past kHeldLimit are dropped below meanwhile.
    const std::string what = "the claims of frames held for other instances could not be read";
    count_claim_failure(counters_.claim_failures, log_due(what), what, e);
  }
  const auto now = std::chrono::steady_clock::now();
  std::vector<ReceivedFrame> taken;
  for (auto it = held_.begin(); it != held_.end();) {
    auto& frame = it->second.frame;
    const auto state = states.find(it->first);
    if (!read) {
      if (now - it->second.held_at < kHeldLimit) {
        ++it;  // judged at the next check
      } else {
        ++counters_.held_frames_expired;
        it = held_.erase(it);
      }
      continue;
    }
    if (state == states.end() || state->second.claimed_at_ms != frame.claim->claimed_at_ms || state->second.settled) {
      // Processed by its owner; or the claim is gone or replaced (the same bytes claimed anew
      // after the horizon: whoever claimed them processes them, as a retransmission or replay).
      ++counters_.frames_claimed_elsewhere;
      it = held_.erase(it);
      continue;
    }
    const auto& owner = state->second.owner;
    bool ours = owner == instance_;  // taken over by this instance at a check whose answer was lost
    if (!ours && !state->second.owner_live) {
      try {
        ours = schema::take_over_claim(*claims_, it->first, frame.claim->claimed_at_ms, owner, instance_);
      } catch (const schema::StorageError& e) {
        const std::string what = "a claim whose owner is dead could not be taken over (tried again)";
        count_claim_failure(counters_.claim_failures, log_due(what), what, e);
      }
      if (ours && log_due("frames taken over")) {
        spdlog::warn(
            "instance {} died before processing a frame it had claimed: taken over and processed here, without a "
            "class A answer (counted as frames_taken_over; logged at most once a minute)",
            owner);
      }
      // Not ours: another survivor took it first; held on for that owner's mark.
    }
    if (ours) {
      frame.claim->owner = true;
      frame.taken_over = true;
      ++counters_.frames_taken_over;
      add_handed_over(frame);
      taken.push_back(std::move(frame));
      it = held_.erase(it);
      continue;
    }
    if (now - it->second.held_at >= kHeldLimit) {
      ++counters_.held_frames_expired;
      if (log_due("held frame expired")) {
        spdlog::warn(
            "a frame owned by live instance {} was not processed there within {} s: this instance's copy is "
            "dropped (counted as held_frames_expired; logged at most once a minute)",
            owner, kHeldLimit.count());
      }
      it = held_.erase(it);
      continue;
    }
    ++it;
  }
  // In the order the frames arrived (the held set is ordered by claim key): a device's older
  // frame processed after its newer one would be refused as a replay.
  std::ranges::sort(taken, {}, &ReceivedFrame::first_seen);
  if (!taken.empty()) process_frames(std::move(taken));
  arm_held_timer();
}

void NetworkServer::process_frames(std::vector<ReceivedFrame>&& frames) {
  for (auto& frame : frames) {
    ++counters_.frames;
    try {
      batch();
      // Several instances: the claim is settled with the pass's transaction (network_server.h);
      // the instances holding copies drop theirs once it commits.
      if (frame.claim && frame.claim->owner)
        schema::settle_frame_claim(db_, frame.claim->key, frame.claim->claimed_at_ms, instance_);
      process_frame(std::move(frame));
    } catch (const std::exception& e) {
      // The frame's savepoint rolled back: nothing was stored or announced for it, and the
      // other frames of the pass go on.
      ++counters_.storage_failures;
      if (dynamic_cast<const schema::StorageError*>(&e)) {
        spdlog::error("storage failure, frame dropped unacknowledged: {}", e.what());
      } else {
        spdlog::error("frame processing failed, frame dropped unacknowledged: {}", e.what());
      }
      sink_.rolled_back();
      // After some errors SQLite ends the whole transaction itself: the pass's earlier frames
      // are gone with it.
      if (batch_ && !db_.in_transaction()) abandon_batch("transaction rolled back by SQLite");
    }
    if (batch_ && std::chrono::steady_clock::now() - batch_->opened >= settings_.max_batch_age) commit_batch();
  }
  if (batch_) commit_batch();
}

NetworkServer::Batch& NetworkServer::batch() {
  if (!batch_) batch_ = std::make_unique<Batch>(db_);
  return *batch_;
}

void NetworkServer::commit_batch() {
  if (!batch_) return;
  const auto commit_started = std::chrono::steady_clock::now();
  try {
    batch_->tx.commit();
  } catch (const schema::StorageError& e) {
    return abandon_batch(e.what());
  }
  const auto stored = std::chrono::steady_clock::now();
  commit_latency_.observe(stored - commit_started);
  auto b = std::move(batch_);  // a new pass (or the rest of this one) opens a new transaction
  for (const auto first_seen : b->first_seen) end_to_end_latency_.observe(stored - first_seen);
  counters_.uplinks_accepted += b->uplinks_accepted;
  counters_.late_uplinks += b->late_uplinks;
  counters_.joins_accepted += b->joins_accepted;
  for (const auto& [dev_eui, gateways] : b->last_gateways) last_gateway_[dev_eui] = gateways;
  if (b->events) sink_.committed();
  for (auto& plan : b->downlinks) send_planned(std::move(plan));
}

void NetworkServer::abandon_batch(const char* why) {
  auto b = std::move(batch_);
  if (!b) return;
  for (const auto& plan : b->downlinks) scheduler_.release(plan.gateway_eui, plan.booking);
  counters_.storage_failures += b->frames;
  spdlog::error("storage failure: {}; {} accepted frames of this pass not stored, dropped unacknowledged", why,
                b->frames);
  b.reset();  // rolls back what is left of the transaction
  sink_.rolled_back();
  // Sessions in memory were advanced by frames that are now not stored: reload them.
  registry_.invalidate();
  try {
    registry_.refresh(db_);
  } catch (const schema::StorageError& e) {
    spdlog::error("registry reload failed (retried every poll): {}", e.what());
  }
}

bool NetworkServer::queue_may_hold(lorawan::Eui64 dev_eui) {
  if (!batch_) return true;  // no transaction to read a snapshot in: look the device up
  auto& b = *batch_;
  const auto enqueued = schema::downlinks_enqueued_in_process();
  if (!b.queued || b.queued_read_at != enqueued) {
    auto devices = schema::devices_with_downlinks(db_);
    b.queued.emplace(devices.begin(), devices.end());
    b.queued_read_at = enqueued;
  }
  return b.queued->contains(dev_eui);
}

void NetworkServer::process_frame(ReceivedFrame&& frame) {
  auto mhdr = lorawan::parse_mhdr(frame.phy_payload);
  if (!mhdr) return reject(&NetworkCounters::malformed, "malformed PHYPayload", mhdr.error());
  switch (mhdr->mtype) {
    case lorawan::MType::JoinRequest: {
      if (frame.taken_over)
        return reject(&NetworkCounters::late_joins_dropped, "join-request taken over from a dead instance",
                      "its join-accept windows cannot be counted on; the device sends a new join-request");
      auto request = lorawan::parse_join_request(frame.phy_payload);
      if (!request) return reject(&NetworkCounters::malformed, "malformed join-request", request.error());
      return process_join(frame, *request);
    }
    case lorawan::MType::UnconfirmedDataUp:
    case lorawan::MType::ConfirmedDataUp: {
      auto data = lorawan::parse_data_frame(frame.phy_payload);
      if (!data) return reject(&NetworkCounters::malformed, "malformed data uplink", data.error());
      return process_data(frame, *data);
    }
    default:
      return reject(&NetworkCounters::unsupported_mtype, "unsupported MType",
                    std::string(lorawan::to_string(mhdr->mtype)));
  }
}

void NetworkServer::reject(std::uint64_t NetworkCounters::*counter, const std::string& kind,
                           const std::string& detail) {
  ++(counters_.*counter);
  if (log_due(kind)) spdlog::warn("rejected: {}: {} (counted; logged at most once a minute per kind)", kind, detail);
}

bool NetworkServer::log_due(const std::string& kind) {
  const auto now = std::chrono::steady_clock::now();
  auto& last = last_logged_[kind];
  if (last.time_since_epoch().count() != 0 && now - last < std::chrono::minutes(1)) return false;
  last = now;
  return true;
}

// UUID version 7 (RFC 9562): the Unix time in milliseconds first, then 74 random bits. Identifiers
// grow with time, so each stored frame's entry goes to the end of the unique index on
// uplink_frame.deduplication_id instead of onto a random page of it (one page written less per
// frame in every commit).
std::string NetworkServer::new_uuid() {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::uint64_t hi = (static_cast<std::uint64_t>(ms) << 16) | 0x7000ull | (rng_() & 0x0FFFull);  // version 7
  std::uint64_t lo = (rng_() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;                   // RFC 9562 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                     lo & 0xFFFFFFFFFFFFull);
}

namespace {

// The same moment on another gateway's counter, with that gateway's context.
void retime(gateway_bridge::Transmission& packet, const gateway_bridge::CounterTime& from_uplink,
            const gateway_bridge::CounterTime& to_uplink) {
  if (auto* at = std::get_if<gateway_bridge::CounterTime>(&packet.timing)) {
    *at = to_uplink.after(std::chrono::microseconds(at->counter_us - from_uplink.counter_us));
  }
}

}  // namespace

std::expected<scheduling::BookingId, scheduling::Refusal> NetworkServer::book_relayed(
    lorawan::Eui64 gateway_eui, const gateway_bridge::Transmission& transmission) {
  auto booked = scheduler_.book(gateway_eui, transmission, scheduling::DownlinkPriority::Answer,
                                std::chrono::steady_clock::now());
  if (booked) {
    ++scheduler_.counters(gateway_eui).sent;
  } else {
    ++scheduler_.counters(gateway_eui).refused["relayed_" + std::string(scheduling::refusal_name(booked.error()))];
  }
  return booked;
}

void NetworkServer::release_relayed(lorawan::Eui64 gateway_eui, scheduling::BookingId booking) {
  scheduler_.release(gateway_eui, booking);
}

std::vector<scheduling::DownlinkScheduler::GatewayFigures> NetworkServer::downlink_figures() {
  return scheduler_.figures(std::chrono::steady_clock::now());
}

std::expected<void, scheduling::Refusal> NetworkServer::book_window(DownlinkPlan& plan, bool this_gateway) {
  const auto now = std::chrono::steady_clock::now();
  std::optional<scheduling::Refusal> first_refusal;
  const auto book_here = [&] {
    for (const bool rx2 : {false, true}) {
      if (rx2 && !plan.rx2) break;
      auto booked = scheduler_.book(plan.gateway_eui, rx2 ? *plan.rx2 : plan.rx1, plan.priority, now);
      if (booked) {
        plan.booking = *booked;
        plan.on_rx2 = rx2;
        return true;
      }
      if (!first_refusal) first_refusal = booked.error();
    }
    return false;
  };
  if (this_gateway && book_here()) return {};
  // The same moment on the next gateway's own counter.
  while (plan.next_other < plan.other_gateways.size()) {
    const auto [gateway_eui, uplink_at] = plan.other_gateways[plan.next_other++];
    retime(plan.rx1, plan.uplink_at, uplink_at);
    if (plan.rx2) retime(*plan.rx2, plan.uplink_at, uplink_at);
    plan.gateway_eui = gateway_eui;
    plan.uplink_at = uplink_at;
    if (book_here()) {
      ++counters_.downlinks_rerouted;
      return {};
    }
  }
  return std::unexpected(first_refusal.value_or(scheduling::Refusal::NoGateway));
}

void NetworkServer::count_not_planned(lorawan::Eui64 dev_eui, lorawan::Eui64 gateway_eui, scheduling::Refusal why) {
  ++counters_.downlinks_not_planned;
  ++scheduler_.counters(gateway_eui).refused[std::string(scheduling::refusal_name(why))];
  if (log_due("downlink not planned")) {
    spdlog::warn(
        "downlink to {} not planned: no window free on gateway {} or another that heard the uplink ({}); not sent, "
        "its queue item stays queued (counted as downlinks_not_planned; logged at most once a minute)",
        lorawan::eui64_to_string(dev_eui), lorawan::eui64_to_string(gateway_eui), scheduling::refusal_name(why));
  }
}

// The plan's window was booked; should its gateway not take it (offline, no PULL_DATA for a
// minute), the booking is released and the next gateway that heard the uplink is booked, at the
// same moment on its own counter.
void NetworkServer::send_planned(DownlinkPlan&& plan) {
  plan.rx1.dev_eui = plan.dev_eui;
  if (plan.rx2) plan.rx2->dev_eui = plan.dev_eui;
  const auto send = [&]() {
    auto token = gateways_.send(plan.gateway_eui, plan.on_rx2 ? *plan.rx2 : plan.rx1);
    if (token) {
      unreachable_until_.erase(plan.gateway_eui);
    } else {
      unreachable_until_[plan.gateway_eui] = std::chrono::steady_clock::now() + kUnreachableGatewayBackoff;
    }
    return token;
  };
  auto token = send();
  while (!token) {
    scheduler_.release(plan.gateway_eui, plan.booking);
    ++scheduler_.counters(plan.gateway_eui).refused["gateway_unreachable"];
    const auto refused_by = plan.gateway_eui;
    if (!book_window(plan, false)) break;
    if (log_due("downlink rerouted")) {
      spdlog::info(
          "downlink to {}: gateway {} refused it ({}); trying gateway {} (counted as downlinks_rerouted; "
          "logged at most once a minute)",
          lorawan::eui64_to_string(plan.dev_eui), lorawan::eui64_to_string(refused_by), token.error(),
          lorawan::eui64_to_string(plan.gateway_eui));
    }
    token = send();
  }
  if (!token) {
    ++counters_.downlink_send_failed;
    if (log_due("downlink not sent")) {
      spdlog::warn("downlink to {} via gateway {} not sent: {} (counted; logged at most once a minute)",
                   lorawan::eui64_to_string(plan.dev_eui), lorawan::eui64_to_string(plan.gateway_eui), token.error());
    }
    // Taken from the queue in the committed transaction, but never on air: back into the queue
    // for the next opportunity (the FCntDown it used is simply skipped).
    if (plan.queue_item) {
      try {
        schema::Transaction tx(db_);
        schema::return_downlink(db_, *plan.queue_item);
        tx.commit();
        ++counters_.downlinks_returned_to_queue;
      } catch (const schema::StorageError& e) {
        ++counters_.storage_failures;
        spdlog::error("queued downlink {} could not be put back: {}", plan.queue_item->id, e.what());
      }
    }
    return;
  }
  ++counters_.downlinks_sent;
  ++scheduler_.counters(plan.gateway_eui).sent;
  auto pending = std::make_unique<PendingDownlink>();
  auto key = std::make_pair(plan.gateway_eui, *token);
  pending->plan = std::move(plan);
  pending_[key] = std::move(pending);
  // Tokens are 16 bits; forget the oldest answers that never came so the map stays bounded.
  if (pending_.size() > 4096) pending_.erase(pending_.begin());
}

void NetworkServer::handle_outcome(const gateway_bridge::TxOutcome& outcome) {
  auto it = pending_.find({outcome.gateway_eui, outcome.id});
  if (it == pending_.end()) return;
  auto pending = std::move(it->second);
  pending_.erase(it);
  auto& plan = pending->plan;
  auto& gateway_counters = scheduler_.counters(plan.gateway_eui);
  if (outcome.ok()) {
    ++gateway_counters.acknowledged;
  } else {
    ++counters_.tx_ack_errors;
    ++gateway_counters
          .refused[outcome.unanswered ? std::string("no_gateway_answer")
                                      : "tx_ack_" + std::string(gateway_bridge::tx_status_name(outcome.status))];
    // Not on air: its slot and airtime are free for others.
    scheduler_.release(plan.gateway_eui, plan.booking);
    // RX1 refused as it was being scheduled (typically TOO_LATE): the same frame fits the
    // device's RX2 window, if free. Not after an InternalError: its cause is unknown, and
    // Basics Station's (a dntxed that never came) is only known once both windows are past.
    if (!plan.on_rx2 && plan.rx2 && outcome.status != gateway_bridge::TxStatus::InternalError) {
      ++counters_.downlinks_retried_rx2;
      auto booked = scheduler_.book(plan.gateway_eui, *plan.rx2, plan.priority, std::chrono::steady_clock::now());
      if (booked) {
        auto token = gateways_.send(plan.gateway_eui, *plan.rx2);
        if (token) {
          plan.on_rx2 = true;
          plan.booking = *booked;
          ++gateway_counters.sent;
          pending_[{plan.gateway_eui, *token}] = std::move(pending);
          return;
        }
        scheduler_.release(plan.gateway_eui, *booked);
      }
    }
  }
  if (!outcome.ok()) {
    ++counters_.downlinks_failed_on_air;
    // A class C downlink refused on air is tried again at a later registry poll; like one the
    // gateway could not take, not through this gateway for a while (a TX_FREQ error would
    // otherwise repeat every second).
    if (std::holds_alternative<gateway_bridge::Immediately>(plan.rx1.timing)) {
      unreachable_until_[plan.gateway_eui] = std::chrono::steady_clock::now() + kUnreachableGatewayBackoff;
    }
  }
  const auto* device = registry_.device(plan.dev_eui);
  if (!device) return;
  try {
    schema::Transaction tx(db_);
    TxAckEvent event;
    event.time = std::chrono::system_clock::now();
    event.device = device;
    event.gateway_eui = outcome.gateway_eui;
    event.token = outcome.id;
    if (plan.queue_item) event.queue_item_id = plan.queue_item->queue_item_id;
    event.f_cnt_down = plan.f_cnt_down;
    event.transmission = plan.on_rx2 && plan.rx2 ? *plan.rx2 : plan.rx1;
    event.transmission.phy_payload.clear();
    event.uplink_at = plan.uplink_at;
    if (!outcome.ok())
      event.error =
          outcome.detail.empty() ? std::string(gateway_bridge::tx_status_name(outcome.status)) : outcome.detail;
    event.warning = outcome.warning;
    auto work = tx.work();
    sink_.tx_ack(work, event);
    // Neither window went on air: the payload it carried was never delivered, so it goes back
    // into the queue for the device's next opportunity, as when no gateway took it at all.
    const bool returned = !outcome.ok() && plan.queue_item;
    if (returned) schema::return_downlink(db_, *plan.queue_item);
    tx.commit();
    if (returned) ++counters_.downlinks_returned_to_queue;
    sink_.committed();
  } catch (const schema::StorageError& e) {
    ++counters_.storage_failures;
    spdlog::error("storing txack failed: {}", e.what());
  }
}

}  // namespace uchet::netserver
