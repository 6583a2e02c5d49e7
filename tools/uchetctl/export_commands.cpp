// uchetctl export billing / billing rule / billing odn: the monthly flat file for billing systems
// (one row per metering point: readings at the month boundaries, the billed consumption and how
// it was billed, metering-domain.md §7; then the common-property share of each premise), the
// dated rules of Decree 354 items 59, 59(1), 60 it applies, and the ОДН of one object and month
// in detail. The month itself is computed in tools/uchetctl/billing_month.h.
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "schema/billing_rules.h"
#include "schema/objects.h"
#include "tools/uchetctl/billing_month.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/object_import.h"
#include "tools/uchetctl/report_args.h"
#include "tools/uchetctl/text_encoding.h"

namespace uchet::cli {
namespace {

namespace billing = appserver::billing;
namespace odn = appserver::common_property;

std::string opt(const std::optional<double>& v) { return v ? number(*v) : ""; }

const std::vector<std::string> kColumns = {"account", "fias_house_guid", "premise",     "resource",    "meter_serial",
                                           "level",   "reading_start",   "reading_end", "consumption", "method"};

// One row per metering point, then the common-property share (ОДН) of each premise per resource
// as rows of level ОДН (no meter, no readings: the share itself and its basis as the method).
void export_object(schema::Database& db, const schema::MeteringObject& object, const std::string& fallback_zone,
                   YearMonth period, const std::vector<billing::Rule>& rules, Table& table) {
  const auto bills = bill_object(db, object, fallback_zone, period, rules);
  for (const auto& b : bills) {
    const bool building = b.point.level == "building";
    table.rows.push_back({b.premise ? b.premise->account : "", object.fias_house_guid,
                          b.premise ? b.premise->number : "", b.point.resource, b.meter_serial,
                          building ? "ОДПУ" : "ИПУ", opt(b.reading_start), opt(b.reading_end), opt(b.billed.value),
                          // A house meter without a value has no method to report.
                          building && !b.billed.value ? "" : std::string(billing::name(b.billed.method))});
  }
  for (const auto& share : common_property_shares(db, object, fallback_zone, period, bills)) {
    for (std::size_t i = 0; i < share.premises.size(); ++i) {
      const auto& p = share.premises[i];
      table.rows.push_back({p.account, object.fias_house_guid, p.number, share.resource, "", "ОДН", "", "",
                            number(share.allocation.shares[i]), std::string(odn::name(share.allocation.basis))});
    }
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
      const auto period = year_month_arg(a.period, "--period");
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
// billing rule add / list, billing odn

nlohmann::json rule_json(const schema::BillingRuleRow& r, const appserver::TimeZone& tz) {
  // valid_from 0 is the migration's "always" rule; a date would only confuse.
  return {{"validFrom", r.valid_from == 0 ? nlohmann::json() : nlohmann::json(tz.format_iso8601(r.valid_from))},
          {"averageMonths", r.average_months},
          {"minHistoryMonths", r.min_history_months},
          {"maxPeriodsResidential", r.max_periods_residential},
          {"maxPeriodsNonResidential", r.max_periods_non_residential},
          {"maxPeriodsHouse", r.max_periods_house},
          {"normCoefficientResidential", r.norm_coefficient_residential},
          {"nonResidentialAfterLimit", r.non_residential_after_limit},
          {"heatingSeasonAverage", r.heating_season_average},
          {"source", r.source}};
}

std::string opt_text(const std::optional<double>& v) { return v ? number(*v) : "-"; }

void add_billing_odn(CLI::App* group, Action& selected) {
  struct Args {
    std::string object, month, resource;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = group->add_subcommand(
      "odn", "the common-property share (ОДН) of an object for a month: house volume, premises, cap, shares");
  cmd->add_option("OBJECT", args->object, "object name")->required();
  cmd->add_option("--month", args->month, "billing month, YYYY-MM")->required();
  cmd->add_option("--resource", args->resource, "only cold_water, hot_water or electricity");
  cmd->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      const auto period = year_month_arg(a.month, "--month");
      auto object = schema::find_object(ctx.db, a.object);
      if (!object) throw UsageError("no object " + a.object);
      if (!a.resource.empty()) {
        check_resource(a.resource, "--resource");
        if (a.resource == "heat")
          throw UsageError("--resource heat: heating has no separate common-property share (item 42(1))");
      }
      if (!object->common_area_m2 && !object->owners_above_norm)
        throw UsageError("object " + object->name + " has no common-property area; set it with `uchetctl object set " +
                         object->name + " --common-area M2` (or --owners-above-norm yes)");
      const auto rules = stored_rules(ctx.db);
      const auto bills = bill_object(ctx.db, *object, ctx.time_zone, period, rules);
      const auto shares = common_property_shares(ctx.db, *object, ctx.time_zone, period, bills, a.resource);
      if (shares.empty())
        throw UsageError("object " + object->name + " has no house meter and no common-property norm" +
                         (a.resource.empty() ? std::string() : " for " + a.resource));
      auto j = nlohmann::json::array();
      for (const auto& s : shares) {
        const auto& in = s.input;
        const auto& al = s.allocation;
        double used = 0;
        for (const auto& p : in.premises) used += *p.volume;
        Table t{{"PREMISE", "KIND", "AREA", "VOLUME", "SHARE"}, {}};
        auto premises = nlohmann::json::array();
        for (std::size_t i = 0; i < s.premises.size(); ++i) {
          const auto& p = s.premises[i];
          t.rows.push_back({p.number, p.kind, number(*in.premises[i].area_m2), number(*in.premises[i].volume),
                            number(al.shares[i])});
          premises.push_back({{"premise", p.number},
                              {"kind", p.kind},
                              {"area", *in.premises[i].area_m2},
                              {"volume", *in.premises[i].volume},
                              {"share", al.shares[i]}});
        }
        auto optional = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
        j.push_back({{"resource", s.resource},
                     {"basis", odn::name(al.basis)},
                     {"houseVolume", optional(in.house_volume)},
                     {"premisesVolume", used},
                     {"difference", optional(al.difference)},
                     {"commonArea", optional(in.common_area_m2)},
                     {"normPerM2", optional(in.norm_per_m2)},
                     {"cap", optional(al.cap)},
                     {"ownersAboveNorm", in.owners_above_norm},
                     {"distributed", al.distributed},
                     {"totalArea", al.total_area_m2},
                     {"premises", premises}});
        if (ctx.output.json) continue;
        print_fields(ctx.output.out, {{"resource", s.resource},
                                      {"basis", std::string(odn::name(al.basis))},
                                      {"house meter volume", opt_text(in.house_volume)},
                                      {"premises' volume", number(used)},
                                      {"difference", opt_text(al.difference)},
                                      {"cap (norm × common area)", opt_text(al.cap)},
                                      {"owners above the norm", in.owners_above_norm ? "yes" : "no"},
                                      {"distributed", number(al.distributed)},
                                      {"area of the premises", number(al.total_area_m2)}});
        print_table(ctx.output.out, t);
        ctx.output.out << "\n";
      }
      if (ctx.output.json) ctx.output.out << j.dump(2) << "\n";
    };
  });
}

void add_billing_rules(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("billing", "billing configuration");
  group->require_subcommand(1);
  auto* rule = group->add_subcommand("rule", "dated rules for billing by average (Decree 354 items 59-60)");
  rule->require_subcommand(1);

  struct AddArgs {
    std::string from, source, non_residential = "calculated", heating_season_average = "yes";
    int average_months = 0, min_history = 0, max_residential = 0, max_non_residential = 0, max_house = 3;
    double norm_coefficient = 1.0;
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
  add->add_option("--max-house", args->max_house, "the same for a house meter, item 59(1) (3)");
  add->add_option("--norm-coefficient", args->norm_coefficient,
                  "residential norm after the limit is multiplied by this (item 60; default 1)");
  add->add_option("--non-residential", args->non_residential,
                  "after the limit non-residential premises are billed by: calculated (item 43, default) or norm");
  add->add_option("--heating-season-average", args->heating_season_average,
                  "yes (default): heat is averaged over heating-season months (items 59, 59(1)); no: all months");
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
      if (a.max_house < 0 || a.max_house > 120) throw UsageError("--max-house must be between 0 and 120");
      if (!(a.norm_coefficient >= 1.0 && a.norm_coefficient <= 10.0))
        throw UsageError("--norm-coefficient must be between 1 and 10");
      if (a.non_residential != "calculated" && a.non_residential != "norm")
        throw UsageError("--non-residential must be calculated or norm, got '" + a.non_residential + "'");
      const bool heating_season_average = yes_no_arg(a.heating_season_average, "--heating-season-average");
      const auto tz = zone_arg(ctx.time_zone);
      schema::BillingRuleRow r;
      r.valid_from = required_time_arg(tz, a.from, "--from");
      r.average_months = a.average_months;
      r.min_history_months = a.min_history;
      r.max_periods_residential = a.max_residential;
      r.max_periods_non_residential = a.max_non_residential;
      r.source = a.source;
      r.max_periods_house = a.max_house;
      r.norm_coefficient_residential = a.norm_coefficient;
      r.non_residential_after_limit = a.non_residential;
      r.heating_season_average = heating_season_average;
      schema::set_billing_rule(ctx.db, r);
      ctx.output.done("billing rule from " + tz.format_iso8601(r.valid_from) + " saved", rule_json(r, tz));
    };
  });

  auto* list = rule->add_subcommand("list", "list the rules, oldest first");
  add_billing_odn(group, selected);
  list->callback([&selected] {
    selected = [](Context& ctx) {
      const auto tz = zone_arg(ctx.time_zone);
      Table t{{"valid_from", "average_months", "min_history", "max_residential", "max_non_residential", "max_house",
               "norm_coefficient", "non_residential_after", "heating_season_average", "source"},
              {}};
      nlohmann::json j = nlohmann::json::array();
      for (const auto& r : schema::billing_rules(ctx.db)) {
        const auto from = r.valid_from == 0 ? std::string("always") : tz.format_iso8601(r.valid_from);
        t.rows.push_back({from, std::to_string(r.average_months), std::to_string(r.min_history_months),
                          std::to_string(r.max_periods_residential), std::to_string(r.max_periods_non_residential),
                          std::to_string(r.max_periods_house), number(r.norm_coefficient_residential),
                          r.non_residential_after_limit, r.heating_season_average ? "yes" : "no", r.source});
        j.push_back(rule_json(r, tz));
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
