// house_balance(): building against premises per interval, with coverage and estimate reporting.
#include <catch2/catch.hpp>

#include "appserver/metering/balance.h"

using namespace uchet::appserver;

namespace {

PointInterval measured(double v) { return {0, 86400, v, ValueSource::Measured}; }
PointInterval estimated(double v, ValueSource rule) { return {0, 86400, v, rule}; }
PointInterval missing() { return {0, 86400, std::nullopt, ValueSource::Missing}; }

}  // namespace

TEST_CASE("balance of one interval: building 10, premises 3 + 4.5 -> imbalance 2.5 = 25 %") {
  std::vector<PointRow> building = {{"odpu", {measured(10)}}};
  std::vector<PointRow> premises = {{"kv1", {measured(3)}}, {"kv2", {measured(4.5)}}};
  auto rows = house_balance(building, premises);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].start == 0);
  CHECK(rows[0].end == 86400);
  CHECK(*rows[0].building == Approx(10));
  CHECK(rows[0].premises == Approx(7.5));
  CHECK(*rows[0].imbalance == Approx(2.5));
  CHECK(*rows[0].imbalance_pct == Approx(25));
  CHECK(rows[0].premise_points == 2);
  CHECK(rows[0].premise_points_measured == 2);
  CHECK(rows[0].estimated.empty());
  CHECK(rows[0].missing.empty());
}

TEST_CASE("estimated premise values count in the sum but not in coverage, and name their rule") {
  std::vector<PointRow> building = {{"odpu", {measured(10)}}};
  std::vector<PointRow> premises = {{"kv1", {measured(3)}},
                                    {"kv2", {estimated(2, ValueSource::Linear)}},
                                    {"kv3", {estimated(1, ValueSource::LikeDay)}},
                                    {"kv4", {missing()}}};
  auto rows = house_balance(building, premises);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].premises == Approx(6));
  CHECK(*rows[0].imbalance == Approx(4));
  CHECK(rows[0].premise_points == 4);
  CHECK(rows[0].premise_points_measured == 1);
  REQUIRE(rows[0].estimated.size() == 2);
  CHECK(rows[0].estimated[0].point == "kv2");
  CHECK(rows[0].estimated[0].rule == ValueSource::Linear);
  CHECK(rows[0].estimated[1].point == "kv3");
  CHECK(rows[0].estimated[1].rule == ValueSource::LikeDay);
  CHECK(rows[0].missing == std::vector<std::string>{"kv4"});
}

TEST_CASE("without a building value there is no imbalance, and two building meters add up") {
  std::vector<PointRow> premises = {{"kv1", {measured(3), measured(3)}}};
  std::vector<PointRow> building = {{"odpu-a", {measured(2), missing()}}, {"odpu-b", {measured(4), measured(5)}}};
  auto rows = house_balance(building, premises);
  REQUIRE(rows.size() == 2);
  CHECK(*rows[0].building == Approx(6));
  CHECK(*rows[0].imbalance == Approx(3));
  CHECK(*rows[0].imbalance_pct == Approx(50));
  CHECK_FALSE(rows[1].building);
  CHECK_FALSE(rows[1].imbalance);
  CHECK_FALSE(rows[1].imbalance_pct);
  CHECK(rows[1].missing == std::vector<std::string>{"odpu-a"});
}

TEST_CASE("a building meter reading zero gives an imbalance but no percentage") {
  std::vector<PointRow> building = {{"odpu", {measured(0)}}};
  std::vector<PointRow> premises = {{"kv1", {measured(0.5)}}};
  auto rows = house_balance(building, premises);
  CHECK(*rows[0].imbalance == Approx(-0.5));
  CHECK_FALSE(rows[0].imbalance_pct);
}

TEST_CASE("an estimated building value is marked") {
  std::vector<PointRow> building = {{"odpu", {estimated(8, ValueSource::LikeDay)}}};
  std::vector<PointRow> premises = {{"kv1", {measured(6)}}};
  auto rows = house_balance(building, premises);
  CHECK(rows[0].building_estimated);
  CHECK(*rows[0].imbalance == Approx(2));
  CHECK(rows[0].estimated.size() == 1);
}
