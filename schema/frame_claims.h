#pragma once
// Deduplication across uchetd instances on one PostgreSQL database (netserver/network_server.h,
// docs/deployment.md layout 3): the instance whose copy of a PHYPayload opens its dedup window
// first *claims* the frame in `frame_claim` (key: SHA-256 of the PHYPayload), and owns it; the
// others add their receptions to `frame_claim_reception` for the owner to read at its window's
// end, and drop the frame. Claim times are the database server's clock (Unix milliseconds), so
// the hosts' clocks do not matter. A claim older than `horizon_ms` is taken over by the next
// claim of the same bytes: the same PHYPayload then is a new transmission (NbTrans), as for the
// deduplicator's late-copy horizon.
//
// A claimed frame is not lost with its owner (migration 0020): the owner marks the claim
// *settled* in the transaction that stores the frame or records its rejection
// (settle_frame_claim, on the writer connection, inside the pass's transaction, so the mark
// commits exactly when the frame does). The losers keep their copies and read the claims' states
// (claim_states, one query for all they hold): settled → drop; the owner's instance lock gone
// (schema/instances.h, the notion `uchetctl instance list` uses) → take the claim over
// (take_over_claim, conditional on the owner seen: of several losers one wins) and process the
// frame there.
//
// Claims are made on a connection of their own with synchronous_commit off (open_claims): a
// claim lost in a database crash costs nothing but a frame processed twice — which the session
// generation (schema/sessions.h) then refuses as a replay. Old claims and receptions are deleted
// by prune_frame_claims (a singleton job). SQLite: one instance; nothing is claimed (the tables
// exist, unused).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/database.h"

namespace uchet::schema {

using FrameKey = std::array<std::uint8_t, 32>;

FrameKey frame_key(std::span<const std::uint8_t> phy_payload);  // SHA-256

// The connection claims are made on: autocommit, synchronous_commit off. PostgreSQL only.
Database open_claims(const std::string& location);

struct FrameClaim {
  std::string owner;               // the instance that owns the frame
  std::int64_t claimed_at_ms = 0;  // the claim's time, which tags its receptions
};
// Claims the frame for `instance`, or returns who has it (a claim younger than `horizon_ms`).
FrameClaim claim_frame(Database& db, const FrameKey& key, std::string_view instance, std::int64_t horizon_ms);
// A losing instance's receptions (encoded, netserver/reception_codec.h) for the owner.
void add_claim_reception(Database& db, const FrameKey& key, std::int64_t claimed_at_ms, std::string_view instance,
                         std::span<const std::uint8_t> reception);
// The receptions other instances added to the claim, in the order added.
std::vector<std::vector<std::uint8_t>> claim_receptions(Database& db, const FrameKey& key, std::int64_t claimed_at_ms,
                                                        std::string_view except_instance);
// Marks the claim `owner` holds settled: the frame is processed (stored or rejected). Call in the
// transaction that stores the frame, on its connection.
void settle_frame_claim(Database& db, const FrameKey& key, std::int64_t claimed_at_ms, std::string_view owner);

struct ClaimState {
  FrameKey key{};
  std::int64_t claimed_at_ms = 0;  // differs from the holder's: the claim was replaced (horizon)
  std::string owner;
  bool settled = false;
  // The owner's instance lock is held, by the run that made the claim: an owner restarted under
  // its name more than a second after the claim is not the run that claimed the frame.
  bool owner_live = false;
};
// The current claims of these frames, in no particular order; a key without a claim (pruned) is
// absent. One query per kMaxClaimStatesPerQuery keys. PostgreSQL only.
inline constexpr std::size_t kMaxClaimStatesPerQuery = 500;
std::vector<ClaimState> claim_states(Database& db, std::span<const FrameKey> keys);
// Takes the claim over from `dead_owner` for `instance`, if it is still that owner's, unsettled,
// with that claim time; true when this call took it (of several callers, one does).
bool take_over_claim(Database& db, const FrameKey& key, std::int64_t claimed_at_ms, std::string_view dead_owner,
                     std::string_view instance);
// Deletes claims and receptions older than `age_ms` by the database's clock; how many claims.
std::int64_t prune_frame_claims(Database& db, std::int64_t age_ms);

}  // namespace uchet::schema
