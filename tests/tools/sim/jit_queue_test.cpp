// The simulated forwarder's JIT queue with known answers: the verdicts at arrival at their exact
// boundaries (SX1302 HAL 2.1.0 constants), the silent losses at hand-over, immediate placement and
// the counter wrap.
#include <catch2/catch.hpp>

#include "tools/sim/jit_queue.h"

using namespace uchet;
using sim::EmissionOutcome;
using sim::JitQueue;
using sim::JitVerdict;

namespace {

// An SF12/125 kHz ACK: 12-byte PHYPayload, CR 4/5, no CRC, 8-symbol preamble:
// 12.25 × 32.768 ms preamble + 18 symbols = 991.232 ms (the "991 ms transmission").
constexpr std::uint32_t kSf12Ack = 991'232;
constexpr std::uint32_t kSf7Ack = 41'216;  // same frame at SF7: 12.25 + 28 symbols of 1.024 ms
constexpr std::uint32_t kT = 10'000'000;   // the first packet's due moment

gateway_bridge::Transmission ack(std::uint8_t sf) {
  gateway_bridge::Transmission t;
  t.timing = gateway_bridge::CounterTime{kT};
  t.frequency_hz = 869'100'000;
  t.data_rate = gateway_bridge::LoraRate{sf, 125};
  t.phy_payload.assign(12, 0x60);
  return t;
}

std::vector<std::pair<std::uint64_t, EmissionOutcome>> outcomes(const JitQueue& jit) {
  std::vector<std::pair<std::uint64_t, EmissionOutcome>> out;
  for (const auto& e : jit.emissions()) out.emplace_back(e.id, e.outcome);
  return out;
}

}  // namespace

TEST_CASE("downlink airtime is the core's, with the downlink's framing") {
  CHECK(sim::downlink_airtime_us(ack(12)) == kSf12Ack);
  CHECK(sim::downlink_airtime_us(ack(7)) == kSf7Ack);
  auto with_crc = ack(12);
  with_crc.disable_crc = false;  // 16 more bits: one more 5-symbol block of 32.768 ms at SF12
  CHECK(sim::downlink_airtime_us(with_crc) == kSf12Ack + 5 * 32'768);
}

TEST_CASE("a packet due 42.5 ms ahead or less is TOO_LATE, one more microsecond ahead is accepted") {
  JitQueue jit;
  CHECK(jit.timing().too_late_within_us() == 42'500);
  CHECK(jit.enqueue(kT - 42'500, 1, kT, kSf7Ack).verdict == JitVerdict::TooLate);
  CHECK(jit.enqueue(kT - 42'501, 2, kT, kSf7Ack).verdict == JitVerdict::Scheduled);
  CHECK(jit.queued() == 1);
  CHECK(sim::tx_ack_error(JitVerdict::TooLate) == "TOO_LATE");
}

TEST_CASE("a class A packet due beyond the 512 s horizon is TOO_EARLY") {
  JitQueue jit;
  CHECK(jit.enqueue(0, 1, 512'000'001, kSf7Ack).verdict == JitVerdict::TooEarly);
  CHECK(jit.enqueue(0, 2, 512'000'000, kSf7Ack).verdict == JitVerdict::Scheduled);
}

TEST_CASE("a packet overlapping a queued one, margins included, is COLLISION_PACKET") {
  // Each packet reserves 41.5 ms before it (start delay + JIT pre-delay) and its airtime in
  // whole milliseconds after (991 ms, 41 ms); 1 ms margin between.
  const std::uint32_t after_gap = 41'500 + 991'000 + 1'000;
  JitQueue jit;
  REQUIRE(jit.enqueue(kT - 1'000'000, 1, kT, kSf12Ack).verdict == JitVerdict::Scheduled);
  CHECK(jit.enqueue(kT - 900'000, 2, kT + after_gap, kSf7Ack).verdict == JitVerdict::CollisionPacket);
  CHECK(jit.enqueue(kT - 900'000, 3, kT + after_gap + 1, kSf7Ack).verdict == JitVerdict::Scheduled);
  // Before it: the newcomer's airtime plus the queued packet's pre-delay and the margin.
  const std::uint32_t before_gap = 41'500 + 41'000 + 1'000;
  CHECK(jit.enqueue(kT - 900'000, 4, kT - before_gap, kSf7Ack).verdict == JitVerdict::CollisionPacket);
  CHECK(jit.enqueue(kT - 900'000, 5, kT - before_gap - 1, kSf7Ack).verdict == JitVerdict::Scheduled);
  CHECK(sim::tx_ack_error(JitVerdict::CollisionPacket) == "COLLISION_PACKET");
}

TEST_CASE("the 148 ms case: accepted because the SF12 ACK was already handed over, then silently dropped") {
  // Device 1's SF12 ACK is due at T. Device 2's confirmed uplink ended 148 ms before T, so its
  // RX1 answer is due at T + 852 ms, inside the 991 ms transmission.
  const std::uint32_t rx1_of_second = kT - 148'000 + 1'000'000;

  SECTION("arriving while the first is still queued: refused, the server can try RX2") {
    JitQueue jit;
    REQUIRE(jit.enqueue(kT - 1'000'000, 1, kT, kSf12Ack).verdict == JitVerdict::Scheduled);
    CHECK(jit.enqueue(kT - 40'001, 2, rx1_of_second, kSf7Ack).verdict == JitVerdict::CollisionPacket);
  }
  SECTION("arriving after the hand-over (40 ms before T): accepted, and lost at its own hand-over") {
    JitQueue jit;
    REQUIRE(jit.enqueue(kT - 1'000'000, 1, kT, kSf12Ack).verdict == JitVerdict::Scheduled);
    // The server's answer reaches the gateway 240 ms after the uplink (dedup window + work).
    CHECK(jit.enqueue(kT - 148'000 + 240'000, 2, rx1_of_second, kSf7Ack).verdict == JitVerdict::Scheduled);
    jit.advance(kT + 3'000'000);
    CHECK(outcomes(jit) == std::vector<std::pair<std::uint64_t, EmissionOutcome>>{{1, EmissionOutcome::OnAir},
                                                                                  {2, EmissionOutcome::DroppedBusy}});
    CHECK(jit.queued() == 0);
  }
  SECTION("the same answer timed after the transmission ends (RX2) goes on air") {
    JitQueue jit;
    REQUIRE(jit.enqueue(kT - 1'000'000, 1, kT, kSf12Ack).verdict == JitVerdict::Scheduled);
    CHECK(jit.enqueue(kT + 92'000, 2, rx1_of_second + 1'000'000, kSf7Ack).verdict == JitVerdict::Scheduled);
    jit.advance(kT + 3'000'000);
    CHECK(outcomes(jit) == std::vector<std::pair<std::uint64_t, EmissionOutcome>>{{1, EmissionOutcome::OnAir},
                                                                                  {2, EmissionOutcome::OnAir}});
  }
}

TEST_CASE("a packet handed over while the radio holds one not yet started overwrites it") {
  JitQueue jit;
  REQUIRE(jit.enqueue(kT - 1'000'000, 1, kT, kSf7Ack).verdict == JitVerdict::Scheduled);
  jit.advance(kT - 35'000);  // packet 1 is in the radio's buffer since T - 40 ms
  CHECK(jit.queued() == 0);
  CHECK(jit.emissions().empty());
  // Due 45 ms ahead (not too late), handed over at T - 30 ms, before packet 1 starts.
  CHECK(jit.enqueue(kT - 35'000, 2, kT + 10'000, kSf7Ack).verdict == JitVerdict::Scheduled);
  jit.advance(kT + 1'000'000);
  CHECK(outcomes(jit) == std::vector<std::pair<std::uint64_t, EmissionOutcome>>{{1, EmissionOutcome::Overwritten},
                                                                                {2, EmissionOutcome::OnAir}});
}

TEST_CASE("packets far enough apart all go on air, in time order, whatever order they came in") {
  JitQueue jit;
  REQUIRE(jit.enqueue(0, 1, kT + 2'000'000, kSf12Ack).verdict == JitVerdict::Scheduled);
  REQUIRE(jit.enqueue(0, 2, kT, kSf12Ack).verdict == JitVerdict::Scheduled);
  REQUIRE(jit.enqueue(0, 3, kT + 4'000'000, kSf7Ack).verdict == JitVerdict::Scheduled);
  jit.advance(kT + 1'000'000);
  CHECK(outcomes(jit) == std::vector<std::pair<std::uint64_t, EmissionOutcome>>{{2, EmissionOutcome::OnAir}});
  REQUIRE(jit.next_event());
  CHECK(*jit.next_event() == kT + 2'000'000 - 40'000);
  jit.advance(kT + 5'000'000);
  CHECK(outcomes(jit) == std::vector<std::pair<std::uint64_t, EmissionOutcome>>{
                             {2, EmissionOutcome::OnAir}, {1, EmissionOutcome::OnAir}, {3, EmissionOutcome::OnAir}});
  CHECK_FALSE(jit.next_event());
}

TEST_CASE("an immediate packet gets 80 ms from now, or the first gap after the queued packets") {
  JitQueue jit;
  auto first = jit.enqueue(kT, 1, std::nullopt, kSf12Ack);
  CHECK(first.verdict == JitVerdict::Scheduled);
  CHECK(first.due_us == kT + 80'000);
  auto second = jit.enqueue(kT, 2, std::nullopt, kSf12Ack);
  CHECK(second.verdict == JitVerdict::Scheduled);
  // After the first: its 991 ms, the newcomer's pre-delay (41.5 ms), the JIT delay again, 1 ms.
  CHECK(second.due_us == kT + 80'000 + 991'000 + 41'500 + 40'000 + 1'000);
}

TEST_CASE("a full queue of 32 refuses the next packet as COLLISION_PACKET") {
  JitQueue jit;
  for (std::uint64_t i = 0; i < 32; ++i)
    REQUIRE(jit.enqueue(0, i, kT + static_cast<std::uint32_t>(i) * 2'000'000, kSf12Ack).verdict ==
            JitVerdict::Scheduled);
  auto refused = jit.enqueue(0, 99, kT + 100'000'000, kSf12Ack);
  CHECK(refused.verdict == JitVerdict::QueueFull);
  CHECK(sim::tx_ack_error(refused.verdict) == "COLLISION_PACKET");
}

TEST_CASE("the counter wraps: a packet due after the wrap is judged and sent like any other") {
  JitQueue jit;
  const std::uint32_t now = 0xFFFF'0000;      // 65.5 ms before the wrap
  const std::uint32_t due = now + 1'000'000;  // wraps
  REQUIRE(due < now);
  CHECK(jit.enqueue(now, 1, due, kSf12Ack).verdict == JitVerdict::Scheduled);
  CHECK(jit.enqueue(now, 2, due + 500'000, kSf7Ack).verdict == JitVerdict::CollisionPacket);
  jit.advance(now + 900'000);
  CHECK(jit.emissions().empty());
  jit.advance(due + 1);
  CHECK(outcomes(jit) == std::vector<std::pair<std::uint64_t, EmissionOutcome>>{{1, EmissionOutcome::OnAir}});
}
