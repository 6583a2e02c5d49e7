// A gateway's saved downlink figures: a save replaces them all, or (for a gateway whose downlink
// path another instance holds) all but the airtime ones, whose save time is read apart.
#include <catch2/catch.hpp>

#include "schema/database.h"
#include "schema/gateway_downlink_figures.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet::schema;

namespace {

constexpr uchet::lorawan::Eui64 kGateway = 0xAA555A0000000001;

std::int64_t figure(const GatewayDownlinkFigures& saved, const std::string& name) {
  for (const auto& [n, value] : saved.figures)
    if (n == name) return value;
  return -1;
}

}  // namespace

TEST_CASE("a save without airtime keeps the airtime another instance saved, with its own save time") {
  uchet::test::TempDir dir;
  auto db = Database::open(uchet::test::test_database_location(dir.path()));
  CHECK_FALSE(find_gateway_downlink_figures(db, kGateway));
  // The holder of the gateway's path: counters and airtime.
  save_gateway_downlink_figures(db, kGateway, 1'000, {{"planned", 9}, {"airtime_us.868.7-869.2", 30'000'000}});
  auto saved = find_gateway_downlink_figures(db, kGateway);
  REQUIRE(saved);
  CHECK(saved->updated_at == 1'000);
  CHECK(saved->airtime_saved_at == 1'000);

  // Another instance that only decided for it: its counters replace, its airtime is left out.
  save_gateway_downlink_figures(db, kGateway, 1'030,
                                {{"planned", 2}, {"refused.duty_cycle", 1}, {"airtime_us.868.7-869.2", 2'000'000}},
                                /*airtime=*/false);
  saved = find_gateway_downlink_figures(db, kGateway);
  REQUIRE(saved);
  CHECK(saved->figures.size() == 3);
  CHECK(figure(*saved, "planned") == 2);
  CHECK(figure(*saved, "refused.duty_cycle") == 1);
  CHECK(figure(*saved, "airtime_us.868.7-869.2") == 30'000'000);
  CHECK(saved->updated_at == 1'030);
  CHECK(saved->airtime_saved_at == 1'000);

  // A full save replaces everything again.
  save_gateway_downlink_figures(db, kGateway, 1'060, {{"planned", 10}, {"airtime_us.868.7-869.2", 31'000'000}});
  saved = find_gateway_downlink_figures(db, kGateway);
  REQUIRE(saved);
  CHECK(saved->figures.size() == 2);
  CHECK(figure(*saved, "airtime_us.868.7-869.2") == 31'000'000);
  CHECK(saved->airtime_saved_at == 1'060);
}
