#pragma once
// Frame counters travel as 16 LSBs; these functions infer the full 32-bit value. They only
// infer: the caller verifies the MIC with the result and then rejects replays (full < next
// expected) and, for retransmissions, answers idempotently.
#include <cstdint>
#include <optional>

namespace uchet::lorawan {

struct FullFCnt {
  std::uint32_t fcnt = 0;
  // The frame repeats the last counter seen (an uplink retransmission / downlink duplicate).
  bool repeated = false;
  bool operator==(const FullFCnt&) const = default;
};

// Network side, FCntUp (ChirpStack's get_full_f_cnt_up). next_expected = last FCntUp + 1, or 0
// before any uplink of the session (then nothing can be a retransmission). A frame more than
// 2^16 - 1 counts ahead is indistinguishable from a replay and comes out as a jump forward.
FullFCnt reconstruct_fcnt_up(std::uint32_t next_expected, std::uint16_t fcnt16);

// Device side, FCntDown (LoRaMac-node): last_received is nullopt before the first downlink.
// Equal 16 bits mean a duplicate; smaller ones mean exactly one 16-bit roll-over.
FullFCnt reconstruct_fcnt_down(std::optional<std::uint32_t> last_received, std::uint16_t fcnt16);

}  // namespace uchet::lorawan
