// Contract: the EN 1434-3 fixed data structure (CI 0x73) that older heat meters answer with:
// two 32-bit counters, each with a 6-bit unit code, BCD or binary as the status byte says.
// The counters come back as ordinary Records so the normalised mapping is shared with the
// variable data structure.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include "codecs/mbus_records.h"

namespace uchet::codecs::mbus {

// `body` is the 10 bytes after ID/access/status: unit1, unit2, counter1(4), counter2(4).
std::expected<std::vector<Record>, std::string> decode_fixed_counters(std::span<const std::uint8_t> body,
                                                                      std::uint8_t status);

}  // namespace uchet::codecs::mbus
