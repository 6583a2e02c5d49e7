// uchetctl readings / alarms / redecode: the meter data of one device, raw or on the grid.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "appserver/metering/grid.h"
#include "appserver/metering/metering.h"
#include "appserver/metering/time_zone.h"
#include "codecs/codec.h"
#include "schema/alarms.h"
#include "schema/applications.h"
#include "schema/devices.h"
#include "schema/objects.h"
#include "schema/readings.h"
#include "schema/uplink_frames.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/report_args.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

// Registers that count up; only these have grid values and consumption.
const std::set<std::string> kCumulative = {"volume", "energy", "mass", "pulses"};

struct RegisterKey {
  std::string quantity;
  int channel = 0;
  auto operator<=>(const RegisterKey&) const = default;
};

// One register on the grid: radio readings and the operator's manual ones, by time.
struct Register {
  std::string resource, unit;
  std::map<std::int64_t, appserver::GridPoint> points;
};

// The unit `uchetctl reading set` takes a manual value in, per register.
std::string manual_unit(const std::string& quantity) {
  if (quantity == "volume") return "m3";
  if (quantity == "energy") return "kWh";
  if (quantity == "mass") return "t";
  return quantity;  // pulses
}

// The resource a device measures by its installations (the latest), for a register known only
// from manual readings.
std::string installed_resource(schema::Database& db, lorawan::Eui64 dev_eui) {
  const auto installations = schema::installations_of_device(db, dev_eui);
  if (installations.empty()) return "";
  const auto point = schema::find_point(db, installations.back().point_id);
  return point ? point->resource : "";
}

// The device's registers for the grid: current values (storage 0, tariff 0) of cumulative
// quantities, with the manual readings merged in as the point series does (a manual value wins
// at the same instant). A manual reading names no channel: it goes to the lowest channel that
// has radio readings of its quantity, else to channel 0.
std::map<RegisterKey, Register> grid_registers(schema::Database& db, lorawan::Eui64 dev_eui,
                                               const std::string& quantity) {
  std::map<RegisterKey, Register> registers;
  for (const auto& r : schema::list_readings(db, dev_eui, INT64_MIN, INT64_MAX, quantity)) {
    if (!kCumulative.count(r.quantity) || r.storage != 0 || r.tariff != 0) continue;
    auto& reg = registers[{r.quantity, r.channel}];
    reg.resource = r.resource;
    reg.unit = r.unit;
    reg.points[r.measured_at] = {r.measured_at, r.value};
  }
  for (const auto& q : kCumulative) {
    if (!quantity.empty() && q != quantity) continue;
    const auto manual = schema::manual_readings(db, dev_eui, q, INT64_MIN, INT64_MAX);
    if (manual.empty()) continue;
    auto it = std::find_if(registers.begin(), registers.end(), [&](const auto& r) { return r.first.quantity == q; });
    if (it == registers.end()) {
      it = registers.emplace(RegisterKey{q, 0}, Register{installed_resource(db, dev_eui), manual_unit(q), {}}).first;
    }
    for (const auto& m : manual) it->second.points[m.measured_at] = {m.measured_at, m.value, true};
  }
  return registers;
}

std::string method_name(appserver::GridValue::Method m) {
  switch (m) {
    case appserver::GridValue::Method::Measured:
      return "measured";
    case appserver::GridValue::Method::Interpolated:
      return "interpolated";
    case appserver::GridValue::Method::Missing:
      return "missing";
  }
  return "";
}

}  // namespace

void add_reading_commands(CLI::App& app, Action& selected) {
  struct ReadingArgs {
    std::string dev_eui, from, to, quantity, grid, format = "table", tz;
  };
  auto args = std::make_shared<ReadingArgs>();
  auto* readings =
      app.add_subcommand("readings", "a device's readings, raw or on the hourly/daily grid with consumption");
  readings->add_option("DEV_EUI", args->dev_eui, "DevEUI")->required();
  readings->add_option("--from", args->from, "start: 2026-11-01, 2026-11-01T06:00 (local) or ISO 8601 with offset");
  readings->add_option("--to", args->to, "end, same forms");
  readings->add_option("--quantity", args->quantity, "only this quantity (volume, energy, ...)");
  readings->add_option("--grid", args->grid, "hour or day: grid values and consumption per interval");
  readings->add_option("--format", args->format, "table (default), csv or json");
  readings->add_option("--tz", args->tz, "time zone (default: the application's, else the configuration's)");
  readings->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      auto eui = eui_arg(a.dev_eui, "DevEUI");
      auto device = schema::find_device(ctx.db, eui);
      if (!device) throw UsageError("no device " + lorawan::eui64_to_string(eui));
      check_report_format(a.format);
      if (!a.grid.empty() && a.grid != "hour" && a.grid != "day") throw UsageError("--grid must be hour or day");
      // Day boundaries follow --tz, else the device's application, else the configuration.
      auto application = schema::find_application(ctx.db, device->application);
      auto tz = zone_arg(!a.tz.empty()                                    ? a.tz
                         : application && !application->time_zone.empty() ? application->time_zone
                                                                          : ctx.time_zone);
      auto from = time_arg(tz, a.from, "--from");
      auto to = time_arg(tz, a.to, "--to");
      if (from && to && *to < *from) throw UsageError("--to is before --from");
      Table table;
      nlohmann::json j = nlohmann::json::array();

      if (a.grid.empty()) {
        table.columns = {"measured_at", "quantity", "resource", "channel", "storage",    "tariff",
                         "value",       "unit",     "flags",    "status",  "received_at"};
        for (const auto& r :
             schema::list_readings(ctx.db, eui, from.value_or(INT64_MIN), to.value_or(INT64_MAX), a.quantity)) {
          table.rows.push_back({tz.format_iso8601(r.measured_at), r.quantity, r.resource, std::to_string(r.channel),
                                std::to_string(r.storage), std::to_string(r.tariff), number(r.value), r.unit, r.flags,
                                r.status, tz.format_iso8601(r.received_at)});
          j.push_back({{"measuredAt", tz.format_iso8601(r.measured_at)},
                       {"quantity", r.quantity},
                       {"resource", r.resource},
                       {"channel", r.channel},
                       {"storage", r.storage},
                       {"tariff", r.tariff},
                       {"value", r.value},
                       {"unit", r.unit},
                       {"flags", r.flags},
                       {"status", r.status},
                       {"receivedAt", tz.format_iso8601(r.received_at)}});
        }
      } else {
        const bool daily = a.grid == "day";
        const std::int64_t max_gap = daily ? 26 * 3600 : 3 * 3600;
        const auto registers = grid_registers(ctx.db, eui, a.quantity);
        table.columns = {"start",       "end",          "quantity",  "resource",   "channel",     "unit",
                         "start_value", "start_method", "end_value", "end_method", "consumption", "note"};
        for (const auto& [key, reg] : registers) {
          std::vector<appserver::GridPoint> series;
          for (const auto& [time, point] : reg.points) series.push_back(point);
          const std::int64_t first =
              from.value_or(daily ? tz.start_of_local_day(series.front().time) : series.front().time / 3600 * 3600);
          const std::int64_t last = to.value_or(series.back().time);
          auto boundaries =
              daily ? appserver::day_boundaries(tz, first, last) : appserver::hour_boundaries(first, last);
          auto values = appserver::sample_grid(series, boundaries, max_gap);
          auto intervals = appserver::consumption(values);
          for (std::size_t i = 0; i < intervals.size(); ++i) {
            const auto& in = intervals[i];
            const auto& s = values[i];
            const auto& e = values[i + 1];
            const bool manual = s.manual || e.manual;
            std::string note = in.register_rollback ? "register went backwards" : (!in.consumption ? "no value" : "");
            if (manual) note = note.empty() ? "manual" : note + "; manual";
            table.rows.push_back({tz.format_iso8601(in.start), tz.format_iso8601(in.end), key.quantity, reg.resource,
                                  std::to_string(key.channel), reg.unit, s.value ? number(*s.value) : "",
                                  method_name(s.method), e.value ? number(*e.value) : "", method_name(e.method),
                                  in.consumption ? number(*in.consumption) : "", note});
            nlohmann::json row = {{"start", tz.format_iso8601(in.start)},
                                  {"end", tz.format_iso8601(in.end)},
                                  {"quantity", key.quantity},
                                  {"resource", reg.resource},
                                  {"channel", key.channel},
                                  {"unit", reg.unit},
                                  {"startMethod", method_name(s.method)},
                                  {"endMethod", method_name(e.method)},
                                  {"registerRollback", in.register_rollback},
                                  {"manual", manual}};
            row["startValue"] = s.value ? nlohmann::json(*s.value) : nlohmann::json();
            row["endValue"] = e.value ? nlohmann::json(*e.value) : nlohmann::json();
            row["consumption"] = in.consumption ? nlohmann::json(*in.consumption) : nlohmann::json();
            j.push_back(row);
          }
        }
      }
      print_report(ctx.output, a.format, table, j);
    };
  });

  struct AlarmArgs {
    bool open_only = false;
    std::string dev_eui, object, since, tz;
  };
  auto alarm_args = std::make_shared<AlarmArgs>();
  auto* alarms = app.add_subcommand("alarms", "alarms (нештатные ситуации): open and closed");
  alarms->add_flag("--open", alarm_args->open_only, "only alarms still open");
  auto* device_filter = alarms->add_option("--device", alarm_args->dev_eui, "only this device");
  alarms->add_option("--object", alarm_args->object, "the alarms of this object (building), e.g. imbalance")
      ->excludes(device_filter);
  alarms->add_option("--since", alarm_args->since, "opened at or after this time");
  alarms->add_option("--tz", alarm_args->tz, "time zone for printed times");
  alarms->callback([&selected, alarm_args] {
    selected = [alarm_args](Context& ctx) {
      const auto& a = *alarm_args;
      auto tz = zone_arg(a.tz.empty() ? ctx.time_zone : a.tz);
      std::string dev_eui;
      if (!a.dev_eui.empty()) dev_eui = lorawan::eui64_to_string(eui_arg(a.dev_eui, "--device"));
      auto since = time_arg(tz, a.since, "--since");
      if (!a.object.empty()) {
        auto object = schema::find_object(ctx.db, a.object);
        if (!object) throw UsageError("no object " + a.object);
        Table t{{"ID", "OBJECT", "KIND", "RESOURCE", "OPENED", "CLOSED"}, {}};
        auto j = nlohmann::json::array();
        for (const auto& alarm :
             schema::list_object_alarms(ctx.db, object->id, since.value_or(INT64_MIN), a.open_only)) {
          const auto& closed = alarm.closed_at;
          t.rows.push_back({std::to_string(alarm.id), object->name, alarm.kind, alarm.resource,
                            tz.format_iso8601(alarm.opened_at), closed ? tz.format_iso8601(*closed) : "open"});
          j.push_back({{"id", alarm.id},
                       {"object", object->name},
                       {"kind", alarm.kind},
                       {"resource", alarm.resource},
                       {"openedAt", tz.format_iso8601(alarm.opened_at)},
                       {"closedAt", closed ? nlohmann::json(tz.format_iso8601(*closed)) : nlohmann::json()}});
        }
        ctx.output.table(t, j);
        return;
      }
      Table t{{"ID", "DEV EUI", "KIND", "OPENED", "CLOSED"}, {}};
      auto j = nlohmann::json::array();
      for (const auto& alarm : schema::list_alarms(ctx.db, dev_eui, since.value_or(INT64_MIN), a.open_only)) {
        const auto& closed = alarm.closed_at;
        t.rows.push_back({std::to_string(alarm.id), alarm.dev_eui, alarm.kind, tz.format_iso8601(alarm.opened_at),
                          closed ? tz.format_iso8601(*closed) : "open"});
        j.push_back({{"id", alarm.id},
                     {"devEui", alarm.dev_eui},
                     {"kind", alarm.kind},
                     {"openedAt", tz.format_iso8601(alarm.opened_at)},
                     {"closedAt", closed ? nlohmann::json(tz.format_iso8601(*closed)) : nlohmann::json()}});
      }
      ctx.output.table(t, j);
    };
  });

  struct RedecodeArgs {
    std::string dev_eui, from, to, tz;
    bool all = false;
  };
  auto redecode_args = std::make_shared<RedecodeArgs>();
  auto* redecode =
      app.add_subcommand("redecode", "run the current codec again over stored frames, replacing their readings");
  auto* device_opt = redecode->add_option("--device", redecode_args->dev_eui, "one device");
  auto* all_opt = redecode->add_flag("--all", redecode_args->all, "every device");
  device_opt->excludes(all_opt);
  redecode->add_option("--from", redecode_args->from, "frames received at or after");
  redecode->add_option("--to", redecode_args->to, "frames received at or before");
  redecode->add_option("--tz", redecode_args->tz, "time zone of --from/--to without an offset");
  redecode->callback([&selected, redecode_args] {
    selected = [redecode_args](Context& ctx) {
      const auto& a = *redecode_args;
      if (a.dev_eui.empty() && !a.all) throw UsageError("give --device DEV_EUI or --all");
      auto tz = zone_arg(a.tz.empty() ? ctx.time_zone : a.tz);
      std::string dev_eui;
      if (!a.dev_eui.empty()) {
        auto eui = eui_arg(a.dev_eui, "--device");
        if (!schema::find_device(ctx.db, eui)) throw UsageError("no device " + lorawan::eui64_to_string(eui));
        dev_eui = lorawan::eui64_to_string(eui);
      }
      auto from = time_arg(tz, a.from, "--from");
      auto to = time_arg(tz, a.to, "--to");
      const auto frames =
          schema::archived_frames(ctx.db, dev_eui, from ? *from * 1000 : INT64_MIN, to ? *to * 1000 + 999 : INT64_MAX);
      int decoded = 0, failed = 0, readings = 0;
      for (const auto& f : frames) {
        schema::delete_readings_of_frame(ctx.db, f.id);
        auto device = schema::find_device(ctx.db, *lorawan::parse_eui64(f.dev_eui));
        if (!device || device->codec.empty() || !f.f_port || *f.f_port == 0) continue;
        auto payload = codecs::decode(device->codec, static_cast<std::uint8_t>(*f.f_port), f.payload);
        if (!payload) {
          ++failed;
          continue;
        }
        ++decoded;
        appserver::FrameContext context{f.id, f.received_at_ms / 1000, static_cast<double>(f.network_time_ms) / 1000.0,
                                        0.0};
        auto [offset, period] = appserver::device_clock(ctx.db, device->dev_eui);
        readings += appserver::store_readings(ctx.db, *device, *payload, context, offset, period);
      }
      ctx.output.done(
          fmt::format("re-decoded {} frame(s): {} decoded, {} codec error(s), {} reading(s) stored", frames.size(),
                      decoded, failed, readings),
          {{"frames", frames.size()}, {"decoded", decoded}, {"codecErrors", failed}, {"readings", readings}});
    };
  });
}

}  // namespace uchet::cli
