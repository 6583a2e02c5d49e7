#pragma once
// Billing estimation for a premise meter per the Russian rules (Decree 354 items 59-60), as dated
// rules. Pure: months in, billed values out.
//
// For each billing month of a premise point the caller gives what was measured: the number of
// days with a valid meter (installed, verification in force, not failed, with grid values at the
// ends of the valid stretch) and the consumption measured over those days. Then per month:
//   measured  every day valid: the measured consumption;
//   average   some days invalid and the average still allowed: measured part + average ×
//             invalid days / days in month. The average is the mean of the last
//             `average_months` fully valid months before the first invalid month of the current
//             run (fewer if fewer exist, but at least `min_history_months`). A run of months with
//             invalid days may be billed by average for at most max_periods_residential
//             (max_periods_non_residential) consecutive months, the partial first month counting
//             as one;
//   after the limit (or with too little history), item 60:
//     norm       residential premises: measured part + norm × coefficient × invalid days / days
//                in month (item 42; the coefficient is the rule's, 1 unless item 60 requires
//                the increasing one). Without a configured norm the value is absent;
//     calculated non-residential premises under a rule with non_residential_calculated: measured
//                part + the item-43 calculated volume × invalid days / days in month (absent
//                without one); under an older rule they take the norm like residential ones;
//     house      a house meter (item 59(1)): its own average for at most max_periods_house
//                months, then no value (method norm): the common-property share then comes from
//                the common-property norm (appserver/metering/common_property.h).
// Heating (item 59, 59(1)): under a rule with heating_season_average the average of a heat
// point is the mean of fully valid heating-season months only, and a month outside the heating
// season is billed as measured (no heat is supplied, so invalid days add nothing); it neither
// counts as a period of a run nor ends one.
// A fully valid month ends the run. The rule applied to a month is the newest one whose
// valid_from is not after the month's start.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace uchet::appserver::billing {

struct Rule {
  std::int64_t valid_from = 0;
  int average_months = 6;
  int min_history_months = 3;
  int max_periods_residential = 3;
  int max_periods_non_residential = 2;
  // Item 60 and 59(1); the defaults are the current text (migration 0014).
  double norm_coefficient_residential = 1.0;
  bool non_residential_calculated = true;  // false: non-residential premises take the norm too
  bool heating_season_average = true;
  int max_periods_house = 3;
};

enum class Method { Measured, Average, Norm, Calculated };
std::string_view name(Method m);  // "measured", "average", "norm", "calculated"

// Who consumes what the point measures: the limit and what follows it depend on it.
enum class Consumer { Residential, NonResidential, House };

struct Service {
  Consumer consumer = Consumer::Residential;
  bool heating = false;  // the resource is heat: heating-season averages apply
};

struct Month {
  std::int64_t start = 0;            // local start of the month, Unix seconds (for rule selection)
  int days = 30;                     // days in the month
  int valid_days = 30;               // 0..days
  double measured = 0;               // consumption over the valid days
  std::optional<double> norm;        // the norm in force for the month, per month
  std::optional<double> calculated;  // item 43's calculated volume for the month (non-residential)
  bool heating_season = true;        // the month is in the object's heating season
};

struct Billed {
  std::optional<double> value;  // absent only when the norm is needed but not configured
  Method method = Method::Measured;
  std::optional<double> average;  // the average used (method Average)
  double coefficient = 1.0;       // the norm's coefficient (method Norm)
  int period_in_run = 0;          // 1.. for months with invalid days, 0 for measured months
};

// `months` in chronological order without holes (history first). `rules` in any order; when none
// has started by a month, the default Rule{} applies.
std::vector<Billed> bill(std::span<const Month> months, const Service& service, std::span<const Rule> rules);
// A premise's cold/hot water or electricity: residential or not.
std::vector<Billed> bill(std::span<const Month> months, bool residential, std::span<const Rule> rules);

}  // namespace uchet::appserver::billing
