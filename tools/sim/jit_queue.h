#pragma once
// How a Semtech packet forwarder (lora_pkt_fwd of the SX1301/SX1302 HALs) judges and emits the
// downlinks a server gives it, modelled on its just-in-time queue so the simulated gateway fails
// where a real one fails:
//
//  - at arrival (jit_enqueue): a packet due within start delay + margin + JIT pre-delay of the
//    counter now is TOO_LATE; one due more than the horizon ahead is TOO_EARLY; one whose
//    [due - pre-delay - margin, due + airtime + margin] overlaps a packet *still queued* is
//    COLLISION_PACKET; a full queue is reported as COLLISION_PACKET too (lora_pkt_fwd v4 maps it
//    so). Everything else is accepted: the TX_ACK says success.
//  - at hand-over (the JIT thread, `pre-delay` before the packet is due): the packet leaves the
//    queue for the radio's single TX buffer. If the radio is emitting then, the packet is
//    dropped ("concentrator is currently emitting"); if the buffer holds a packet not yet on
//    air, that one is overwritten. Both losses are silent: the server was told "scheduled".
//    This is the gap the arrival check leaves: it never looks at packets already handed over.
//  - an immediate (class C) packet is given the first free moment from twice the pre-delay
//    after arrival, as the forwarder does.
//
// Airtime is the core's (netserver/lorawan/airtime.h); like the HAL's lgw_time_on_air, the
// queue reserves it rounded to whole milliseconds, while the radio emits for the exact airtime.
// Counter arithmetic is
// modulo 2^32 like the concentrator's. Pure and single-threaded: the caller passes the counter
// and serialises calls (tools/sim/simulated_gateway.* holds it under its mutex).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "gateway-bridge/backend.h"

namespace uchet::sim {

// The forwarder's constants, defaults as in the SX1302 HAL 2.1.0 packet forwarder
// (jitqueue.c): TX_START_DELAY 1.5 ms, TX_MARGIN_DELAY 1 ms, TX_JIT_DELAY 40 ms (30 ms in the
// SX1301 packet_forwarder v4, 50 ms in later SX1302 trees), TX_MAX_ADVANCE_DELAY
// (3 beacons + 1) × 128 s, JIT_QUEUE_MAX 32 (one queue per RF chain; uchet transmits on 0).
struct JitTiming {
  std::uint32_t start_delay_us = 1'500;
  std::uint32_t margin_us = 1'000;
  std::uint32_t pre_delay_us = 40'000;  // hand-over lead: the radio is programmed this much before
  std::uint32_t horizon_us = 512'000'000;
  std::size_t capacity = 32;

  // A packet due this close (or closer) is TOO_LATE: 42.5 ms with the defaults.
  std::uint32_t too_late_within_us() const { return start_delay_us + margin_us + pre_delay_us; }
};

enum class JitVerdict { Scheduled, TooLate, TooEarly, CollisionPacket, QueueFull };
// The TX_ACK error text a forwarder sends for the verdict: "NONE", "TOO_LATE", "TOO_EARLY",
// "COLLISION_PACKET" (also for a full queue).
std::string_view tx_ack_error(JitVerdict verdict);

// Airtime of a downlink in µs (LoRa: explicit header, preamble default 8, CRC per ncrc; FSK:
// the core's FSK framing).
std::uint32_t downlink_airtime_us(const gateway_bridge::Transmission& txpk);

enum class EmissionOutcome {
  OnAir,        // handed to an idle radio and sent
  DroppedBusy,  // at hand-over the radio was emitting: dropped, the server never learns
  Overwritten,  // in the radio's buffer, replaced by a later hand-over before it started
};
std::string_view emission_outcome_name(EmissionOutcome outcome);

// What became of one accepted packet.
struct Emission {
  std::uint64_t id = 0;  // the caller's name for the packet
  std::uint32_t due_us = 0;
  std::uint32_t airtime_us = 0;
  EmissionOutcome outcome = EmissionOutcome::OnAir;
};

class JitQueue {
 public:
  explicit JitQueue(JitTiming timing = {}) : timing_(timing) {}

  struct Judged {
    JitVerdict verdict = JitVerdict::Scheduled;
    std::uint32_t due_us = 0;  // when it is (or would have been) sent; immediate ones get theirs here
  };
  // Judges a packet arriving at counter `now` (first running the hand-overs due by then);
  // `due_us` absent: immediate. An accepted packet is queued under `id`.
  Judged enqueue(std::uint32_t now, std::uint64_t id, std::optional<std::uint32_t> due_us, std::uint32_t airtime_us);

  // Runs every hand-over due by counter `now`, in order of time, and settles what the radio
  // sent; the packets settled are appended to emissions().
  void advance(std::uint32_t now);

  // Every accepted packet settled so far, in the order settled.
  const std::vector<Emission>& emissions() const { return emissions_; }
  std::size_t queued() const { return queue_.size(); }
  // The counter value of the next hand-over or transmission start still to settle, for a timer.
  std::optional<std::uint32_t> next_event() const;

  const JitTiming& timing() const { return timing_; }

 private:
  struct Packet {
    std::uint64_t id = 0;
    std::uint32_t due_us = 0;
    std::uint32_t airtime_us = 0;
  };
  // What the queue reserves after a packet's due moment: its airtime in whole milliseconds.
  static std::uint32_t post_delay(std::uint32_t airtime_us) { return (airtime_us + 500) / 1000 * 1000; }
  bool collides(std::uint32_t due_a, std::uint32_t airtime_a, const Packet& b) const;
  std::uint32_t first_free_moment(std::uint32_t now, std::uint32_t airtime_us) const;
  void hand_over(const Packet& packet);
  void settle_radio();

  JitTiming timing_;
  std::uint32_t last_now_ = 0;
  bool started_ = false;
  std::vector<Packet> queue_;
  std::optional<Packet> radio_;   // handed over, not yet settled as sent
  std::optional<Packet> on_air_;  // settled as sent; emitting until due + airtime
  std::vector<Emission> emissions_;
};

}  // namespace uchet::sim
