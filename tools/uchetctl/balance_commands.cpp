// uchetctl balance / reading set: the house balance of an object on the common grid, and the
// operator's manual readings (VEE editing) with their audit trail.
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "appserver/integration/balance_events.h"
#include "appserver/metering/object_balance.h"
#include "appserver/metering/point_consumption.h"
#include "schema/devices.h"
#include "schema/objects.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/object_import.h"
#include "tools/uchetctl/report_args.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

std::string opt(const std::optional<double>& v) { return v ? number(*v) : ""; }

void add_balance(CLI::App& app, Action& selected) {
  struct Args {
    std::string object, resource, from, to, grid = "day", format = "table";
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("balance",
                                 "house balance: building meters against the sum of premise meters, per grid interval");
  cmd->add_option("OBJECT", args->object, "object (building) name")->required();
  cmd->add_option("--resource", args->resource, "cold_water, hot_water, heat or electricity")->required();
  cmd->add_option("--from", args->from, "first grid boundary: 2026-11-01 (local midnight) or a time")->required();
  cmd->add_option("--to", args->to, "last grid boundary, same forms")->required();
  cmd->add_option("--grid", args->grid, "day (default) or hour");
  cmd->add_option("--format", args->format, "table (default), csv or json");
  cmd->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      check_resource(a.resource, "--resource");
      check_report_format(a.format);
      auto object = schema::find_object(ctx.db, a.object);
      if (!object) throw UsageError("no object " + a.object);
      auto tz = object_zone(*object, ctx.time_zone);
      const auto span = grid_span_arg(tz, a.from, a.to, a.grid);
      const auto balance =
          appserver::object_balance(ctx.db, *object, a.resource, span.from, span.to, span.grid, tz, ctx.balance);
      if (balance.building_points == 0)
        throw UsageError("object " + a.object + " has no building metering point for " + a.resource);

      nlohmann::json rows = nlohmann::json::array();
      Table table;
      table.columns = {"start",         "building", "premises",  "imbalance",
                       "imbalance_pct", "coverage", "estimated", "missing"};
      for (std::size_t i = 0; i < balance.rows.size(); ++i) {
        const auto& row = balance.rows[i];
        auto j = nlohmann::json::parse(appserver::balance_row_json(row, tz));
        nlohmann::json flags = nlohmann::json::object();
        for (const auto& [point, per_row] : balance.flags)
          if (!per_row[i].empty()) flags[point] = per_row[i];
        j["flags"] = flags;
        rows.push_back(j);

        std::string estimated, missing;
        for (const auto& e : row.estimated)
          estimated += (estimated.empty() ? "" : " ") + e.point + ":" + std::string(appserver::name(e.rule));
        for (const auto& m : row.missing) missing += (missing.empty() ? "" : " ") + m;
        table.rows.push_back({tz.format_iso8601(row.start), opt(row.building), number(row.premises), opt(row.imbalance),
                              row.imbalance_pct ? fmt::format("{:.2f}", *row.imbalance_pct) : "",
                              std::to_string(row.premise_points_measured) + "/" + std::to_string(row.premise_points),
                              estimated, missing});
      }
      const nlohmann::json out = {{"object", object->name},
                                  {"resource", a.resource},
                                  {"grid", a.grid},
                                  {"timeZone", tz.name()},
                                  {"rows", rows}};
      print_report(ctx.output, a.format, table, out);
    };
  });
}

void add_reading(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("reading", "manual readings (VEE editing): raw readings are never changed");
  group->require_subcommand(1);

  struct SetArgs {
    std::string dev_eui, quantity, at, reason, by;
    double value = 0;
  };
  auto args = std::make_shared<SetArgs>();
  auto* set = group->add_subcommand("set", "add a manual value for a register at a time, with the reason (audited)");
  set->add_option("DEV_EUI", args->dev_eui, "DevEUI")->required();
  set->add_option("--quantity", args->quantity, "register: volume, energy, mass, pulses")->required();
  set->add_option("--at", args->at, "when the value was read: 2026-11-20T10:00 (local) or ISO 8601")->required();
  set->add_option(
         "--value", args->value,
         "register value in its canonical unit: m3 for water (volume), kWh for heat (energy), t for mass, pulses")
      ->required();
  set->add_option("--reason", args->reason, "why (inspection act, customer photo, ...); kept in the audit log")
      ->required();
  set->add_option("--by", args->by, "who enters it");
  set->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      auto eui = eui_arg(a.dev_eui, "DevEUI");
      if (!schema::find_device(ctx.db, eui)) throw UsageError("no device " + lorawan::eui64_to_string(eui));
      static const char* registers[] = {"volume", "energy", "mass", "pulses"};
      bool known = false;
      for (const char* r : registers) known = known || a.quantity == r;
      if (!known) throw UsageError("--quantity must be volume, energy, mass or pulses");
      if (!std::isfinite(a.value) || a.value < 0) throw UsageError("--value must be a finite number >= 0");
      if (a.reason.find_first_not_of(" \t") == std::string::npos) throw UsageError("--reason must not be empty");
      auto tz = zone_arg(ctx.time_zone);
      schema::ManualReading r;
      r.dev_eui = eui;
      r.quantity = a.quantity;
      r.measured_at = required_time_arg(tz, a.at, "--at");
      r.value = a.value;
      r.reason = a.reason;
      r.entered_by = a.by;
      schema::add_manual_reading(ctx.db, r);
      ctx.output.done("manual " + a.quantity + " " + number(a.value) + " at " + tz.format_iso8601(r.measured_at) +
                          " for " + lorawan::eui64_to_string(eui) + " recorded (#" + std::to_string(r.id) + ")",
                      {{"id", r.id},
                       {"devEui", lorawan::eui64_to_string(eui)},
                       {"quantity", a.quantity},
                       {"measuredAt", tz.format_iso8601(r.measured_at)},
                       {"value", a.value}});
    };
  });

  struct ListArgs {
    std::string dev_eui;
  };
  auto list_args = std::make_shared<ListArgs>();
  auto* list = group->add_subcommand("edits", "a device's manual readings with their audit record");
  list->add_option("DEV_EUI", list_args->dev_eui, "DevEUI")->required();
  list->callback([&selected, list_args] {
    selected = [list_args](Context& ctx) {
      auto eui = eui_arg(list_args->dev_eui, "DevEUI");
      if (!schema::find_device(ctx.db, eui)) throw UsageError("no device " + lorawan::eui64_to_string(eui));
      auto tz = zone_arg(ctx.time_zone);
      Table t{{"id", "quantity", "measured_at", "value", "reason", "by", "recorded_at"}, {}};
      nlohmann::json j = nlohmann::json::array();
      for (const auto& quantity : {"volume", "energy", "mass", "pulses"}) {
        for (const auto& r : schema::manual_readings(ctx.db, eui, quantity, INT64_MIN, INT64_MAX)) {
          t.rows.push_back({std::to_string(r.id), r.quantity, tz.format_iso8601(r.measured_at), number(r.value),
                            r.reason, r.entered_by, tz.format_iso8601(r.recorded_at)});
          j.push_back({{"id", r.id},
                       {"quantity", r.quantity},
                       {"measuredAt", tz.format_iso8601(r.measured_at)},
                       {"value", r.value},
                       {"reason", r.reason},
                       {"enteredBy", r.entered_by},
                       {"recordedAt", tz.format_iso8601(r.recorded_at)}});
        }
      }
      ctx.output.table(t, j);
    };
  });
}

}  // namespace

void add_balance_commands(CLI::App& app, Action& selected) {
  add_balance(app, selected);
  add_reading(app, selected);
}

}  // namespace uchet::cli
