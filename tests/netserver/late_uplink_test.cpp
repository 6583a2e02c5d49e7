// Known answers for the skipped-counter list that tells a late frame of several instances from a
// replay (netserver/late_uplink.h), and its round trip through the MAC state's JSON.
#include <catch2/catch.hpp>

#include "netserver/late_uplink.h"
#include "netserver/mac_state.h"

using namespace uchet::netserver;

TEST_CASE("a frame that skips counters records each with its claim time") {
  std::vector<SkippedFCnt> skipped;
  record_skipped(skipped, 10, 10, 5'000);  // the expected counter: nothing skipped
  CHECK(skipped.empty());
  record_skipped(skipped, 11, 14, 6'000);  // 11, 12 and 13 skipped by the frame claimed at 6 s
  CHECK(skipped == std::vector<SkippedFCnt>{{11, 6'000}, {12, 6'000}, {13, 6'000}});
  record_skipped(skipped, 15, 15, 7'000);
  CHECK(skipped.size() == 3);
}

TEST_CASE("a counter is taken late only by a frame claimed before the frame that skipped it, and once") {
  std::vector<SkippedFCnt> skipped{{7, 10'000}};
  CHECK_FALSE(take_late(skipped, 7, 10'000));  // claimed at the same moment: not before it
  CHECK_FALSE(take_late(skipped, 7, 12'000));  // claimed after it: a replay
  CHECK_FALSE(take_late(skipped, 6, 9'000));   // never skipped (stored, or older than the list)
  CHECK(skipped.size() == 1);
  CHECK(take_late(skipped, 7, 9'990));  // on its way through another instance: late
  CHECK(skipped.empty());
  CHECK_FALSE(take_late(skipped, 7, 9'990));  // the same frame again: stored already
}

TEST_CASE("the skipped list keeps the newest counters and forgets them after the TTL") {
  std::vector<SkippedFCnt> skipped;
  // A gap wider than the list: only the newest counters below the frame are kept.
  record_skipped(skipped, 0, 100, 1'000);
  REQUIRE(skipped.size() == kMaxSkippedFCnts);
  CHECK(skipped.front().f_cnt == 100 - kMaxSkippedFCnts);
  CHECK(skipped.back().f_cnt == 99);
  // A later gap pushes the oldest out.
  record_skipped(skipped, 101, 103, 2'000);
  REQUIRE(skipped.size() == kMaxSkippedFCnts);
  CHECK(skipped.back() == SkippedFCnt{102, 2'000});
  CHECK(skipped[skipped.size() - 2] == SkippedFCnt{101, 2'000});
  // Any claimed frame past the TTL of an entry forgets it, gap or not.
  record_skipped(skipped, 103, 103, 2'000 + kSkippedFCntTtlMs);
  CHECK(skipped == std::vector<SkippedFCnt>{{101, 2'000}, {102, 2'000}});
  record_skipped(skipped, 104, 104, 2'001 + kSkippedFCntTtlMs);
  CHECK(skipped.empty());
}

TEST_CASE("the skipped list survives the MAC state's JSON; malformed entries are left out") {
  MacState state;
  state.skipped_f_cnts = {{41, 1'765'000'000'123}, {4'294'967'295u, 5}};
  const auto json = to_json(state);
  CHECK(parse_mac_state(json).skipped_f_cnts == state.skipped_f_cnts);
  CHECK(to_json(MacState{}).find("skipped") == std::string::npos);  // nothing written when empty
  const auto parsed = parse_mac_state(R"({"skipped":[[1,2],[3],"x",[-1,5],[4294967296,5],[6,"7"],[8,9,10],[11,12]]})");
  CHECK(parsed.skipped_f_cnts == std::vector<SkippedFCnt>{{1, 2}, {11, 12}});
}
