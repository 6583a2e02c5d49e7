#include <catch2/catch.hpp>

#include "netserver/lorawan/channel_plan.h"

TEST_CASE("without extra channels the 1.1 MIC's TxCh is the position among the default channels") {
  auto ru = uchet::lorawan::region_by_name("RU864");
  REQUIRE(ru);
  CHECK(uchet::lorawan::channel_index(*ru, {}, 868'900'000) == 0);
  CHECK(uchet::lorawan::channel_index(*ru, {}, 869'100'000) == 1);
  CHECK(uchet::lorawan::channel_index(*ru, {}, 864'100'000) == 0);
  auto eu = uchet::lorawan::region_by_name("EU868");
  REQUIRE(eu);
  CHECK(uchet::lorawan::channel_index(*eu, {}, 868'500'000) == 2);
}
