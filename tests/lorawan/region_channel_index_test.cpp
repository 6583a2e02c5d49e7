#include <catch2/catch.hpp>

#include "netserver/lorawan/region.h"

TEST_CASE("the 1.1 MIC's TxCh is the position among the default channels") {
  auto ru = uchet::lorawan::region_by_name("RU864");
  REQUIRE(ru);
  CHECK(ru->uplink_channel_index(868'900'000) == 0);
  CHECK(ru->uplink_channel_index(869'100'000) == 1);
  CHECK(ru->uplink_channel_index(864'100'000) == 0);
  auto eu = uchet::lorawan::region_by_name("EU868");
  REQUIRE(eu);
  CHECK(eu->uplink_channel_index(868'500'000) == 2);
}
