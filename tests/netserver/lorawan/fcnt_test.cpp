// 16 -> 32-bit frame counter inference.
#include <catch2/catch.hpp>

#include "netserver/lorawan/fcnt.h"

using namespace uchet::lorawan;

TEST_CASE("The first uplink of a session takes its 16 bits as the full FCntUp") {
  CHECK(reconstruct_fcnt_up(0, 0) == FullFCnt{0, false});
  CHECK(reconstruct_fcnt_up(0, 5) == FullFCnt{5, false});
  CHECK(reconstruct_fcnt_up(0, 0xFFFF) == FullFCnt{0xFFFF, false});
}

TEST_CASE("An uplink repeating the last FCntUp is flagged as a retransmission") {
  CHECK(reconstruct_fcnt_up(11, 10) == FullFCnt{10, true});
  CHECK(reconstruct_fcnt_up(0x10000, 0xFFFF) == FullFCnt{0xFFFF, true});
  CHECK(reconstruct_fcnt_up(0x12345, 0x2344) == FullFCnt{0x12344, true});
}

TEST_CASE("FCntUp moving forward keeps the high bits and rolls over into the next 2^16 block") {
  CHECK(reconstruct_fcnt_up(11, 11) == FullFCnt{11, false});
  CHECK(reconstruct_fcnt_up(11, 20) == FullFCnt{20, false});
  CHECK(reconstruct_fcnt_up(0xFFFE, 0x0001) == FullFCnt{0x10001, false});
  CHECK(reconstruct_fcnt_up(0x1FFFF, 0x0000) == FullFCnt{0x20000, false});
  CHECK(reconstruct_fcnt_up(70000, 70000 & 0xFFFF) == FullFCnt{70000, false});
}

TEST_CASE("An old uplink comes out as a jump of almost 2^16 for the caller to judge") {
  // next 100, received 50: 50 + 2^16 is ahead, the MIC check with that value fails for a replay.
  CHECK(reconstruct_fcnt_up(100, 50) == FullFCnt{0x10000 + 50, false});
}

TEST_CASE("FCntUp reconstruction wraps at 2^32") {
  CHECK(reconstruct_fcnt_up(0xFFFFFFFF, 0x0000) == FullFCnt{0, false});
}

TEST_CASE("The device infers FCntDown from the last downlink it received") {
  CHECK(reconstruct_fcnt_down(std::nullopt, 7) == FullFCnt{7, false});
  CHECK(reconstruct_fcnt_down(5, 6) == FullFCnt{6, false});
  CHECK(reconstruct_fcnt_down(5, 5) == FullFCnt{5, true});
  CHECK(reconstruct_fcnt_down(0x1FFFE, 0x0001) == FullFCnt{0x20001, false});
  CHECK(reconstruct_fcnt_down(0x10005, 0x0009) == FullFCnt{0x10009, false});
}
