#include "netserver/lorawan/fcnt.h"

namespace uchet::lorawan {

FullFCnt reconstruct_fcnt_up(std::uint32_t next_expected, std::uint16_t fcnt16) {
  if (next_expected != 0 && fcnt16 == static_cast<std::uint16_t>(next_expected - 1)) {
    return {next_expected - 1, true};
  }
  // Unsigned 16-bit subtraction is the forward distance modulo 2^16.
  const auto gap = static_cast<std::uint16_t>(fcnt16 - static_cast<std::uint16_t>(next_expected));
  return {next_expected + gap, false};
}

FullFCnt reconstruct_fcnt_down(std::optional<std::uint32_t> last_received, std::uint16_t fcnt16) {
  if (!last_received) return {fcnt16, false};
  const std::uint32_t last = *last_received;
  const auto last16 = static_cast<std::uint16_t>(last);
  if (fcnt16 == last16) return {last, true};
  if (fcnt16 > last16) return {last + (fcnt16 - last16), false};
  return {(last & 0xFFFF0000u) + 0x10000u + fcnt16, false};
}

}  // namespace uchet::lorawan
