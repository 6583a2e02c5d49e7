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
