#pragma once
// The LoRaWAN network server: receives every gateway reception from the gateway backend
// (gateway-bridge/backend.h), deduplicates, answers joins, verifies and decrypts data frames,
// keeps frame counters, answers MAC commands and schedules class A/C downlinks through the
// backend. Accepted frames and protocol events go
// to the EventSink inside the same SQLite transaction as the session state they change.
//
// Group commit: the frames whose dedup windows close in one pass of the window timer share one
// write transaction, each frame in a savepoint of its own (a frame that fails is undone alone).
// What must follow the commit — waking the publisher (EventSink::committed), sending the
// frame's downlink, counting it — is collected and done once the transaction committed, so a
// frame is stored before it is announced or answered. A frame that plans a class A downlink
// (RX1 one second after the uplink) commits the batch at once instead of waiting for the rest
// of the pass; join-accepts (JOIN_ACCEPT_DELAY1, 5 s) wait for the end of the pass. A long pass
// (a backlog) commits every 2 ms of processing (max_batch_age); passes are at least 2 ms apart
// (kMinPassInterval) so that frames closing close together share a pass.
//
// Several instances on one PostgreSQL database (share_frames; docs/deployment.md layout 3):
// copies of one frame reaching different instances become one frame. When a frame's first
// local copy opens its window, the instance claims the frame in the database
// (schema/frame_claims.h). The owner waits its window plus kClaimGrace (50 ms), then reads the
// receptions the other instances added and goes on with all of them, as one instance would.
// A losing instance adds each of its copies to the claim as it arrives (one round trip each),
// and when its own window closes *holds* the frame (as received, with its own receptions) until
// the owner has processed it. The owner marks its claim settled in the transaction that stores
// the frame or records its rejection (schema::settle_frame_claim, in the pass's transaction
// before the frame's savepoint: the mark commits exactly when the frame's writes do; a frame
// whose own processing failed is marked too, as one instance drops such a frame). Every
// kHeldCheckInterval the loser reads the state of all the claims it holds in one query:
//   - settled (or replaced: the same bytes claimed anew after the horizon) → the frame is
//     dropped (counted, frames_claimed_elsewhere);
//   - the owner's instance lock gone (it died; schema/instances.h) → the loser takes the claim
//     over, conditional on the owner it saw (of several losers, one wins; the others go on
//     holding for the new owner), adds the receptions other losers handed over, and processes
//     the frame itself (frames_taken_over). Its class A windows have passed: such a frame is
//     stored and announced, never answered (answers_not_owed); a join-request taken over is
//     dropped (late_joins_dropped) — a stored join whose accept cannot be sent would move the
//     device's session away from the one it keeps, and the device sends a new join-request;
//   - the owner live but the frame unsettled after kHeldLimit → dropped, counted
//     (held_frames_expired) and logged at most once a minute.
// At most kHeldCap frames are held; a full set drops the newest (held_frames_dropped). On stop
// the held frames are dropped (their owners are alive). Bound: a
// copy that reaches a losing instance later than the owner's window plus the grace, less that
// round trip, is not among the owner's receptions (the frame itself is processed; only that
// gateway's metadata is missing); a copy arriving after the owner processed the frame is
// dropped, never processed twice. If a claim fails (the database unreachable) the frame is
// processed here: should another instance process it too, the session generation refuses the
// second as a replay. Frame counters and DevNonces under races: schema/sessions.h (a stale
// cached session is reloaded and the frame judged again; a DevNonce's insert is the arbiter).
//
// Threading: everything runs on the io_context thread given to the constructor, except
// gateway_registered(), which the gateway backend may call from its own thread.
#include <boost/asio.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>

#include "common/latency_histogram.h"
#include "gateway-bridge/backend.h"
#include "netserver/deduplicator.h"
#include "netserver/dev_addr_allocator.h"
#include "netserver/device_registry.h"
#include "netserver/events.h"
#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/join_request.h"
#include "netserver/lorawan/region.h"
#include "netserver/mac_state.h"
#include "netserver/scheduling/downlink_scheduler.h"
#include "netserver/token_bucket.h"
#include "schema/database.h"
#include "schema/downlink_queue.h"

namespace uchet::netserver {

struct NetworkSettings {
  lorawan::Region region;
  lorawan::NetId net_id = 0;
  std::chrono::milliseconds dedup_window{200};
  int rx1_delay_s = 1;
  int rx1_dr_offset = 0;
  double installation_margin_db = 10.0;
  std::chrono::seconds dev_status_interval{24 * 3600};  // 0: never ask
  // DevStatusReqs sent per second at most, the whole network together (token_bucket.h).
  double dev_status_max_per_s = 5;
  // Extra channels (Hz) given to joining devices in the CFList, at most five; empty: none.
  std::vector<std::uint32_t> extra_channels_hz;
  // Duty-cycle limits (share of an hour, 0..1) replacing the region's, by sub-band name
  // (lorawan::Region::sub_bands; checked by lorawan::sub_bands_with_limits).
  std::vector<std::pair<std::string, double>> duty_cycle;
  // Reads a gateway's saved duty-cycle hour (scheduling/saved_airtime.h); empty: budgets start full.
  scheduling::SavedAirtimeSource saved_airtime;
  std::chrono::milliseconds registry_poll{1000};
  // A pass that has been processing this long commits what it has and goes on in a new
  // transaction (network_server_internal.h explains why 2 ms). Tests that pin "one pass, one
  // commit" raise it so a loaded machine cannot split their pass.
  std::chrono::milliseconds max_batch_age{2};
};

// Every rejection is counted by kind (and logged at most once a minute per kind).
struct NetworkCounters {
  std::uint64_t receptions = 0, late_copies = 0, frames = 0, malformed = 0, unsupported_mtype = 0;
  std::uint64_t joins_accepted = 0, join_unknown_device = 0, join_bad_mic = 0, join_nonce_reused = 0;
  std::uint64_t uplinks_accepted = 0, uplink_unknown_dev_addr = 0, uplink_bad_mic = 0, uplink_replay = 0,
                uplink_retransmissions = 0;
  std::uint64_t downlinks_sent = 0, downlink_send_failed = 0, downlinks_retried_rx2 = 0, tx_ack_errors = 0;
  std::uint64_t downlinks_rerouted = 0;  // sent via another gateway that heard the uplink
  // Class C queue items another uchetd on the same database took first (each goes on air once).
  std::uint64_t downlinks_taken_elsewhere = 0;
  // Queue items taken for a downlink that never went on air (no gateway took it, or the gateway
  // reported an error for every window) and put back for the next opportunity.
  std::uint64_t downlinks_returned_to_queue = 0;
  // Downlinks whose gateway reported an error (TxOutcome) for the last window tried.
  std::uint64_t downlinks_failed_on_air = 0;
  std::uint64_t storage_failures = 0;
  // Sessions reloaded from the database because another instance may have changed them
  // (PostgreSQL): a DevAddr unknown to the cache or whose keys verified nothing, or a session
  // write refused as stale (schema/sessions.h).
  std::uint64_t session_reloads = 0;
  // Several instances: frames another instance claimed (this one handed over its receptions and
  // dropped the frame), claims that failed (the frame processed here regardless), and receptions
  // other instances added to frames this one owned.
  std::uint64_t frames_claimed_elsewhere = 0, claim_failures = 0, claim_receptions_received = 0;
  // Held frames (network_server.h, "holds"): taken over from a dead owner and processed here,
  // dropped unsettled after kHeldLimit, dropped because the held set was full; taken-over
  // frames whose class A answer was not sent, and taken-over join-requests dropped.
  std::uint64_t frames_taken_over = 0, held_frames_expired = 0, held_frames_dropped = 0;
  std::uint64_t answers_not_owed = 0, late_joins_dropped = 0;
  // Data uplinks stored late: claimed before the device's newer frame, which another instance
  // stored first (late_uplink.h); also counted in uplinks_accepted.
  std::uint64_t late_uplinks = 0;
  std::uint64_t dev_status_deferred = 0;  // due, but over dev_status_max_per_s: asked at a later uplink
  // Downlinks for which no window could be booked on any gateway that heard the uplink (slot
  // taken, duty cycle): not sent, their queue item left queued (per gateway and reason:
  // downlink_figures()).
  std::uint64_t downlinks_not_planned = 0;
  // Uplinks whose MAC requests were left out of the downlink for want of airtime or a slot
  // (downlink_priority.h): asked again at a later uplink.
  std::uint64_t mac_requests_deferred = 0;
};

class NetworkServer {
 public:
  NetworkServer(boost::asio::io_context& io, schema::Database& db, NetworkSettings settings, EventSink& sink,
                gateway_bridge::GatewayBackend& gateways);
  ~NetworkServer();

  // Several instances on one PostgreSQL database: frames are claimed across instances, as
  // `instance`, on `claims` (schema::open_claims: a connection of its own, used on this thread;
  // it must outlive the server). Call before start().
  void share_frames(schema::Database& claims, std::string instance);
  // Loads the registry and starts the timers (registry poll, class C queue).
  void start();
  void stop();

  void handle_uplink(gateway_bridge::Reception&& rx);
  void handle_outcome(const gateway_bridge::TxOutcome& outcome);
  bool gateway_registered(lorawan::Eui64 gateway_eui);

  // A transmission another uchetd decided for a gateway whose downlink path this instance holds
  // (gateway-bridge/cluster_relay/, several uchetd on one PostgreSQL): booked on this instance's
  // timeline and duty cycle of that gateway, at the answer tier, like its own downlinks, so that
  // what two instances decide for one gateway never overlaps on air or overspends its budget.
  // The refusal says why not (the sender falls back as for any refusal: RX2, a later window).
  std::expected<scheduling::BookingId, scheduling::Refusal> book_relayed(
      lorawan::Eui64 gateway_eui, const gateway_bridge::Transmission& transmission);
  // The relayed transmission did not go on air: its slot and airtime are free again.
  void release_relayed(lorawan::Eui64 gateway_eui, scheduling::BookingId booking);

  const NetworkCounters& counters() const { return counters_; }
  // Frames held for their owners on other instances (network_server.h).
  std::size_t held_frames() const { return held_.size(); }
  // Per gateway: downlinks planned, sent, acknowledged, deferred, refused by reason, and the
  // airtime per sub-band in the last hour (netserver/scheduling/downlink_scheduler.h).
  std::vector<scheduling::DownlinkScheduler::GatewayFigures> downlink_figures();
  // How long each group commit took (COMMIT alone), and how long each accepted frame took from
  // its first reception to the commit that stored it (the deduplication window included):
  // "stored", not "published" — publishing waits for the broker, whose delay the outbox's age
  // shows. Readable from any thread (common/latency_histogram.h).
  const common::LatencyHistogram& commit_latency() const { return commit_latency_; }
  const common::LatencyHistogram& end_to_end_latency() const { return end_to_end_latency_; }

 private:
  struct PendingDownlink;
  struct DownlinkPlan;
  struct Batch;

  void arm_dedup_timer();
  void close_windows();
  // Several instances: claims a frame whose window just opened, or hands a copy of a frame
  // another instance owns to it.
  void claim(ReceivedFrame& frame);
  void hand_over(const ReceivedFrame& frame, const gateway_bridge::Reception& copy);
  // The closed frames this instance goes on with: its own, with the other instances' receptions
  // added; those another instance owns are dropped (counted).
  std::vector<ReceivedFrame> settle_claims(std::vector<ReceivedFrame>&& frames);
  // Adds the receptions other instances handed over for an owned frame's claim.
  void add_handed_over(ReceivedFrame& frame);
  // A frame another instance owns, held until its owner processed it; the held set's check.
  void hold(ReceivedFrame&& frame);
  void arm_held_timer();
  void check_held();
  void process_frames(std::vector<ReceivedFrame>&& frames);
  // The batch's transaction, begun if none is open.
  Batch& batch();
  // Commits the open batch, then does what was waiting for it; on failure forgets its frames.
  void commit_batch();
  // The batch's transaction is gone (failed commit, or SQLite rolled it back by itself): the
  // frames accepted in it were not stored; memory is reloaded from the database.
  void abandon_batch(const char* why);
  // False when the device certainly has nothing in the downlink queue (no query needed).
  bool queue_may_hold(lorawan::Eui64 dev_eui);
  void process_frame(ReceivedFrame&& frame);
  void process_join(const ReceivedFrame& frame, const lorawan::JoinRequest& request);
  // The steps of process_join, in its order, over the join being handled (join_handler.cpp).
  struct Join;
  bool identify_device(Join& join);
  bool check_dev_nonce(Join& join);
  bool start_session(Join& join);
  bool build_accept(Join& join);
  bool plan_windows(Join& join);
  bool store_join(Join& join);
  void queue_join_accept(Join& join);
  void process_data(const ReceivedFrame& frame, const lorawan::DataFrame& data);
  // The steps of process_data, in its order, over the frame being handled (data_handler.cpp).
  struct Uplink;
  // One judgement of a data frame; the device whose cached session proved stale (nothing of the
  // frame kept, the caller reloads and judges again), or nullopt when done with the frame.
  std::optional<lorawan::Eui64> judge_data(const ReceivedFrame& frame, const lorawan::DataFrame& data,
                                           bool after_stale_session);
  bool find_session(Uplink& up);
  enum class SessionMatch { Found, UnknownDevAddr, BadMic, Replay };
  SessionMatch match_session(Uplink& up);
  void accept_as_late(Uplink& up, schema::DeviceSession& candidate, std::uint32_t f_cnt,
                      std::optional<MacState> candidate_mac);
  void take_frame_counter(Uplink& up);
  void decrypt(Uplink& up);
  void handle_mac_commands(Uplink& up);
  void request_link_adr(Uplink& up);
  void request_rx_setup(Uplink& up);
  void request_dev_status(Uplink& up);
  void request_new_channel(Uplink& up);
  void send_uplink_event(Uplink& up, schema::UnitOfWork& work);
  void expire_downlink_queue(Uplink& up, schema::UnitOfWork& work);
  void acknowledge_confirmed_downlink(Uplink& up, schema::UnitOfWork& work);
  void plan_class_a_answer(Uplink& up);
  // The answer carrying the uplink's first `commands` MAC commands, booked on a gateway; nullopt
  // (with the reason) when no window could be booked, or the frame could not be built.
  std::optional<DownlinkPlan> plan_answer(Uplink& up, std::size_t commands, scheduling::Refusal& refusal);
  void send_status_events(Uplink& up, schema::UnitOfWork& work);
  void add_to_batch(Uplink& up);
  void poll_registry();
  void deliver_class_c();

  // Sends a planned downlink on RX1 (or RX2 when RX1 is impossible) through its gateway, or the
  // next one that heard the uplink when that gateway refuses it, and remembers it so an outcome
  // error on RX1 can be retried on RX2. A queue item no gateway took goes back to the queue.
  void send_planned(DownlinkPlan&& plan);
  // Books a window for the plan: its own gateway's RX1 then RX2 (when `this_gateway`), then
  // each other gateway that heard the uplink not tried yet, retimed on that gateway's counter.
  // On success the plan names the gateway, window and booking.
  std::expected<void, scheduling::Refusal> book_window(DownlinkPlan& plan, bool this_gateway);
  // Counts and logs (rate-limited) a downlink for which no window could be booked.
  void count_not_planned(lorawan::Eui64 dev_eui, lorawan::Eui64 gateway_eui, scheduling::Refusal why);
  void reject(std::uint64_t NetworkCounters::*counter, const std::string& kind, const std::string& detail);
  // True at most once a minute per kind: what is counted anyway is logged without flooding the
  // log (a misbehaving device, a gateway gone offline with many devices behind it).
  bool log_due(const std::string& kind);
  std::string new_uuid();

  boost::asio::io_context& io_;
  schema::Database& db_;
  NetworkSettings settings_;
  EventSink& sink_;
  gateway_bridge::GatewayBackend& gateways_;  // downlinks go out through it
  DeviceRegistry registry_;
  scheduling::DownlinkScheduler scheduler_;  // every gateway's timeline, duty cycle and counters
  Deduplicator dedup_;
  schema::Database* claims_ = nullptr;  // several instances: where frames are claimed
  std::string instance_;
  TokenBucket dev_status_budget_;
  DevAddrPrefix dev_addr_prefix_;
  std::mt19937_64 rng_;
  boost::asio::steady_timer dedup_timer_;
  boost::asio::steady_timer registry_timer_;
  bool dedup_timer_armed_ = false;
  // Frames another instance owns, by claim key, with when they were held (network_server.h).
  struct HeldFrame {
    ReceivedFrame frame;
    SteadyTime held_at;
  };
  std::map<std::array<std::uint8_t, 32>, HeldFrame> held_;
  boost::asio::steady_timer held_timer_;
  bool held_timer_armed_ = false;
  std::chrono::steady_clock::time_point last_pass_;  // start of the last pass of the window timer
  bool stopped_ = false;
  std::unique_ptr<Batch> batch_;  // engaged while a group-commit transaction is open
  std::map<std::pair<lorawan::Eui64, gateway_bridge::TransmissionId>, std::unique_ptr<PendingDownlink>> pending_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_logged_;
  // The gateways that heard each device best last time: class C downlinks go through the best,
  // or the second when the best has no downlink path (0: none).
  struct LastGateways {
    lorawan::Eui64 best = 0, second = 0;
  };
  std::map<lorawan::Eui64, LastGateways> last_gateway_;
  // Gateways whose last downlink was refused (at send time, or a class C one on air), until
  // when class C delivery skips them.
  std::map<lorawan::Eui64, std::chrono::steady_clock::time_point> unreachable_until_;
  NetworkCounters counters_;
  common::LatencyHistogram commit_latency_, end_to_end_latency_;
};

}  // namespace uchet::netserver
