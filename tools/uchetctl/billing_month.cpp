#include "tools/uchetctl/billing_month.h"

#include <algorithm>
#include <limits>
#include <map>

#include "appserver/metering/grid.h"
#include "appserver/metering/lifecycle.h"
#include "appserver/metering/point_consumption.h"
#include "appserver/metering/point_data.h"
#include "schema/billing_rules.h"
#include "schema/devices.h"
#include "schema/lifecycle.h"
#include "tools/uchetctl/lifecycle_derived.h"
#include "tools/uchetctl/object_import.h"
#include "tools/uchetctl/report_args.h"

namespace uchet::cli {
namespace {

namespace billing = appserver::billing;
namespace common_property = appserver::common_property;
constexpr std::int64_t kOpen = std::numeric_limits<std::int64_t>::max();

// ---------------------------------------------------------------------------------------------
// The billing calendar

}  // namespace

YearMonth year_month_arg(const std::string& text, const std::string& what) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    return true;
  };
  if (text.size() != 7 || text[4] != '-' || !digits(0, 4) || !digits(5, 2))
    throw UsageError(what + " must be YYYY-MM (got '" + text + "')");
  YearMonth p{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2))};
  if (p.year < 1970 || p.month < 1 || p.month > 12) throw UsageError(what + ": no such month " + text);
  return p;
}

namespace {

YearMonth shifted(YearMonth p, int months) {
  const int index = p.year * 12 + (p.month - 1) + months;
  return {index / 12, index % 12 + 1};
}

// A billing month in the object's zone: from local midnight of the 1st to that of the next 1st.
struct MonthSpan {
  std::int64_t start = 0, end = 0;
  std::size_t first_day = 0, days = 0;  // index into the day boundaries, number of local days
  int month = 1;                        // 1..12
};

std::int64_t month_start(const appserver::TimeZone& tz, YearMonth m) {
  auto t = tz.month_start(m.year, m.month);
  if (!t) throw UsageError("billing month: " + t.error());
  return *t;
}

// `history` months before `period`, then `period` itself; `days` gets every local midnight from
// the first month's start to the period's end.
std::vector<MonthSpan> billing_months(const appserver::TimeZone& tz, YearMonth period, int history,
                                      std::vector<std::int64_t>& days) {
  std::vector<MonthSpan> months;
  for (int k = -history; k <= 0; ++k) {
    const auto m = shifted(period, k);
    months.push_back({month_start(tz, m), month_start(tz, shifted(m, 1)), 0, 0, m.month});
  }
  days = appserver::day_boundaries(tz, months.front().start, months.back().end);
  for (auto& m : months) {
    const auto at = [&](std::int64_t t) {
      return static_cast<std::size_t>(std::lower_bound(days.begin(), days.end(), t) - days.begin());
    };
    m.first_day = at(m.start);
    m.days = at(m.end) - m.first_day;
  }
  return months;
}

// ---------------------------------------------------------------------------------------------
// A point's meters

struct Meter {
  schema::MeterInstallation installation;
  appserver::InstallationSeries series;
  std::optional<std::int64_t> verification_due;  // absent: no interval known, never expires
  std::int64_t end() const { return installation.removed_at.value_or(kOpen); }
};

// Verification in force until the latest verification (a `verified` event or the passport's
// date) plus the interval. A meter whose interval is not known is taken as verified: refusing
// its readings would bill a working meter by the average without any reason on record.
std::optional<std::int64_t> verification_due(schema::Database& db, const appserver::TimeZone& tz, lorawan::Eui64 eui) {
  return derive_passport(tz, schema::find_passport(db, eui), schema::lifecycle_events(db, eui)).next_due;
}

std::vector<Meter> load_meters(schema::Database& db, const appserver::TimeZone& tz, const schema::MeteringPoint& point,
                               std::int64_t from, std::int64_t to) {
  // Margin: enough for a boundary value interpolated between daily readings.
  auto series = appserver::load_point_series(db, point, from, to, 2 * 86400);
  std::vector<Meter> meters;
  for (const auto& inst : schema::installations_of_point(db, point.id)) {
    auto s =
        std::find_if(series.begin(), series.end(), [&](const auto& x) { return x.installed_at == inst.installed_at; });
    if (s == series.end()) continue;  // outside the months exported
    meters.push_back({inst, *s, verification_due(db, tz, inst.dev_eui)});
  }
  return meters;
}

// The register of the meter installed at `t`, sampled as the grid does, with the installation's
// own readings at its ends, misreads left out and overflows unwrapped (as point_consumption counts).
std::optional<double> register_at(const std::vector<Meter>& meters, std::int64_t t) {
  for (const auto& m : meters) {
    if (m.installation.installed_at > t || m.end() <= t) continue;
    const std::int64_t at[] = {t};
    return appserver::sample_grid(appserver::installation_register(m.series).points, at, appserver::kDayMaxGap)[0]
        .value;
  }
  return std::nullopt;
}

// The meter whose serial goes into the row: the one installed at the month's end, else the last
// one installed before it.
const Meter* meter_for_row(const std::vector<Meter>& meters, std::int64_t month_end) {
  const Meter* last = nullptr;
  for (const auto& m : meters) {
    if (m.installation.installed_at >= month_end) continue;
    if (m.end() > month_end) return &m;
    if (!last || m.installation.installed_at > last->installation.installed_at) last = &m;
  }
  return last;
}

// ---------------------------------------------------------------------------------------------
// Valid days of a premise meter

// Whether [a, b) is covered without a hole by meters whose verification is in force throughout
// and which report no sensor fault (Decree 354 item 81(12): an expired verification is a failure).
bool meter_valid(const std::vector<Meter>& meters, const std::vector<appserver::DeviceCondition>& conditions,
                 std::int64_t a, std::int64_t b) {
  for (const auto& c : conditions)
    if (c.kind == "sensor_fault" && c.from < b && c.to > a) return false;
  std::int64_t covered = a;
  for (const auto& m : meters) {  // by installed_at
    if (m.end() <= covered || m.installation.installed_at >= b) continue;
    if (m.installation.installed_at > covered) return false;
    const std::int64_t until = std::min(b, m.end());
    if (m.verification_due && until > *m.verification_due) return false;
    covered = until;
    if (covered >= b) return true;
  }
  return false;
}

std::optional<double> measured(const std::vector<Meter>& meters, std::vector<std::int64_t> boundaries) {
  std::vector<appserver::InstallationSeries> series;
  for (const auto& m : meters) series.push_back(m.series);
  appserver::EstimationSettings no_estimates;
  no_estimates.estimate = false;  // billing counts only what was measured
  auto intervals = appserver::point_consumption(series, boundaries, no_estimates);
  if (intervals.size() != 1 || intervals[0].source != appserver::ValueSource::Measured) return std::nullopt;
  return intervals[0].consumption;
}

// What the month's meters measured. A stretch of consecutive valid-meter days counts whole when
// the register has values at its two ends (readings lost over the air in between do not matter:
// the register kept counting); otherwise only its days that have their own measured values do.
billing::Month measure_month(const std::vector<Meter>& meters,
                             const std::vector<appserver::DeviceCondition>& conditions,
                             const std::vector<std::int64_t>& days, const std::vector<appserver::PointInterval>& daily,
                             const MonthSpan& span) {
  billing::Month month;
  month.start = span.start;
  month.days = static_cast<int>(span.days);
  month.valid_days = 0;
  std::size_t d = span.first_day;
  const std::size_t last = span.first_day + span.days;
  while (d < last) {
    if (!meter_valid(meters, conditions, days[d], days[d + 1])) {
      ++d;
      continue;
    }
    std::size_t e = d + 1;
    while (e < last && meter_valid(meters, conditions, days[e], days[e + 1])) ++e;
    if (auto whole = measured(meters, {days[d], days[e]})) {
      month.valid_days += static_cast<int>(e - d);
      month.measured += *whole;
    } else {
      for (std::size_t i = d; i < e; ++i) {
        if (daily[i].source != appserver::ValueSource::Measured) continue;
        ++month.valid_days;
        month.measured += *daily[i].consumption;
      }
    }
    d = e;
  }
  return month;
}

// ---------------------------------------------------------------------------------------------
// The export

// Months of history the rules can need: the average window before a run plus the run itself, so
// that the run's first month and its average are both seen. A heating-season average reaches
// back over the summer, so heat takes a year more.
int history_months(const std::vector<billing::Rule>& rules, bool heat) {
  int n = 0;
  for (const auto& r : rules.empty() ? std::vector<billing::Rule>{billing::Rule{}} : rules)
    n = std::max(n, r.average_months +
                        std::max({r.max_periods_residential, r.max_periods_non_residential, r.max_periods_house}));
  return heat ? n + 12 : n;
}

// Whether calendar month `month` (1..12) lies in the object's heating season; every month does
// when the season is not configured (heat is then averaged over all months, as before).
bool in_heating_season(const schema::MeteringObject& object, int month) {
  if (!object.heating_first_month || !object.heating_last_month) return true;
  const int first = *object.heating_first_month, last = *object.heating_last_month;
  return first <= last ? (month >= first && month <= last) : (month >= first || month <= last);
}

PointBill bill_point(schema::Database& db, const schema::MeteringObject& object, const appserver::TimeZone& tz,
                     const schema::MeteringPoint& point, YearMonth period, const std::vector<billing::Rule>& rules) {
  const bool heat = point.resource == "heat";
  std::vector<std::int64_t> days;
  const auto months = billing_months(tz, period, history_months(rules, heat), days);
  const auto& current = months.back();

  PointBill out;
  out.point = point;
  const auto meters = load_meters(db, tz, point, days.front(), days.back());
  if (const Meter* shown = meter_for_row(meters, current.end))
    if (auto device = schema::find_device(db, shown->installation.dev_eui)) out.meter_serial = device->serial;
  out.reading_start = register_at(meters, current.start);
  out.reading_end = register_at(meters, current.end);

  billing::Service service;
  service.heating = heat;
  if (point.level == "building") {
    service.consumer = billing::Consumer::House;  // item 59(1)
  } else {
    if (point.premise_id) out.premise = schema::find_premise(db, *point.premise_id);
    const bool residential = !out.premise || out.premise->kind != "non_residential";
    service.consumer = residential ? billing::Consumer::Residential : billing::Consumer::NonResidential;
  }

  std::vector<appserver::InstallationSeries> series;
  for (const auto& m : meters) series.push_back(m.series);
  appserver::EstimationSettings no_estimates;
  no_estimates.estimate = false;
  const auto daily = appserver::point_consumption(series, days, no_estimates);
  const auto conditions = appserver::load_point_conditions(db, point, days.front(), days.back());
  std::vector<billing::Month> input;
  for (const auto& span : months) {
    auto month = measure_month(meters, conditions, days, daily, span);
    month.heating_season = in_heating_season(object, span.month);
    if (point.level == "premise") {
      if (auto norm = schema::norm_at(db, object.id, point.resource, span.start)) month.norm = norm->per_month;
      if (out.premise)
        if (auto v = schema::calculated_volume_at(db, out.premise->id, point.resource, span.start))
          month.calculated = v->per_month;
    }
    input.push_back(month);
  }
  out.billed = billing::bill(input, service, rules).back();
  return out;
}

// A rule's date was read in uchetctl's zone ([time] time_zone) but means "months starting on or
// after this date" in every object: it is read again as the same wall-clock time in the object's
// zone, so that a rule from 2026-11-01 governs November also in an object east of uchetctl's
// zone, whose November begins earlier in UTC. valid_from 0 is the migration's "always".
std::vector<billing::Rule> rules_in_zone(std::vector<billing::Rule> rules, const appserver::TimeZone& entered,
                                         const appserver::TimeZone& object) {
  for (auto& r : rules) {
    if (r.valid_from == 0) continue;
    // format_iso8601 gives "YYYY-MM-DDThh:mm:ss" and the offset; without it the time is local.
    if (auto t = object.parse_time(entered.format_iso8601(r.valid_from).substr(0, 19))) r.valid_from = *t;
  }
  return rules;
}

}  // namespace

std::vector<billing::Rule> stored_rules(schema::Database& db) {
  std::vector<billing::Rule> rules;
  for (const auto& r : schema::billing_rules(db)) {
    billing::Rule rule;
    rule.valid_from = r.valid_from;
    rule.average_months = r.average_months;
    rule.min_history_months = r.min_history_months;
    rule.max_periods_residential = r.max_periods_residential;
    rule.max_periods_non_residential = r.max_periods_non_residential;
    rule.norm_coefficient_residential = r.norm_coefficient_residential;
    rule.non_residential_calculated = r.non_residential_after_limit == "calculated";
    rule.heating_season_average = r.heating_season_average;
    rule.max_periods_house = r.max_periods_house;
    rules.push_back(rule);
  }
  return rules;
}

std::vector<PointBill> bill_object(schema::Database& db, const schema::MeteringObject& object,
                                   const std::string& fallback_zone, YearMonth period,
                                   const std::vector<billing::Rule>& rules) {
  const auto tz = object_zone(object, fallback_zone);
  const auto object_rules = rules_in_zone(rules, zone_arg(fallback_zone), tz);
  std::vector<PointBill> out;
  for (const auto& point : schema::list_points(db, object.id))
    out.push_back(bill_point(db, object, tz, point, period, object_rules));
  return out;
}

std::vector<CommonPropertyShare> common_property_shares(schema::Database& db, const schema::MeteringObject& object,
                                                        const std::string& fallback_zone, YearMonth period,
                                                        const std::vector<PointBill>& bills, const std::string& only) {
  std::vector<CommonPropertyShare> out;
  if (!object.common_area_m2 && !object.owners_above_norm) return out;
  const auto tz = object_zone(object, fallback_zone);
  const auto start = month_start(tz, period);
  const auto premises = schema::list_premises(db, object.id);
  for (const std::string resource : {"cold_water", "hot_water", "electricity"}) {
    if (!only.empty() && resource != only) continue;
    CommonPropertyShare share;
    share.resource = resource;
    auto& in = share.input;
    in.common_area_m2 = object.common_area_m2;
    in.owners_above_norm = object.owners_above_norm;
    if (auto n = schema::common_property_norm_at(db, object.id, resource, start)) in.norm_per_m2 = n->per_m2;

    // The house meters of the resource (several inputs add up); any without a value leaves the
    // house volume unknown.
    bool house = false, house_known = true;
    double house_volume = 0;
    for (const auto& b : bills) {
      if (b.point.level != "building" || b.point.resource != resource) continue;
      house = true;
      if (b.billed.value)
        house_volume += *b.billed.value;
      else
        house_known = false;
    }
    if (!house && !in.norm_per_m2) continue;  // nothing to allocate for this resource
    if (house && house_known) in.house_volume = house_volume;

    // What each premise is billed for its own use: its points of the resource; a premise without
    // one is billed by the norm (item 42).
    for (const auto& p : premises) {
      common_property::PremiseUse use{p.number, p.area_m2, std::nullopt};
      bool has_point = false;
      double volume = 0;
      bool known = true;
      for (const auto& b : bills) {
        if (b.point.resource != resource || !b.premise || b.premise->id != p.id) continue;
        has_point = true;
        if (b.billed.value)
          volume += *b.billed.value;
        else
          known = false;
      }
      if (has_point && known) use.volume = volume;
      if (!has_point)
        if (auto norm = schema::norm_at(db, object.id, resource, start)) use.volume = norm->per_month;
      in.premises.push_back(use);
      share.premises.push_back(p);
    }
    auto allocation = common_property::allocate(in);
    if (!allocation)
      throw UsageError("object " + object.name + ", " + resource +
                       ": the common-property share (ОДН) cannot be "
                       "computed: " +
                       allocation.error());
    share.allocation = *allocation;
    out.push_back(std::move(share));
  }
  return out;
}

}  // namespace uchet::cli
