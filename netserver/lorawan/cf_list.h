#pragma once
// The CFList of a join-accept, type 0 (dynamic channel plans such as EU868 and RU864): five
// 24-bit frequencies in 100 Hz steps, 0 meaning "no channel", then CFListType 0x00.
// Region::build_cf_list() adds the band check.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

using CfList = std::array<std::uint8_t, 16>;
inline constexpr std::size_t kCfListFrequencies = 5;

// At most five frequencies, each a multiple of 100 Hz below 1.6777216 GHz.
Result<CfList> build_cf_list(std::span<const std::uint32_t> frequencies_hz);
// Frequencies in order, 0 for unused slots; fails for a CFListType other than 0.
Result<std::array<std::uint32_t, kCfListFrequencies>> parse_cf_list(const CfList& cf_list);

}  // namespace uchet::lorawan
