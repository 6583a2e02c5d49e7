// uchetctl export billing / billing rule: the monthly flat file for billing systems (one row per
// metering point: readings at the month boundaries, the billed consumption and how it was
// billed, metering-domain.md §7), and the dated rules of Decree 354 items 59-60 it applies.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "appserver/metering/billing_rules.h"
#include "appserver/metering/grid.h"
#include "appserver/metering/lifecycle.h"
#include "appserver/metering/point_data.h"
#include "schema/billing_rules.h"
#include "schema/devices.h"
#include "schema/lifecycle.h"
#include "schema/objects.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/lifecycle_derived.h"
#include "tools/uchetctl/object_import.h"
#include "tools/uchetctl/report_args.h"
#include "tools/uchetctl/text_encoding.h"

namespace uchet::cli {
namespace {

namespace billing = appserver::billing;
constexpr std::int64_t kOpen = std::numeric_limits<std::int64_t>::max();

// ---------------------------------------------------------------------------------------------
// The billing calendar

struct YearMonth {
  int year = 0, month = 0;
};

YearMonth period_arg(const std::string& text) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    return true;
  };
  if (text.size() != 7 || text[4] != '-' || !digits(0, 4) || !digits(5, 2))
    throw UsageError("--period must be YYYY-MM (got '" + text + "')");
  YearMonth p{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2))};
  if (p.year < 1970 || p.month < 1 || p.month > 12) throw UsageError("--period: no such month " + text);
  return p;
}

YearMonth shifted(YearMonth p, int months) {
  const int index = p.year * 12 + (p.month - 1) + months;
  return {index / 12, index % 12 + 1};
}

// A billing month in the object's zone: from local midnight of the 1st to that of the next 1st.
struct MonthSpan {
  std::int64_t start = 0, end = 0;
  std::size_t first_day = 0, days = 0;  // index into the day boundaries, number of local days
};

std::int64_t month_start(const appserver::TimeZone& tz, YearMonth m) {
  auto t = tz.month_start(m.year, m.month);
  if (!t) throw UsageError("--period: " + t.error());
  return *t;
}

// `history` months before `period`, then `period` itself; `days` gets every local midnight from
// the first month's start to the period's end.
std::vector<MonthSpan> billing_months(const appserver::TimeZone& tz, YearMonth period, int history,
                                      std::vector<std::int64_t>& days) {
  std::vector<MonthSpan> months;
  for (int k = -history; k <= 0; ++k) {
    const auto m = shifted(period, k);
    months.push_back({month_start(tz, m), month_start(tz, shifted(m, 1)), 0, 0});
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

std::vector<billing::Rule> stored_rules(schema::Database& db) {
  std::vector<billing::Rule> rules;
  for (const auto& r : schema::billing_rules(db))
    rules.push_back({r.valid_from, r.average_months, r.min_history_months, r.max_periods_residential,
                     r.max_periods_non_residential});
  return rules;
}

// Months of history the rules can need: the average window before a run plus the run itself, so
// that the run's first month and its average are both seen.
int history_months(const std::vector<billing::Rule>& rules) {
  int n = 0;
  for (const auto& r : rules.empty() ? std::vector<billing::Rule>{billing::Rule{}} : rules)
    n = std::max(n, r.average_months + std::max(r.max_periods_residential, r.max_periods_non_residential));
  return n;
}

std::string opt(const std::optional<double>& v) { return v ? number(*v) : ""; }

const std::vector<std::string> kColumns = {"account", "fias_house_guid", "premise",     "resource",    "meter_serial",
                                           "level",   "reading_start",   "reading_end", "consumption", "method"};

void export_object(schema::Database& db, const schema::MeteringObject& object, const std::string& fallback_zone,
                   YearMonth period, const std::vector<billing::Rule>& rules, Table& table) {
  const auto tz = object_zone(object, fallback_zone);
  std::vector<std::int64_t> days;
  const auto months = billing_months(tz, period, history_months(rules), days);
  const auto& current = months.back();

  for (const auto& point : schema::list_points(db, object.id)) {
    const auto meters = load_meters(db, tz, point, days.front(), days.back());
    const Meter* shown = meter_for_row(meters, current.end);
    std::string serial;
    if (shown)
      if (auto device = schema::find_device(db, shown->installation.dev_eui)) serial = device->serial;
    std::vector<std::string> row = {"",
                                    object.fias_house_guid,
                                    "",
                                    point.resource,
                                    serial,
                                    "",
                                    opt(register_at(meters, current.start)),
                                    opt(register_at(meters, current.end)),
                                    "",
                                    ""};

    if (point.level == "building") {
      // House meters are exported as measured; the ОДН rules (item 59(1)) are not applied here.
      row[5] = "ОДПУ";
      if (auto v = measured(meters, {current.start, current.end})) {
        row[8] = number(*v);
        row[9] = "measured";
      }
      table.rows.push_back(std::move(row));
      continue;
    }

    std::optional<schema::Premise> premise;
    if (point.premise_id) premise = schema::find_premise(db, *point.premise_id);
    row[0] = premise ? premise->account : "";
    row[2] = premise ? premise->number : "";
    row[5] = "ИПУ";
    std::vector<appserver::InstallationSeries> series;
    for (const auto& m : meters) series.push_back(m.series);
    appserver::EstimationSettings no_estimates;
    no_estimates.estimate = false;
    const auto daily = appserver::point_consumption(series, days, no_estimates);
    const auto conditions = appserver::load_point_conditions(db, point, days.front(), days.back());
    std::vector<billing::Month> input;
    for (const auto& span : months) {
      auto month = measure_month(meters, conditions, days, daily, span);
      if (auto norm = schema::norm_at(db, object.id, point.resource, span.start)) month.norm = norm->per_month;
      input.push_back(month);
    }
    const bool residential = !premise || premise->kind != "non_residential";
    const auto billed = billing::bill(input, residential, rules).back();
    row[8] = opt(billed.value);
    row[9] = std::string(billing::name(billed.method));
    table.rows.push_back(std::move(row));
  }
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw UsageError("--output: cannot open " + path + " for writing");
  f << bytes;
  f.close();
  if (!f) throw UsageError("--output: cannot write " + path);
}

void add_export_billing(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("export", "exports for billing systems");
  group->require_subcommand(1);
  struct Args {
    std::string period, object, format = "csv", encoding = "utf-8", output;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = group->add_subcommand(
      "billing", "a month's readings and billed consumption per metering point (Decree 354 items 59-60)");
  cmd->add_option("--period", args->period, "billing month, YYYY-MM")->required();
  cmd->add_option("--object", args->object, "only this object (default: all objects)");
  cmd->add_option("--format", args->format, "csv (default)");
  cmd->add_option("--encoding", args->encoding, "utf-8 (default) or cp1251");
  cmd->add_option("--output", args->output, "write to this file instead of standard output");
  cmd->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      const auto period = period_arg(a.period);
      if (a.format != "csv") throw UsageError("--format must be csv (got '" + a.format + "')");
      const auto encoding = encoding_arg(a.encoding);
      std::vector<schema::MeteringObject> objects;
      if (!a.object.empty()) {
        auto object = schema::find_object(ctx.db, a.object);
        if (!object) throw UsageError("no object " + a.object);
        objects.push_back(*object);
      } else {
        objects = schema::list_objects(ctx.db);
      }
      const auto rules = stored_rules(ctx.db);
      Table table{kColumns, {}};
      for (const auto& object : objects) export_object(ctx.db, object, ctx.time_zone, period, rules, table);

      std::ostringstream csv;
      print_csv(csv, table);
      const auto bytes = encode_text(csv.str(), encoding);
      if (a.output.empty()) {
        ctx.output.out << bytes;
        return;
      }
      write_file(a.output, bytes);
      ctx.output.done(
          fmt::format("exported {} rows for {} to {}", table.rows.size(), a.period, a.output),
          {{"period", a.period}, {"rows", table.rows.size()}, {"output", a.output}, {"encoding", encoding}});
    };
  });
}

// ---------------------------------------------------------------------------------------------
// billing rule add / list

void add_billing_rules(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("billing", "billing configuration");
  group->require_subcommand(1);
  auto* rule = group->add_subcommand("rule", "dated rules for billing by average (Decree 354 items 59-60)");
  rule->require_subcommand(1);

  struct AddArgs {
    std::string from, source;
    int average_months = 0, min_history = 0, max_residential = 0, max_non_residential = 0;
  };
  auto args = std::make_shared<AddArgs>();
  auto* add = rule->add_subcommand(
      "add", "add a rule (or replace the one from the same date), applying to months starting on or after --from");
  add->add_option("--from", args->from, "first day: 2026-01-01 (local midnight) or a time")->required();
  add->add_option("--average-months", args->average_months, "months averaged (item 59: 6)")->required();
  add->add_option("--min-history", args->min_history, "fewest months for an average (item 59: 3)")->required();
  add->add_option("--max-residential", args->max_residential, "months billable by average, residential (3)")
      ->required();
  add->add_option("--max-non-residential", args->max_non_residential, "the same, non-residential (2)")->required();
  add->add_option("--source", args->source, "where the rule comes from (decree, item, date)");
  add->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      if (a.average_months < 1 || a.average_months > 120)
        throw UsageError("--average-months must be between 1 and 120");
      if (a.min_history < 1 || a.min_history > a.average_months)
        throw UsageError("--min-history must be between 1 and --average-months");
      if (a.max_residential < 0 || a.max_residential > 120)
        throw UsageError("--max-residential must be between 0 and 120");
      if (a.max_non_residential < 0 || a.max_non_residential > 120)
        throw UsageError("--max-non-residential must be between 0 and 120");
      const auto tz = zone_arg(ctx.time_zone);
      schema::BillingRuleRow r;
      r.valid_from = required_time_arg(tz, a.from, "--from");
      r.average_months = a.average_months;
      r.min_history_months = a.min_history;
      r.max_periods_residential = a.max_residential;
      r.max_periods_non_residential = a.max_non_residential;
      r.source = a.source;
      schema::set_billing_rule(ctx.db, r);
      ctx.output.done("billing rule from " + tz.format_iso8601(r.valid_from) + " saved",
                      {{"validFrom", tz.format_iso8601(r.valid_from)},
                       {"averageMonths", r.average_months},
                       {"minHistoryMonths", r.min_history_months},
                       {"maxPeriodsResidential", r.max_periods_residential},
                       {"maxPeriodsNonResidential", r.max_periods_non_residential},
                       {"source", r.source}});
    };
  });

  auto* list = rule->add_subcommand("list", "list the rules, oldest first");
  list->callback([&selected] {
    selected = [](Context& ctx) {
      const auto tz = zone_arg(ctx.time_zone);
      Table t{{"valid_from", "average_months", "min_history", "max_residential", "max_non_residential", "source"}, {}};
      nlohmann::json j = nlohmann::json::array();
      for (const auto& r : schema::billing_rules(ctx.db)) {
        // valid_from 0 is the migration's "always" rule; a date would only confuse.
        const auto from = r.valid_from == 0 ? std::string("always") : tz.format_iso8601(r.valid_from);
        t.rows.push_back({from, std::to_string(r.average_months), std::to_string(r.min_history_months),
                          std::to_string(r.max_periods_residential), std::to_string(r.max_periods_non_residential),
                          r.source});
        j.push_back({{"validFrom", r.valid_from == 0 ? nlohmann::json() : nlohmann::json(from)},
                     {"averageMonths", r.average_months},
                     {"minHistoryMonths", r.min_history_months},
                     {"maxPeriodsResidential", r.max_periods_residential},
                     {"maxPeriodsNonResidential", r.max_periods_non_residential},
                     {"source", r.source}});
      }
      ctx.output.table(t, j);
    };
  });
}

}  // namespace

void add_export_commands(CLI::App& app, Action& selected) {
  add_export_billing(app, selected);
  add_billing_rules(app, selected);
}

}  // namespace uchet::cli
