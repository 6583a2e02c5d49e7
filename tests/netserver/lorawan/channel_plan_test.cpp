// Channel indexes and masks of a device with the region's default channels plus CFList extras.
#include <catch2/catch.hpp>

#include "netserver/lorawan/channel_plan.h"

using namespace uchet;

TEST_CASE("channel plan: RU864 has 2 default channels, CFList extras from index 2") {
  auto region = *lorawan::region_by_name("RU864");
  const std::vector<std::uint32_t> extras = {864100000, 864300000, 864500000, 864700000, 864900000};
  CHECK(lorawan::channel_index(region, extras, 868900000) == 0);
  CHECK(lorawan::channel_index(region, extras, 869100000) == 1);
  CHECK(lorawan::channel_index(region, extras, 864100000) == 2);
  CHECK(lorawan::channel_index(region, extras, 864900000) == 6);
  CHECK(lorawan::channel_index(region, extras, 866000000) == 0);  // unknown: as the region does
  CHECK(lorawan::channel_mask(region, extras) == 0x007F);         // channels 0..6
  CHECK(lorawan::channel_mask(region, {}) == 0x0003);             // a device without a CFList
}

TEST_CASE("channel plan: EU868 has 3 default channels, CFList extras from index 3") {
  auto region = *lorawan::region_by_name("EU868");
  const std::vector<std::uint32_t> extras = {867100000, 867300000};
  CHECK(lorawan::channel_index(region, extras, 868500000) == 2);
  CHECK(lorawan::channel_index(region, extras, 867300000) == 4);
  CHECK(lorawan::channel_mask(region, extras) == 0x001F);  // 0, 1, 2 + 3, 4
  CHECK(lorawan::channel_mask(region, {}) == 0x0007);
}

TEST_CASE("channel plan: the next NewChannelReq sets the first differing slot") {
  auto region = *lorawan::region_by_name("RU864");
  const std::vector<std::uint32_t> wanted = {864100000, 864300000, 864500000, 864700000, 864900000};
  // An ABP device without extra channels: slot 0 = channel 2 first.
  auto first = lorawan::next_channel_change(region, {}, wanted);
  REQUIRE(first);
  CHECK(*first == lorawan::NewChannelReq{2, 864100000, 0, 5});
  // Three of five known: slot 3 = channel 5.
  const std::vector<std::uint32_t> three = {864100000, 864300000, 864500000};
  CHECK(*lorawan::next_channel_change(region, three, wanted) == lorawan::NewChannelReq{5, 864700000, 0, 5});
  // A channel the configuration no longer has is removed (frequency 0).
  CHECK(*lorawan::next_channel_change(region, wanted, three) == lorawan::NewChannelReq{5, 0, 0, 5});
  CHECK_FALSE(lorawan::next_channel_change(region, wanted, wanted));
  // Empty slots are skipped by the mask and the index.
  const std::vector<std::uint32_t> gap = {864100000, 0, 864500000};
  CHECK(lorawan::channel_mask(region, gap) == 0b10111);
  CHECK(lorawan::channel_index(region, gap, 864500000) == 4);
}
