#include "netserver/maccommand/new_channel.h"

#include "netserver/lorawan/channel_plan.h"
#include "netserver/lorawan/data_frame.h"
#include "netserver/maccommand/retry.h"

namespace uchet::netserver::maccommand {

void on_new_channel_ans(const lorawan::NewChannelAns& answer, MacState& mac) {
  if (!mac.pending_new_channel) return;
  if (answer.channel_frequency_ok && answer.data_rate_range_ok) {
    const auto slot = static_cast<std::size_t>(mac.pending_new_channel->slot);
    if (mac.extra_channels.size() <= slot) mac.extra_channels.resize(slot + 1, 0);
    mac.extra_channels[slot] = mac.pending_new_channel->frequency_hz;
    while (!mac.extra_channels.empty() && mac.extra_channels.back() == 0) mac.extra_channels.pop_back();
    mac.new_channel_requested_at = 0;  // accepted: the next channel may be asked at once
  }
  mac.pending_new_channel.reset();
}

std::optional<lorawan::NewChannelReq> new_channel_request(const lorawan::Region& region,
                                                          const std::vector<std::uint32_t>& configured_hz,
                                                          std::span<const lorawan::DownlinkMacCommand> answers,
                                                          MacState& mac, std::int64_t now_unix) {
  if (now_unix - mac.new_channel_requested_at < kMacRequestRetryS) return std::nullopt;
  auto change = lorawan::next_channel_change(region, mac.extra_channels, configured_hz);
  if (!change) return std::nullopt;
  const auto used = lorawan::encode_mac_commands(answers).size();
  if (used + 1 + lorawan::NewChannelReq::kPayloadSize > lorawan::kMaxFOptsSize) return std::nullopt;
  mac.pending_new_channel =
      PendingNewChannel{change->ch_index - static_cast<int>(region.first_cf_list_channel()), change->frequency_hz};
  mac.new_channel_requested_at = now_unix;
  return change;
}

}  // namespace uchet::netserver::maccommand
