// NewChannelReq / NewChannelAns: one missing configured channel per downlink when it fits
// into FOpts; an accepted channel joins the device's channels.
#include <catch2/catch.hpp>

#include "netserver/maccommand/new_channel.h"
#include "netserver/maccommand/retry.h"

using namespace uchet;
using namespace uchet::netserver;

TEST_CASE("NewChannelReq asks for a missing configured channel, and an accepted answer records it") {
  const auto region = *lorawan::region_by_name("RU864");
  const std::vector<std::uint32_t> configured{868'500'000};
  MacState mac;
  const std::vector<lorawan::DownlinkMacCommand> none;
  auto req = maccommand::new_channel_request(region, configured, none, mac, 10'000);
  REQUIRE(req);
  CHECK(req->frequency_hz == 868'500'000);
  REQUIRE(mac.pending_new_channel);
  CHECK(mac.pending_new_channel->slot == req->ch_index - static_cast<int>(region.first_cf_list_channel()));
  CHECK(mac.new_channel_requested_at == 10'000);
  CHECK_FALSE(
      maccommand::new_channel_request(region, configured, none, mac, 10'000 + maccommand::kMacRequestRetryS - 1));

  maccommand::on_new_channel_ans(lorawan::NewChannelAns{true, true}, mac);
  CHECK(mac.extra_channels == configured);
  CHECK(mac.new_channel_requested_at == 0);
  CHECK_FALSE(mac.pending_new_channel);
  CHECK_FALSE(maccommand::new_channel_request(region, configured, none, mac, 10'001));  // nothing missing
}

TEST_CASE("NewChannelAns refusing leaves the channels, and a full FOpts defers the request") {
  const auto region = *lorawan::region_by_name("RU864");
  const std::vector<std::uint32_t> configured{868'500'000};
  MacState mac;
  const std::vector<lorawan::DownlinkMacCommand> none;
  REQUIRE(maccommand::new_channel_request(region, configured, none, mac, 10'000));
  maccommand::on_new_channel_ans(lorawan::NewChannelAns{true, false}, mac);
  CHECK(mac.extra_channels.empty());
  CHECK(mac.new_channel_requested_at == 10'000);  // asked again after the retry interval
  CHECK_FALSE(mac.pending_new_channel);
  maccommand::on_new_channel_ans(lorawan::NewChannelAns{true, true}, mac);  // nothing pending
  CHECK(mac.extra_channels.empty());

  // 10 bytes used: 10 + 6 > 15.
  const std::vector<lorawan::DownlinkMacCommand> busy{lorawan::LinkADRReq{}, lorawan::RXParamSetupReq{}};
  MacState fresh;
  CHECK_FALSE(maccommand::new_channel_request(region, configured, busy, fresh, 10'000));
  CHECK_FALSE(fresh.pending_new_channel);
}
