#pragma once
// Downlinks between several uchetd on one PostgreSQL (docs/deployment.md, layout 3): a
// GatewayBackend (gateway-bridge/backend.h) in front of this instance's own backends, so the
// network server keeps one contract — one TxOutcome per accepted send() — whichever instance
// holds the gateway's downlink path.
//
// Paths. Every second the local backends are asked which gateways they can reach now
// (GatewayBackend::downlink_paths: a recent PULL_DATA, an open WebSocket); a gateway newly
// reachable here is written to gateway_path as held by this instance (taking it over from
// another), and every path still reachable is refreshed every `path_refresh`. Nothing is
// written per packet.
//
// Sending. send() tries the local backends first. When they cannot reach the gateway and
// gateway_path names another instance whose row was refreshed within `path_stale`, the
// transmission is written to relayed_downlink (serialised: relayed_transmission.h) with the
// latest moment it may go on air, and the holder is woken by NOTIFY in the same transaction.
// The TransmissionId is the row id with bit 62 set (apart from every local backend's ids).
//
// Holding. Woken by that NOTIFY (or by the re-read every `poll`, or after the listening
// connection — named "uchetd <instance> relay listener" — dropped and was opened again, which
// is counted and logged), the holder takes each row addressed to it (a conditional update: taken
// once), refuses it with TOO_LATE when its latest moment has passed (never sent late), asks
// `admit` — the network server's own transmit timeline and duty cycle for that gateway — and
// refuses what does not fit (COLLISION_PACKET, DUTY_CYCLE_OVERFLOW...), else hands it to its
// local backend. The gateway's outcome is written back to the row and the sender woken.
//
// Outcome. The sender hands the row's outcome to its network server as the outcome of its
// send(), and deletes the row. With no outcome `outcome_grace` after the latest moment on air
// it writes NO_OUTCOME itself (only if the holder has not answered: one of the two wins) and
// reports INTERNAL_ERROR — a failure, never a success, as for a missing TX_ACK or dntxed.
//
// Clocks. The latest moment on air is wall-clock time (the instances' clocks are assumed NTP
// synchronised): for a counter-timed transmission, the counter mapped through this instance's
// latest reception from that gateway; without one (a gateway heard only by others), and for
// class C, `reach` after the send.
//
// Threads: as GatewayBackend says. The database and notification connections are this object's
// own and used under its mutex; outcomes and table work run on the owner's io_context. `admit`
// and `release` are called there too, never with a send() of this object on the stack.
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/log_rate_limiter.h"
#include "gateway-bridge/backend.h"
#include "schema/database.h"
#include "schema/notifications.h"
#include "schema/relayed_downlinks.h"

namespace uchet::gateway_bridge::cluster_relay {

// The holder's re-check of a relayed transmission against its own view of the gateway's
// transmitter: a booking id to release if it does not go on air, or the refusal as a TxStatus.
using AdmitRelayed = std::function<std::expected<std::uint64_t, TxStatus>(lorawan::Eui64, const Transmission&)>;
using ReleaseRelayed = std::function<void(lorawan::Eui64, std::uint64_t booking)>;

inline constexpr TransmissionId kRelayedIdBit = TransmissionId{1} << 62;
inline constexpr const char* kDownlinkChannel = "uchet_relayed_downlink";  // payload: the holder's name
inline constexpr const char* kOutcomeChannel = "uchet_relayed_outcome";    // payload: the sender's name

struct ClusterRelayOptions {
  std::string location;  // the PostgreSQL URI every instance shares
  std::string instance;  // this instance's name, unique among the live ones
  AdmitRelayed admit;    // required
  ReleaseRelayed release;
  std::chrono::milliseconds outcome_grace{5'000};
  std::chrono::microseconds reach{2'000'000};
  std::chrono::seconds path_refresh{30};
  std::chrono::seconds path_stale{90};
  std::chrono::milliseconds poll{1'000};
};

// Monotonic counters (uchetd exports them on /metrics and logs them at its stop).
struct RelayCounters {
  // This instance as the sender: rows written, and their outcomes — the holder's gateway took it
  // (ok), refused or failed (failed), no outcome in time (no_outcome) — and relays that failed
  // on the database (errors; the send() failed, nothing was written).
  std::uint64_t relayed = 0, relayed_ok = 0, relayed_failed = 0, relayed_no_outcome = 0, relay_errors = 0;
  // This instance as the holder: rows taken, handed to the local backend (sent), refused after
  // their latest moment (too_late), by the gateway's transmit timeline (a slot taken, no
  // sub-band: refused_timeline) or by its duty-cycle budget (refused_duty_cycle), for a gateway
  // it cannot reach after all, or unreadable (malformed).
  std::uint64_t held_taken = 0, held_sent = 0, held_too_late = 0, held_refused_timeline = 0,
                held_refused_duty_cycle = 0, held_unreachable = 0, held_malformed = 0;
  std::uint64_t paths_written = 0;
  // The listening connection dropped and was opened again (LISTENing anew; the rows were then
  // re-read, as a notification may have been missed meanwhile).
  std::uint64_t listen_reconnects = 0;
};

class ClusterRelay final : public GatewayBackend {
 public:
  // `local` (not owned) must outlive this object; start() starts it.
  ClusterRelay(GatewayBackend& local, ClusterRelayOptions options);
  ~ClusterRelay() override;
  ClusterRelay(const ClusterRelay&) = delete;
  ClusterRelay& operator=(const ClusterRelay&) = delete;

  // Opens the database and notification connections (an error when they cannot be opened),
  // starts the local backends and the relay's timer on `owner`.
  lorawan::Result<void> start(boost::asio::io_context& owner, BackendCallbacks callbacks) override;
  void stop() override;
  lorawan::Result<TransmissionId> send(lorawan::Eui64 gateway_eui, const Transmission& transmission) override;
  BackendCounters counters() const override { return local_.counters(); }
  std::vector<std::pair<lorawan::Eui64, std::string>> downlink_paths() const override {
    return local_.downlink_paths();
  }

  RelayCounters relay_counters() const;

 private:
  struct Outgoing {
    lorawan::Eui64 gateway_eui = 0;
    std::string holder;
    std::chrono::steady_clock::time_point give_up_at;
  };
  struct Incoming {
    std::int64_t row = 0;
    std::uint64_t booking = 0;
    std::string sender;
    std::chrono::steady_clock::time_point sent_at;
  };
  struct ClockPoint {
    std::uint64_t counter_us = 0;
    std::chrono::system_clock::time_point at;
  };

  void tick();
  void wait_for_notifications();
  void on_notifications();
  // Holder: takes and handles the rows addressed to this instance.
  void take_incoming();
  // Sender: each returns the outcomes to deliver once the mutex is released.
  std::vector<TxOutcome> read_outcomes();
  std::vector<TxOutcome> give_up_overdue();
  void publish_paths();
  void hold(const schema::RelayedDownlink& row);
  void answer(std::int64_t row, const std::string& sender, TxStatus status, const std::string& detail,
              const std::string& warning = {});
  void on_local_outcome(const TxOutcome& outcome);
  void deliver(const std::vector<TxOutcome>& outcomes);
  std::int64_t not_after_us(lorawan::Eui64 gateway_eui, const Transmission& transmission, std::int64_t now_us);
  void log_error(const std::string& key, const std::string& message);

  GatewayBackend& local_;
  ClusterRelayOptions options_;
  boost::asio::io_context* owner_ = nullptr;
  BackendCallbacks callbacks_;
  mutable std::mutex mutex_;  // everything below
  std::optional<schema::Database> db_;
  std::unique_ptr<schema::Notifications> listener_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
  int socket_fd_ = -1;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  bool running_ = false;
  std::map<std::int64_t, Outgoing> outgoing_;                                       // by row id
  std::map<std::pair<lorawan::Eui64, TransmissionId>, Incoming> incoming_;          // by local send
  std::unordered_map<lorawan::Eui64, ClockPoint> clocks_;                           // latest reception here
  std::unordered_map<lorawan::Eui64, std::chrono::steady_clock::time_point> held_;  // paths written
  std::chrono::steady_clock::time_point last_prune_{};
  RelayCounters counters_;
  common::LogRateLimiter limiter_;
};

// TxStatus by its ChirpStack name ("OK", "TOO_LATE", ...); InternalError for any other text.
TxStatus tx_status_by_name(std::string_view name);

}  // namespace uchet::gateway_bridge::cluster_relay
