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
//   norm      otherwise (limit used up, or too little history): measured part + norm × invalid
//             days / days in month. Without a configured norm the value is absent.
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
};

enum class Method { Measured, Average, Norm };
std::string_view name(Method m);  // "measured", "average", "norm"

struct Month {
  std::int64_t start = 0;      // local start of the month, Unix seconds (for rule selection)
  int days = 30;               // days in the month
  int valid_days = 30;         // 0..days
  double measured = 0;         // consumption over the valid days
  std::optional<double> norm;  // the norm in force for the month, per month
};

struct Billed {
  std::optional<double> value;  // absent only when the norm is needed but not configured
  Method method = Method::Measured;
  std::optional<double> average;  // the average used (method Average)
  int period_in_run = 0;          // 1.. for months with invalid days, 0 for measured months
};

// `months` in chronological order without holes (history first). `rules` in any order; when none
// has started by a month, the default Rule{} applies.
std::vector<Billed> bill(std::span<const Month> months, bool residential, std::span<const Rule> rules);

}  // namespace uchet::appserver::billing
