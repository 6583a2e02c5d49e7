// billing::bill(): Decree 354 items 59-60 (average for a limited run of months, then the norm) as
// dated rules. Every expected value is worked by hand in the comment above its check.
#include <catch2/catch.hpp>

#include "appserver/metering/billing_rules.h"

using namespace uchet::appserver::billing;

namespace {

// Month `index` starts at index × 1000 "seconds": only the order matters for rule selection.
Month valid(int index, double measured, int days = 30) {
  return {index * 1000, days, days, measured, std::nullopt, std::nullopt, true};
}
Month partial(int index, int valid_days, double measured, std::optional<double> norm, int days = 30) {
  return {index * 1000, days, valid_days, measured, norm, std::nullopt, true};
}
Month failed(int index, std::optional<double> norm, int days = 30) { return partial(index, 0, 0, norm, days); }

// Fully valid months 0, 1, ... measuring the given values, oldest first.
std::vector<Month> history(std::initializer_list<double> values) {
  std::vector<Month> months;
  int i = 0;
  for (double v : values) months.push_back(valid(i++, v));
  return months;
}

const std::vector<Rule> kNoRules;

}  // namespace

TEST_CASE("billing method names") {
  CHECK(name(Method::Measured) == "measured");
  CHECK(name(Method::Average) == "average");
  CHECK(name(Method::Norm) == "norm");
  CHECK(name(Method::Calculated) == "calculated");
}

TEST_CASE("every month fully valid is billed as measured") {
  auto months = history({3.0, 3.1, 2.9});
  auto billed = bill(months, true, kNoRules);
  REQUIRE(billed.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(billed[i].method == Method::Measured);
    CHECK(*billed[i].value == Approx(months[i].measured));
    CHECK(billed[i].period_in_run == 0);
    CHECK_FALSE(billed[i].average);
  }
}

TEST_CASE("residential meter failing mid-month is billed by average for three periods then by the norm") {
  // History 3 3 3 3 3 3 -> average 3. Month 6: 15 of 30 days valid, 1.5 measured:
  // 1.5 + 3 x 15/30 = 3.0 (period 1). Months 7 and 8 fully invalid: 3 x 30/30 = 3.0 (periods 2, 3).
  // Month 9: limit of 3 used up -> norm 7 x 30/30 = 7.0 (period 4).
  auto months = history({3, 3, 3, 3, 3, 3});
  months.push_back(partial(6, 15, 1.5, 7.0));
  months.push_back(failed(7, 7.0));
  months.push_back(failed(8, 7.0));
  months.push_back(failed(9, 7.0));
  auto billed = bill(months, true, kNoRules);
  REQUIRE(billed.size() == 10);
  for (int i = 6; i <= 8; ++i) {
    INFO(i);
    CHECK(billed[i].method == Method::Average);
    CHECK(*billed[i].value == Approx(3.0));
    CHECK(*billed[i].average == Approx(3.0));
    CHECK(billed[i].period_in_run == i - 5);
  }
  CHECK(billed[9].method == Method::Norm);
  CHECK(*billed[9].value == Approx(7.0));
  CHECK_FALSE(billed[9].average);
  CHECK(billed[9].period_in_run == 4);
}

TEST_CASE("partial month of 31 days adds the average for the invalid days only") {
  // History 2 3 4 5 6 4 -> average 24/6 = 4. Month of 31 days, 10 valid measuring 1.0:
  // 1.0 + 4 x 21/31 = 1.0 + 2.709677 = 3.709677.
  auto months = history({2, 3, 4, 5, 6, 4});
  months.push_back(partial(6, 10, 1.0, 7.0, 31));
  auto billed = bill(months, true, kNoRules);
  CHECK(billed[6].method == Method::Average);
  CHECK(*billed[6].average == Approx(4.0));
  CHECK(*billed[6].value == Approx(3.709677).margin(1e-6));
}

TEST_CASE("non-residential premises get two average periods, then item 43's calculated volume") {
  // Average 3; periods 1 and 2 by average; period 3 under the current text (item 60): the
  // calculated volume 9 (norm 5 ignored): 0 + 9 x 30/30 = 9.
  auto months = history({3, 3, 3, 3, 3, 3});
  for (int i = 6; i <= 8; ++i) {
    months.push_back(failed(i, 5.0));
    months.back().calculated = 9.0;
  }
  auto billed = bill(months, false, kNoRules);
  CHECK(billed[6].method == Method::Average);
  CHECK(billed[7].method == Method::Average);
  CHECK(billed[8].method == Method::Calculated);
  CHECK(*billed[8].value == Approx(9.0));
  CHECK(billed[8].period_in_run == 3);
}

TEST_CASE("under an older rule non-residential premises take the norm after the limit") {
  // The behaviour before issue 19 pinned here as a dated rule: period 3 by the norm 5 -> 5.
  Rule older;
  older.non_residential_calculated = false;
  const std::vector<Rule> rules = {older};
  auto months = history({3, 3, 3, 3, 3, 3});
  for (int i = 6; i <= 8; ++i) {
    months.push_back(failed(i, 5.0));
    months.back().calculated = 9.0;
  }
  auto billed = bill(months, false, rules);
  CHECK(billed[8].method == Method::Norm);
  CHECK(*billed[8].value == Approx(5.0));
  CHECK(billed[8].coefficient == 1.0);
}

TEST_CASE("a non-residential premise without a calculated volume has no value after the limit") {
  auto months = history({3, 4});
  months.push_back(partial(2, 10, 1.0, 6.0));
  auto billed = bill(months, false, kNoRules);
  CHECK(billed[2].method == Method::Calculated);
  CHECK_FALSE(billed[2].value);
}

TEST_CASE("the calculated volume counts for the invalid days only") {
  // Too little history -> straight to item 43: 1 + 9 x 20/30 = 7.
  auto months = history({3, 4});
  months.push_back(partial(2, 10, 1.0, 6.0));
  months.back().calculated = 9.0;
  auto billed = bill(months, false, kNoRules);
  CHECK(billed[2].method == Method::Calculated);
  CHECK(*billed[2].value == Approx(7.0));
}

TEST_CASE("a rule's increasing coefficient multiplies the residential norm") {
  // Coefficient 1.5: fully failed month -> 7 x 1.5 = 10.5; partial month 10 of 30 valid
  // measuring 1 -> 1 + 6 x 1.5 x 20/30 = 7. Non-residential premises never take it.
  Rule increasing;
  increasing.norm_coefficient_residential = 1.5;
  increasing.non_residential_calculated = false;
  const std::vector<Rule> rules = {increasing};
  auto months = history({3, 4});
  months.push_back(failed(2, 7.0));
  auto billed = bill(months, true, rules);
  CHECK(billed[2].method == Method::Norm);
  CHECK(billed[2].coefficient == 1.5);
  CHECK(*billed[2].value == Approx(10.5));

  auto partial_months = history({3, 4});
  partial_months.push_back(partial(2, 10, 1.0, 6.0));
  CHECK(*bill(partial_months, true, rules)[2].value == Approx(7.0));
  auto non_residential = bill(months, false, rules);
  CHECK(*non_residential[2].value == Approx(7.0));
  CHECK(non_residential[2].coefficient == 1.0);
}

TEST_CASE("a house meter takes its own average for three periods, then no value (item 59(1))") {
  // Average 20; periods 1-3 -> 20; period 4 -> method norm, no value (the common-property share
  // then comes from the common-property norm), even with a premise norm on the month.
  auto months = history({20, 20, 20, 20, 20, 20});
  for (int i = 6; i <= 9; ++i) months.push_back(failed(i, 7.0));
  auto billed = bill(months, Service{Consumer::House, false}, kNoRules);
  for (int i = 6; i <= 8; ++i) {
    CHECK(billed[i].method == Method::Average);
    CHECK(*billed[i].value == Approx(20.0));
  }
  CHECK(billed[9].method == Method::Norm);
  CHECK_FALSE(billed[9].value);
}

TEST_CASE("heating is averaged over heating-season months only") {
  // Months 0-3 in season measuring 10 12 14 16, months 4-8 out of season measuring 0, month 9 in
  // season fails: seasonal average (10+12+14+16)/4 = 13. Without the season the last six fully
  // valid months would be 16 0 0 0 0 0 -> 2.666667.
  auto months = history({10, 12, 14, 16, 0, 0, 0, 0, 0});
  for (int i = 4; i <= 8; ++i) months[i].heating_season = false;
  months.push_back(failed(9, 20.0));
  auto seasonal = bill(months, Service{Consumer::Residential, true}, kNoRules);
  CHECK(seasonal[9].method == Method::Average);
  CHECK(*seasonal[9].average == Approx(13.0));
  CHECK(*seasonal[9].value == Approx(13.0));

  auto plain = bill(months, true, kNoRules);
  CHECK(*plain[9].average == Approx(2.666667).margin(1e-6));

  // An older rule without heating-season averages gives the plain average to heat too.
  Rule older;
  older.heating_season_average = false;
  const std::vector<Rule> rules = {older};
  CHECK(*bill(months, Service{Consumer::Residential, true}, rules)[9].average == Approx(2.666667).margin(1e-6));
}

TEST_CASE("a heat month out of season is billed as measured and does not count as a period") {
  // Six in-season months of 10. Month 6 in season fails (period 1, 10); month 7 out of season
  // fails: measured 0.5, no period; months 8, 9 in season fail (periods 2, 3, average 10); month
  // 10 (period 4) goes to the norm 20.
  auto months = history({10, 10, 10, 10, 10, 10});
  months.push_back(failed(6, 20.0));
  months.push_back(partial(7, 5, 0.5, 20.0));
  months.back().heating_season = false;
  for (int i = 8; i <= 10; ++i) months.push_back(failed(i, 20.0));
  auto billed = bill(months, Service{Consumer::Residential, true}, kNoRules);
  CHECK(billed[6].period_in_run == 1);
  CHECK(billed[7].method == Method::Measured);
  CHECK(*billed[7].value == Approx(0.5));
  CHECK(billed[7].period_in_run == 0);
  CHECK(billed[8].period_in_run == 2);
  CHECK(billed[9].period_in_run == 3);
  CHECK(billed[9].method == Method::Average);
  CHECK(*billed[9].value == Approx(10.0));
  CHECK(billed[10].method == Method::Norm);
  CHECK(*billed[10].value == Approx(20.0));
}

TEST_CASE("three months of history are enough for the average of those three") {
  // History 3 4 5 -> average 4; fully invalid month -> 4 x 30/30 = 4.
  auto months = history({3, 4, 5});
  months.push_back(failed(3, 7.0));
  auto billed = bill(months, true, kNoRules);
  CHECK(billed[3].method == Method::Average);
  CHECK(*billed[3].average == Approx(4.0));
  CHECK(*billed[3].value == Approx(4.0));
}

TEST_CASE("fewer than six but at least three months average over what exists") {
  // History 2 4 6 8 -> average 20/4 = 5; 20 of 30 days valid measuring 4: 4 + 5 x 10/30 = 5.666667.
  auto months = history({2, 4, 6, 8});
  months.push_back(partial(4, 20, 4.0, 7.0));
  auto billed = bill(months, true, kNoRules);
  CHECK(billed[4].method == Method::Average);
  CHECK(*billed[4].average == Approx(5.0));
  CHECK(*billed[4].value == Approx(5.666667).margin(1e-6));
}

TEST_CASE("more than average_months of history uses only the last six") {
  // History 100 1 2 3 4 5 6: the 100 is the seventh month back and is left out -> 21/6 = 3.5.
  auto months = history({100, 1, 2, 3, 4, 5, 6});
  months.push_back(failed(7, 7.0));
  auto billed = bill(months, true, kNoRules);
  CHECK(*billed[7].average == Approx(3.5));
}

TEST_CASE("two months of history go to the norm right away") {
  // History 3 4 (< 3 months). 10 of 30 days valid measuring 1: 1 + 6 x 20/30 = 5, period 1.
  auto months = history({3, 4});
  months.push_back(partial(2, 10, 1.0, 6.0));
  auto billed = bill(months, true, kNoRules);
  CHECK(billed[2].method == Method::Norm);
  CHECK(*billed[2].value == Approx(5.0));
  CHECK(billed[2].period_in_run == 1);
}

TEST_CASE("without a configured norm the value is absent") {
  auto months = history({3, 4});
  months.push_back(partial(2, 10, 1.0, std::nullopt));
  auto billed = bill(months, true, kNoRules);
  CHECK(billed[2].method == Method::Norm);
  CHECK_FALSE(billed[2].value);
  CHECK(billed[2].period_in_run == 1);
}

TEST_CASE("a fully valid month ends the run and a later failure starts a new run with a new average") {
  // History 1 2 3 4 5 6 -> average 21/6 = 3.5 for month 6 (period 1).
  // Month 7 fully valid measuring 9 -> measured, run over.
  // Month 8 fails: period 1 again; the last six fully valid months skip the failed month 6:
  // 9 6 5 4 3 2 -> 29/6 = 4.833333.
  auto months = history({1, 2, 3, 4, 5, 6});
  months.push_back(failed(6, 7.0));
  months.push_back(valid(7, 9.0));
  months.push_back(failed(8, 7.0));
  auto billed = bill(months, true, kNoRules);
  CHECK(billed[6].method == Method::Average);
  CHECK(*billed[6].value == Approx(3.5));
  CHECK(billed[6].period_in_run == 1);
  CHECK(billed[7].method == Method::Measured);
  CHECK(*billed[7].value == Approx(9.0));
  CHECK(billed[7].period_in_run == 0);
  CHECK(billed[8].method == Method::Average);
  CHECK(billed[8].period_in_run == 1);
  CHECK(*billed[8].average == Approx(4.833333).margin(1e-6));
}

TEST_CASE("a dated rule changes the limit for months starting on or after its valid_from") {
  // From month 8 (start 8000) only one average period is allowed: months 6 and 7 are periods 1
  // and 2 by average under the default rule; month 8 (period 3) exceeds the new limit -> norm 7.
  auto months = history({3, 3, 3, 3, 3, 3});
  for (int i = 6; i <= 8; ++i) months.push_back(failed(i, 7.0));
  Rule stricter;
  stricter.valid_from = 8000;
  stricter.max_periods_residential = 1;
  const std::vector<Rule> rules = {stricter, Rule{}};
  auto billed = bill(months, true, rules);
  CHECK(billed[6].method == Method::Average);
  CHECK(billed[7].method == Method::Average);
  CHECK(billed[8].method == Method::Norm);
  CHECK(*billed[8].value == Approx(7.0));

  // The same rule starting one second after month 8 starts does not apply to it yet.
  stricter.valid_from = 8001;
  const std::vector<Rule> later = {stricter};
  auto billed_later = bill(months, true, later);
  CHECK(billed_later[8].method == Method::Average);
}

TEST_CASE("a dated rule with a shorter minimum history allows the average on two months") {
  // Rule: min history 2. History 3 5 -> average 4; fully invalid month -> 4.
  Rule lenient;
  lenient.min_history_months = 2;
  const std::vector<Rule> rules = {lenient};
  auto months = history({3, 5});
  months.push_back(failed(2, 7.0));
  auto billed = bill(months, true, rules);
  CHECK(billed[2].method == Method::Average);
  CHECK(*billed[2].value == Approx(4.0));
}
