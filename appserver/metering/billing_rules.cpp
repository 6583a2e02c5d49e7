#include "appserver/metering/billing_rules.h"

#include <algorithm>

namespace uchet::appserver::billing {

std::string_view name(Method m) {
  switch (m) {
    case Method::Measured:
      return "measured";
    case Method::Average:
      return "average";
    case Method::Norm:
      return "norm";
    case Method::Calculated:
      return "calculated";
  }
  return "measured";
}

namespace {

bool fully_valid(const Month& m) { return m.valid_days >= m.days; }

// The newest rule whose valid_from is not after `start`; Rule{} when none has started, so that a
// database without rules still bills by the decree's current numbers.
Rule rule_at(std::span<const Rule> rules, std::int64_t start) {
  const Rule* best = nullptr;
  for (const auto& r : rules)
    if (r.valid_from <= start && (!best || r.valid_from > best->valid_from)) best = &r;
  return best ? *best : Rule{};
}

// The mean of the last `rule.average_months` fully valid months before index `run_start`, or
// nothing when fewer than `rule.min_history_months` exist (item 59: "the actual period, but not
// less than 3 months"). Earlier runs with invalid days are skipped, not counted as zero: the
// decree averages what the meter actually measured. `seasonal`: heating-season months only.
std::optional<double> average_before(std::span<const Month> months, std::size_t run_start, const Rule& rule,
                                     bool seasonal) {
  double sum = 0;
  int n = 0;
  for (std::size_t i = run_start; i-- > 0 && n < rule.average_months;) {
    if (!fully_valid(months[i]) || (seasonal && !months[i].heating_season)) continue;
    sum += months[i].measured;
    ++n;
  }
  if (n == 0 || n < rule.min_history_months) return std::nullopt;
  return sum / n;
}

}  // namespace

std::vector<Billed> bill(std::span<const Month> months, const Service& service, std::span<const Rule> rules) {
  std::vector<Billed> out;
  out.reserve(months.size());
  std::size_t run_start = 0;  // index of the first month of the current run of invalid months
  int period = 0;             // 0 while no run is open
  for (std::size_t i = 0; i < months.size(); ++i) {
    const Month& m = months[i];
    // Each month follows the rule in force at its own start, so a rule change mid-run moves the
    // limit for the remaining months of that run too.
    const Rule rule = rule_at(rules, m.start);
    const bool seasonal = service.heating && rule.heating_season_average;
    Billed b;
    if (fully_valid(m) || (seasonal && !m.heating_season)) {
      // Out of the heating season no heat is supplied: the month is what was measured and does
      // not touch the run (item 59 averages heating over the season only).
      if (fully_valid(m)) period = 0;  // metering resumed: the next failure starts counting anew
      b.value = m.measured;
      out.push_back(b);
      continue;
    }
    if (period == 0) run_start = i;
    b.period_in_run = ++period;

    const int limit = service.consumer == Consumer::Residential      ? rule.max_periods_residential
                      : service.consumer == Consumer::NonResidential ? rule.max_periods_non_residential
                                                                     : rule.max_periods_house;
    const int invalid_days = std::clamp(m.days - m.valid_days, 0, m.days);
    const double share = m.days > 0 ? static_cast<double>(invalid_days) / m.days : 0.0;

    std::optional<double> average;
    if (period <= limit) average = average_before(months, run_start, rule, seasonal);
    if (average) {
      b.method = Method::Average;
      b.average = average;
      b.value = m.measured + *average * share;
    } else if (service.consumer == Consumer::NonResidential && rule.non_residential_calculated) {
      b.method = Method::Calculated;  // item 60: item 43's calculation method
      if (m.calculated) b.value = m.measured + *m.calculated * share;
    } else if (service.consumer == Consumer::House) {
      b.method = Method::Norm;  // the share of the common property falls back to its norm
    } else {
      b.method = Method::Norm;
      b.coefficient = service.consumer == Consumer::Residential ? rule.norm_coefficient_residential : 1.0;
      if (m.norm) b.value = m.measured + *m.norm * b.coefficient * share;
    }
    out.push_back(b);
  }
  return out;
}

std::vector<Billed> bill(std::span<const Month> months, bool residential, std::span<const Rule> rules) {
  return bill(months, Service{residential ? Consumer::Residential : Consumer::NonResidential, false}, rules);
}

}  // namespace uchet::appserver::billing
