#include "netserver/lorawan/channel_plan.h"

namespace uchet::lorawan {

std::uint8_t channel_index(const Region& region, std::span<const std::uint32_t> extra_hz, std::uint32_t frequency_hz) {
  const auto defaults = region.default_channels();
  for (std::size_t i = 0; i < defaults.size(); ++i)
    if (defaults[i].frequency_hz == frequency_hz) return static_cast<std::uint8_t>(i);
  for (std::size_t k = 0; k < extra_hz.size(); ++k)
    if (extra_hz[k] == frequency_hz) return static_cast<std::uint8_t>(region.first_cf_list_channel() + k);
  return 0;
}

std::uint16_t channel_mask(const Region& region, std::span<const std::uint32_t> extra_hz) {
  std::uint32_t mask = (1u << region.default_channels().size()) - 1;
  for (std::size_t k = 0; k < extra_hz.size(); ++k) mask |= 1u << (region.first_cf_list_channel() + k);
  return static_cast<std::uint16_t>(mask);
}

}  // namespace uchet::lorawan
