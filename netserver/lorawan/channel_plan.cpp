#include "netserver/lorawan/channel_plan.h"

namespace uchet::lorawan {

std::uint8_t channel_index(const Region& region, std::span<const std::uint32_t> extra_hz, std::uint32_t frequency_hz) {
  const auto defaults = region.default_channels();
  for (std::size_t i = 0; i < defaults.size(); ++i)
    if (defaults[i].frequency_hz == frequency_hz) return static_cast<std::uint8_t>(i);
  for (std::size_t k = 0; k < extra_hz.size(); ++k)
    if (extra_hz[k] != 0 && extra_hz[k] == frequency_hz)
      return static_cast<std::uint8_t>(region.first_cf_list_channel() + k);
  return 0;
}

std::uint16_t channel_mask(const Region& region, std::span<const std::uint32_t> extra_hz) {
  std::uint32_t mask = (1u << region.default_channels().size()) - 1;
  for (std::size_t k = 0; k < extra_hz.size(); ++k)
    if (extra_hz[k] != 0) mask |= 1u << (region.first_cf_list_channel() + k);
  return static_cast<std::uint16_t>(mask);
}

std::optional<NewChannelReq> next_channel_change(const Region& region, std::span<const std::uint32_t> device_hz,
                                                 std::span<const std::uint32_t> wanted_hz) {
  for (std::size_t k = 0; k < kCfListFrequencies; ++k) {
    const std::uint32_t have = k < device_hz.size() ? device_hz[k] : 0;
    const std::uint32_t want = k < wanted_hz.size() ? wanted_hz[k] : 0;
    if (have != want)
      return NewChannelReq{static_cast<std::uint8_t>(region.first_cf_list_channel() + k), want, 0,
                           region.max_adr_data_rate()};
  }
  return std::nullopt;
}

}  // namespace uchet::lorawan
