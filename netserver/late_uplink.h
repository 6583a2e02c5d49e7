#pragma once
// Frames of one device processed out of order across instances (several uchetd on one
// PostgreSQL; docs/deployment.md layout 3, "Frames across instances").
//
// A device's frame n and its next frame n+1 may be claimed by different instances. When n's
// owner is the slower one (a backlog, or n was taken over from an owner that died), n+1 is
// stored first and moves FCntUp past n. Refused as a replay, n — sent by the device, delivered
// by the gateways and acknowledged to them — would be lost, and with it a meter reading.
//
// So a session remembers the counters a stored frame skipped, each with the claim time of the
// frame that skipped it (claim times are the database server's clock, schema/frame_claims.h,
// so all instances compare on one clock). A frame at such a counter whose own claim is *older*
// than that frame's reached the network first: it is out of order, not replayed, and is stored
// as a *late uplink* — announced like any uplink, while FCntUp, the ADR history and the MAC
// state stay as the newer frame left them and nothing is answered (its receive windows have
// passed). Its counter then leaves the list, so it is stored once. A frame claimed after the
// skip — a replay of a frame the network never received, or a copy heard after the claim
// horizon — is refused as before: a counter can be taken late only by a frame that was already
// in the network when the device's newer frame arrived.
//
// Bounded: at most kMaxSkippedFCnts counters (the newest), each forgotten kSkippedFCntTtlMs after
// the frame that skipped it was claimed (a held frame is dropped after 20 s anyway). Not covered:
// a LoRaWAN 1.1 frame with FCtrl.ACK whose MIC covers the FCntDown it acknowledges, when the
// newer frame's answer has used another FCntDown since — it verifies no more (a MIC failure).
// Pure; the list lives in the session's MAC state (netserver/mac_state.h).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace uchet::netserver {

struct SkippedFCnt {
  std::uint32_t f_cnt = 0;
  std::int64_t skipped_at_ms = 0;  // claim time of the frame that moved FCntUp past it

  bool operator==(const SkippedFCnt&) const = default;
};

inline constexpr std::size_t kMaxSkippedFCnts = 16;
inline constexpr std::int64_t kSkippedFCntTtlMs = 60'000;

// A frame at full counter `f_cnt`, claimed at `claimed_at_ms`, was accepted while `expected` was
// the next expected counter: the counters expected..f_cnt-1 are remembered as skipped by it.
// Entries older than the TTL (by `claimed_at_ms`) are forgotten, and only the newest
// kMaxSkippedFCnts kept.
void record_skipped(std::vector<SkippedFCnt>& skipped, std::uint32_t expected, std::uint32_t f_cnt,
                    std::int64_t claimed_at_ms);

// True when `f_cnt` was skipped by a frame claimed after `claimed_at_ms` (this frame's claim):
// the frame is late, and the counter is forgotten. False otherwise (a replay), list unchanged.
bool take_late(std::vector<SkippedFCnt>& skipped, std::uint32_t f_cnt, std::int64_t claimed_at_ms);

}  // namespace uchet::netserver
