#include "schema/frame_claims.h"

#include <openssl/evp.h>

#include <algorithm>

#include "schema/instances.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

// The database server's clock in Unix milliseconds: no common form in the two dialects.
std::string now_ms(const Database& db) {
  return db.dialect() == Dialect::postgresql ? "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
                                             : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
}

}  // namespace

FrameKey frame_key(std::span<const std::uint8_t> phy_payload) {
  FrameKey key{};
  unsigned int size = 0;
  if (EVP_Digest(phy_payload.data(), phy_payload.size(), key.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != key.size())
    throw StorageError("SHA-256 of a frame failed");
  return key;
}

Database open_claims(const std::string& location) {
  auto db = Database::open_raw(location);
  if (db.dialect() != Dialect::postgresql) throw StorageError("frame claims are made on PostgreSQL only");
  db.exec("SET synchronous_commit = off");
  return db;
}

FrameClaim claim_frame(Database& db, const FrameKey& key, std::string_view instance, std::int64_t horizon_ms) {
  // Always a row back (an upsert that keeps a live claim as it is), so owner or loser learns the
  // claim in one round trip; the row lock it takes makes concurrent claims wait for each other.
  const std::string now = now_ms(db);
  Statement q(db, "INSERT INTO frame_claim (frame_key, instance, claimed_at_ms) VALUES (?, ?, " + now +
                      ") ON CONFLICT (frame_key) DO UPDATE SET "
                      "instance = CASE WHEN frame_claim.claimed_at_ms < excluded.claimed_at_ms - ? "
                      "THEN excluded.instance ELSE frame_claim.instance END, "
                      "claimed_at_ms = CASE WHEN frame_claim.claimed_at_ms < excluded.claimed_at_ms - ? "
                      "THEN excluded.claimed_at_ms ELSE frame_claim.claimed_at_ms END, "
                      "settled = CASE WHEN frame_claim.claimed_at_ms < excluded.claimed_at_ms - ? "
                      "THEN 0 ELSE frame_claim.settled END "
                      "RETURNING instance, claimed_at_ms");
  q.bind_blob(1, std::span<const std::uint8_t>(key))
      .bind(2, instance)
      .bind(3, horizon_ms)
      .bind(4, horizon_ms)
      .bind(5, horizon_ms);
  if (!q.step()) throw StorageError("frame claim returned no row");
  FrameClaim claim{q.text(0), q.int64(1)};
  while (q.step()) {}
  return claim;
}

void add_claim_reception(Database& db, const FrameKey& key, std::int64_t claimed_at_ms, std::string_view instance,
                         std::span<const std::uint8_t> reception) {
  Statement(db, "INSERT INTO frame_claim_reception (frame_key, claimed_at_ms, instance, reception) VALUES (?, ?, ?, ?)")
      .bind_blob(1, std::span<const std::uint8_t>(key))
      .bind(2, claimed_at_ms)
      .bind(3, instance)
      .bind_blob(4, reception)
      .run();
}

std::vector<std::vector<std::uint8_t>> claim_receptions(Database& db, const FrameKey& key, std::int64_t claimed_at_ms,
                                                        std::string_view except_instance) {
  Statement q(db,
              "SELECT reception FROM frame_claim_reception WHERE frame_key = ? AND claimed_at_ms = ? AND "
              "instance <> ? ORDER BY id");
  q.bind_blob(1, std::span<const std::uint8_t>(key)).bind(2, claimed_at_ms).bind(3, except_instance);
  std::vector<std::vector<std::uint8_t>> out;
  while (q.step()) out.push_back(q.blob(0));
  return out;
}

void settle_frame_claim(Database& db, const FrameKey& key, std::int64_t claimed_at_ms, std::string_view owner) {
  Statement(db, "UPDATE frame_claim SET settled = 1 WHERE frame_key = ? AND claimed_at_ms = ? AND instance = ?")
      .bind_blob(1, std::span<const std::uint8_t>(key))
      .bind(2, claimed_at_ms)
      .bind(3, owner)
      .run();
}

std::vector<ClaimState> claim_states(Database& db, std::span<const FrameKey> keys) {
  if (db.dialect() != Dialect::postgresql) throw StorageError("frame claims are read on PostgreSQL only");
  std::vector<ClaimState> out;
  for (std::size_t first = 0; first < keys.size(); first += kMaxClaimStatesPerQuery) {
    const auto chunk = keys.subspan(first, std::min(kMaxClaimStatesPerQuery, keys.size() - first));
    std::string in;
    for (std::size_t i = 0; i < chunk.size(); ++i) in += i == 0 ? "?" : ", ?";
    // The live instances are found once per query (a materialised CTE), not per claim. An owner
    // whose current run started more than a second after the claim was restarted since: the run
    // that claimed the frame is dead (started_at is the host's clock, whole seconds; claim times
    // the database's, so the hosts' clocks must be synchronised, as for relayed downlinks).
    Statement q(db,
                "WITH live AS MATERIALIZED (SELECT i.name, i.started_at FROM uchet_instance i WHERE " +
                    instance_live_condition("i.name") +
                    ") SELECT c.frame_key, c.claimed_at_ms, c.instance, c.settled, EXISTS (SELECT 1 FROM live WHERE "
                    "live.name = c.instance AND live.started_at * 1000 <= c.claimed_at_ms + 1000) FROM frame_claim c "
                    "WHERE c.frame_key IN (" +
                    in + ")");
    for (std::size_t i = 0; i < chunk.size(); ++i)
      q.bind_blob(static_cast<int>(i + 1), std::span<const std::uint8_t>(chunk[i]));
    while (q.step()) {
      ClaimState state;
      const auto key = q.blob(0);
      if (key.size() != state.key.size()) throw StorageError("frame claim with a key that is no SHA-256");
      std::copy(key.begin(), key.end(), state.key.begin());
      state.claimed_at_ms = q.int64(1);
      state.owner = q.text(2);
      state.settled = q.int64(3) != 0;
      state.owner_live = q.int64(4) != 0;
      out.push_back(std::move(state));
    }
  }
  return out;
}

bool take_over_claim(Database& db, const FrameKey& key, std::int64_t claimed_at_ms, std::string_view dead_owner,
                     std::string_view instance) {
  Statement(db,
            "UPDATE frame_claim SET instance = ? WHERE frame_key = ? AND claimed_at_ms = ? AND instance = ? AND "
            "settled = 0")
      .bind(1, instance)
      .bind_blob(2, std::span<const std::uint8_t>(key))
      .bind(3, claimed_at_ms)
      .bind(4, dead_owner)
      .run();
  return db.changes() == 1;
}

std::int64_t prune_frame_claims(Database& db, std::int64_t age_ms) {
  const std::string now = now_ms(db);
  Statement(db, "DELETE FROM frame_claim_reception WHERE claimed_at_ms < " + now + " - ?").bind(1, age_ms).run();
  Statement(db, "DELETE FROM frame_claim WHERE claimed_at_ms < " + now + " - ?").bind(1, age_ms).run();
  return db.changes();
}

}  // namespace uchet::schema
