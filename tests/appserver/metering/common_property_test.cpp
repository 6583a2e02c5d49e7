// common_property::allocate(): the ОДН share (Decree 354 items 44-48, Appendix 2). Every expected
// value is worked by hand in the comment above its check.
#include <catch2/catch.hpp>

#include "appserver/metering/common_property.h"

using namespace uchet::appserver::common_property;

namespace {

// Three premises, 100 m² in all: flat 1 (50 m², billed 30 m³), flat 2 (30 m², 20 m³) and the
// shop Н-1 (20 m², 10 m³; non-residential premises take part like flats). Σ V_premise = 60.
// Common property 300 m² with a norm of 0.1 m³/m² per month: cap = 0.1 × 300 = 30 m³.
Input house(std::optional<double> house_volume) {
  Input in;
  in.house_volume = house_volume;
  in.premises = {{"1", 50.0, 30.0}, {"2", 30.0, 20.0}, {"Н-1", 20.0, 10.0}};
  in.common_area_m2 = 300.0;
  in.norm_per_m2 = 0.1;
  return in;
}

void check_shares(const Allocation& a, double s1, double s2, double s3) {
  REQUIRE(a.shares.size() == 3);
  CHECK(a.shares[0] == Approx(s1));
  CHECK(a.shares[1] == Approx(s2));
  CHECK(a.shares[2] == Approx(s3));
}

}  // namespace

TEST_CASE("basis names") {
  CHECK(name(Basis::HouseMeter) == "odn");
  CHECK(name(Basis::HouseMeterCapped) == "odn_capped");
  CHECK(name(Basis::Negative) == "odn_negative");
  CHECK(name(Basis::Norm) == "odn_norm");
}

TEST_CASE("a difference under the cap is distributed whole by area") {
  // V = 80 − 60 = 20 <= cap 30: 20 × 50/100 = 10, 20 × 30/100 = 6, 20 × 20/100 = 4.
  auto a = allocate(house(80.0));
  REQUIRE(a);
  CHECK(a->basis == Basis::HouseMeter);
  CHECK(*a->difference == Approx(20.0));
  CHECK(*a->cap == Approx(30.0));
  CHECK(a->distributed == Approx(20.0));
  CHECK(a->total_area_m2 == Approx(100.0));
  check_shares(*a, 10.0, 6.0, 4.0);
}

TEST_CASE("a difference above the common-property norm is capped") {
  // V = 100 − 60 = 40 > cap 30: 30 distributed (10 stays with the managing organisation):
  // 30 × 0.5 = 15, 30 × 0.3 = 9, 30 × 0.2 = 6.
  auto a = allocate(house(100.0));
  REQUIRE(a);
  CHECK(a->basis == Basis::HouseMeterCapped);
  CHECK(*a->difference == Approx(40.0));
  CHECK(a->distributed == Approx(30.0));
  check_shares(*a, 15.0, 9.0, 6.0);
}

TEST_CASE("the owners' decision distributes the whole difference above the norm") {
  // V = 40, no cap: 40 × 0.5 = 20, 40 × 0.3 = 12, 40 × 0.2 = 8.
  auto in = house(100.0);
  in.owners_above_norm = true;
  auto a = allocate(in);
  REQUIRE(a);
  CHECK(a->basis == Basis::HouseMeter);
  CHECK(a->distributed == Approx(40.0));
  check_shares(*a, 20.0, 12.0, 8.0);

  // The decision makes the norm unnecessary.
  in.norm_per_m2.reset();
  in.common_area_m2.reset();
  auto b = allocate(in);
  REQUIRE(b);
  CHECK_FALSE(b->cap);
  check_shares(*b, 20.0, 12.0, 8.0);
}

TEST_CASE("a negative difference distributes nothing and is reported") {
  // V = 50 − 60 = −10: every share is 0, the −10 is not taken off the premises' own bills,
  // whatever the owners decided.
  for (bool owners : {false, true}) {
    auto in = house(50.0);
    in.owners_above_norm = owners;
    auto a = allocate(in);
    REQUIRE(a);
    CHECK(a->basis == Basis::Negative);
    CHECK(*a->difference == Approx(-10.0));
    CHECK(a->distributed == 0.0);
    check_shares(*a, 0.0, 0.0, 0.0);
  }
}

TEST_CASE("a difference of exactly zero distributes zero from the house meter") {
  auto a = allocate(house(60.0));
  REQUIRE(a);
  CHECK(a->basis == Basis::HouseMeter);
  check_shares(*a, 0.0, 0.0, 0.0);
}

TEST_CASE("without a house meter value the norm is distributed") {
  // Cap 0.1 × 300 = 30: 15, 9, 6 whatever the premises used.
  auto a = allocate(house(std::nullopt));
  REQUIRE(a);
  CHECK(a->basis == Basis::Norm);
  CHECK_FALSE(a->difference);
  CHECK(a->distributed == Approx(30.0));
  check_shares(*a, 15.0, 9.0, 6.0);
}

TEST_CASE("missing inputs are refused with a reason") {
  auto no_area = house(100.0);
  no_area.premises[1].area_m2.reset();
  auto a = allocate(no_area);
  REQUIRE_FALSE(a);
  CHECK(a.error() == "premise 2 has no area");

  auto no_volume = house(100.0);
  no_volume.premises[2].volume.reset();
  auto b = allocate(no_volume);
  REQUIRE_FALSE(b);
  CHECK(b.error() == "premise Н-1 has no billed volume");

  auto no_norm = house(100.0);
  no_norm.norm_per_m2.reset();
  auto c = allocate(no_norm);
  REQUIRE_FALSE(c);
  CHECK(c.error().find("common-property norm") != std::string::npos);

  auto nothing = house(std::nullopt);
  nothing.common_area_m2.reset();
  CHECK_FALSE(allocate(nothing));

  Input empty;
  empty.house_volume = 10.0;
  CHECK_FALSE(allocate(empty));
}
