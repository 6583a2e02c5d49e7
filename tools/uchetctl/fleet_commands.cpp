// uchetctl fleet report: the lifecycle contract's figures for a fleet of meters over a period —
// coefficient of cumulative operating time per device and pooled, failures per year, mean time
// to restore — plus what needs attention now (silent meters, verifications due). The arithmetic
// is the pure appserver/metering/operating_time.h; this file only gathers its inputs and prints.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <set>

#include "appserver/metering/lifecycle.h"
#include "appserver/metering/metering.h"
#include "appserver/metering/operating_time.h"
#include "schema/alarms.h"
#include "schema/applications.h"
#include "schema/device_clocks.h"
#include "schema/devices.h"
#include "schema/lifecycle.h"
#include "schema/objects.h"
#include "schema/readings.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/lifecycle_derived.h"
#include "tools/uchetctl/report_args.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

namespace lc = appserver::lifecycle;
using Span = std::pair<std::int64_t, std::int64_t>;

constexpr std::int64_t kVerificationHorizon = 30 * 86400;  // "due soon" in the report: 30 days ahead

// The [start, end) spans in which the stored log puts the device in service, clipped to the
// period. Inspections and on-site verifications keep it in service, so they do not cut a span.
std::vector<Span> in_service_spans(const std::vector<schema::LifecycleEventRow>& rows, std::int64_t from,
                                   std::int64_t to) {
  std::vector<Span> raw;
  lc::State state;
  std::optional<std::int64_t> since;
  for (const auto& row : rows) {
    auto next = lc::apply(state, to_event(row));
    if (!next) throw schema::StorageError("the stored lifecycle log is inconsistent: " + next.error());
    const bool was = state.stage == lc::Stage::InService, is = next->stage == lc::Stage::InService;
    if (!was && is) since = row.at;
    if (was && !is) raw.emplace_back(*since, row.at);
    state = *next;
  }
  if (since && state.stage == lc::Stage::InService) raw.emplace_back(*since, to);
  std::vector<Span> spans;
  for (auto [s, e] : raw) {
    s = std::max(s, from);
    e = std::min(e, to);
    if (s < e) spans.emplace_back(s, e);
  }
  return spans;
}

// Times of valid measured readings: current values (storage 0) of the registers a meter exists
// for (volume, energy), neither flagged nor with a status that disqualifies them
// (appserver::valid_for_operating). Several registers at one time count once.
std::vector<std::int64_t> valid_reading_times(schema::Database& db, lorawan::Eui64 dev_eui, std::int64_t from,
                                              std::int64_t to) {
  std::vector<std::int64_t> times;
  for (const auto& r : schema::register_reading_times(db, dev_eui, from, to)) {
    if (!appserver::valid_for_operating(r.flags, r.status)) continue;
    if (times.empty() || times.back() != r.measured_at) times.push_back(r.measured_at);
  }
  return times;
}

// DEVICE INFO's period when the device reported one, else the metering default (24 h).
std::int64_t reporting_period(schema::Database& db, lorawan::Eui64 dev_eui) {
  auto clock = schema::find_device_clock(db, dev_eui);
  return appserver::reporting_period_or_default(clock ? clock->reporting_period_s : std::nullopt);
}

bool silent_now(schema::Database& db, lorawan::Eui64 dev_eui) {
  return schema::open_alarm_id(db, dev_eui, schema::kSilentAlarm).has_value();
}

// Devices with an installation at any point of the object that overlaps [from, to).
std::set<lorawan::Eui64> installed_at_object(schema::Database& db, std::int64_t object_id, std::int64_t from,
                                             std::int64_t to) {
  std::set<lorawan::Eui64> euis;
  for (const auto& point : schema::list_points(db, object_id)) {
    for (const auto& inst : schema::installations_of_point(db, point.id)) {
      if (inst.installed_at < to && (!inst.removed_at || *inst.removed_at > from)) euis.insert(inst.dev_eui);
    }
  }
  return euis;
}

std::string percent(std::optional<double> v) { return v ? fmt::format("{:.2f} %", *v * 100) : "-"; }

// Restore times read best in days when they are days long, in hours when shorter.
std::string duration_text(std::optional<double> seconds) {
  if (!seconds) return "-";
  if (*seconds >= 86400) return number(std::round(*seconds / 864.0) / 100) + " d";
  return number(std::round(*seconds / 36.0) / 100) + " h";
}

nlohmann::json optional_json(std::optional<double> v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

std::optional<double> mean(const std::vector<std::int64_t>& v) {
  if (v.empty()) return std::nullopt;
  return static_cast<double>(std::accumulate(v.begin(), v.end(), std::int64_t{0})) / static_cast<double>(v.size());
}

struct FleetArgs {
  std::string app, object, from, to, format = "table", tz, now;
  double target = 0.98;
};

struct Member {
  schema::Device device;
  bool lifecycle_recorded = false;
  bool silent = false;
  std::vector<Span> spans;
};

void fleet_report(Context& ctx, const FleetArgs& a) {
  if (a.format != "table" && a.format != "json") throw UsageError("--format must be table or json");
  if (!(a.target > 0 && a.target <= 1)) throw UsageError("--target must be above 0 and at most 1 (e.g. 0.98)");
  std::optional<schema::Application> application;
  if (!a.app.empty()) {
    application = schema::find_application(ctx.db, a.app);
    if (!application) throw UsageError("no application " + a.app);
  }
  std::optional<schema::MeteringObject> object;
  if (!a.object.empty()) {
    object = schema::find_object(ctx.db, a.object);
    if (!object) throw UsageError("no object " + a.object);
  }
  // Interval boundaries follow --tz, else the object's zone, else the application's, else the configuration's.
  auto tz = zone_arg(!a.tz.empty()                                    ? a.tz
                     : object && !object->time_zone.empty()           ? object->time_zone
                     : application && !application->time_zone.empty() ? application->time_zone
                                                                      : ctx.time_zone);
  const std::int64_t from = required_time_arg(tz, a.from, "--from");
  const std::int64_t to = required_time_arg(tz, a.to, "--to");
  if (from >= to) throw UsageError("--from must be before --to");
  const std::int64_t now = a.now.empty() ? schema::unix_now() : required_time_arg(tz, a.now, "--now");

  std::vector<schema::Device> devices =
      schema::list_devices(ctx.db, application ? std::optional<std::int64_t>(application->id) : std::nullopt);
  if (object) {
    auto installed = installed_at_object(ctx.db, object->id, from, to);
    std::erase_if(devices, [&](const schema::Device& d) { return !installed.count(d.dev_eui); });
  }
  std::sort(devices.begin(), devices.end(), [](const auto& x, const auto& y) { return x.dev_eui < y.dev_eui; });

  // Due dates on the configuration's local days, as `passport` and `verification due` show them.
  const auto verification_tz = zone_arg(ctx.time_zone);
  std::vector<Member> members;
  std::vector<appserver::DeviceOperatingInput> inputs;
  for (const auto& device : devices) {
    const auto eui = lorawan::eui64_to_string(device.dev_eui);
    Member m{device};
    auto rows = schema::lifecycle_events(ctx.db, device.dev_eui);
    m.lifecycle_recorded = !rows.empty();
    // A meter registered without a lifecycle log (most fleets before the passport existed) is
    // taken as in service throughout: counting it as never in service would hide its outages.
    m.spans = m.lifecycle_recorded ? in_service_spans(rows, from, to) : std::vector<Span>{{from, to}};
    m.silent = silent_now(ctx.db, device.dev_eui);
    // Readings after the verification due day do not count (operating_time.h).
    const auto due = derive_passport(verification_tz, schema::find_passport(ctx.db, device.dev_eui), rows).next_due;
    inputs.push_back({eui, reporting_period(ctx.db, device.dev_eui), m.spans,
                      valid_reading_times(ctx.db, device.dev_eui, from, to), due});
    members.push_back(std::move(m));
  }
  auto fleet = appserver::fleet_operating(inputs, from, to, a.target);

  std::set<lorawan::Eui64> in_fleet;
  for (const auto& d : devices) in_fleet.insert(d.dev_eui);
  std::vector<VerificationDue> due;
  for (auto& v : verifications_due(ctx.db, verification_tz, now, kVerificationHorizon))
    if (in_fleet.count(v.device.dev_eui)) due.push_back(std::move(v));

  int in_service = 0, operating = 0;
  std::vector<std::string> silent, without_lifecycle;
  for (std::size_t i = 0; i < members.size(); ++i) {
    in_service += fleet.devices[i].intervals_in_service;
    operating += fleet.devices[i].intervals_operating;
    if (members[i].silent) silent.push_back(inputs[i].id);
    if (!members[i].lifecycle_recorded) without_lifecycle.push_back(inputs[i].id);
  }
  const std::set<std::string> below(fleet.below_target.begin(), fleet.below_target.end());
  const bool meets = fleet.coefficient && *fleet.coefficient >= a.target;

  if (a.format == "json" || ctx.output.json) {
    auto devices_json = nlohmann::json::array();
    for (std::size_t i = 0; i < members.size(); ++i) {
      const auto& r = fleet.devices[i];
      auto spans = nlohmann::json::array();
      for (const auto& [s, e] : members[i].spans)
        spans.push_back({{"from", tz.format_iso8601(s)}, {"to", tz.format_iso8601(e)}});
      devices_json.push_back({{"devEui", r.id},
                              {"name", members[i].device.name},
                              {"application", members[i].device.application},
                              {"reportingPeriodS", inputs[i].reporting_period_s},
                              {"lifecycleRecorded", members[i].lifecycle_recorded},
                              {"inServiceSpans", spans},
                              {"intervalsInService", r.intervals_in_service},
                              {"intervalsOperating", r.intervals_operating},
                              {"coefficient", optional_json(r.coefficient)},
                              {"belowTarget", below.count(r.id) > 0},
                              {"failures", r.failures},
                              {"restoreTimesS", r.restore_times_s},
                              {"meanTimeToRestoreS", optional_json(mean(r.restore_times_s))},
                              {"outageOngoing", r.outage_ongoing},
                              {"silentNow", members[i].silent}});
    }
    auto due_json = nlohmann::json::array();
    for (const auto& v : due) {
      auto left = lc::days_until(now, v.due);
      due_json.push_back({{"devEui", lorawan::eui64_to_string(v.device.dev_eui)},
                          {"name", v.device.name},
                          {"due", verification_tz.format_iso8601(v.due).substr(0, 10)},
                          {"daysLeft", left},
                          {"overdue", left < 0}});
    }
    nlohmann::json j = {{"from", tz.format_iso8601(from)},
                        {"to", tz.format_iso8601(to)},
                        {"timeZone", tz.name()},
                        {"application", application ? nlohmann::json(application->name) : nlohmann::json()},
                        {"object", object ? nlohmann::json(object->name) : nlohmann::json()},
                        {"devices", devices_json},
                        {"fleet",
                         {{"devices", members.size()},
                          {"intervalsInService", in_service},
                          {"intervalsOperating", operating},
                          {"coefficient", optional_json(fleet.coefficient)},
                          {"target", a.target},
                          {"meetsTarget", meets},
                          {"belowTarget", fleet.below_target},
                          {"failures", fleet.failures},
                          {"failuresPerYear", optional_json(fleet.failures_per_year)},
                          {"meanTimeToRestoreS", optional_json(fleet.mean_time_to_restore_s)},
                          {"silentNow", silent},
                          {"verificationsDue", due_json},
                          {"devicesWithoutLifecycle", without_lifecycle}}}};
    ctx.output.out << j.dump(2) << '\n';
    return;
  }

  Table t{{"DEV EUI", "NAME", "IN SERVICE", "OPERATING", "COEFFICIENT", "FAILURES", "MTTR", "NOTE"}, {}};
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto& r = fleet.devices[i];
    std::vector<std::string> notes;
    if (below.count(r.id)) notes.push_back("below target");
    if (r.outage_ongoing) notes.push_back("outage ongoing");
    if (members[i].silent) notes.push_back("silent now");
    if (!members[i].lifecycle_recorded) notes.push_back("no lifecycle events: in service all period");
    std::string note;
    for (const auto& n : notes) note += (note.empty() ? "" : "; ") + n;
    t.rows.push_back({r.id, members[i].device.name, std::to_string(r.intervals_in_service),
                      std::to_string(r.intervals_operating), percent(r.coefficient), std::to_string(r.failures),
                      duration_text(mean(r.restore_times_s)), note});
  }
  print_table(ctx.output.out, t);

  auto list = [](const std::vector<std::string>& ids) {
    std::string text = std::to_string(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) text += (i ? ", " : " (") + ids[i] + (i + 1 == ids.size() ? ")" : "");
    return text;
  };
  std::vector<std::string> due_ids;
  for (const auto& v : due) {
    auto left = lc::days_until(now, v.due);
    due_ids.push_back(fmt::format("{} {} {}", lorawan::eui64_to_string(v.device.dev_eui),
                                  verification_tz.format_iso8601(v.due).substr(0, 10),
                                  left < 0 ? "overdue" : fmt::format("in {} d", left)));
  }
  std::string scope = application ? "application " + application->name : "all applications";
  if (object) scope += ", object " + object->name;
  ctx.output.out << '\n';
  print_fields(
      ctx.output.out,
      {{"period", tz.format_iso8601(from) + " .. " + tz.format_iso8601(to)},
       {"fleet", fmt::format("{} device(s), {}", members.size(), scope)},
       {"intervals", fmt::format("{} in service, {} operating", in_service, operating)},
       {"coefficient", fmt::format("{} (target {}): {}", percent(fleet.coefficient), percent(a.target),
                                   !fleet.coefficient ? "nothing in service"
                                   : meets            ? "meets target"
                                                      : "below target")},
       {"devices below target", list(fleet.below_target)},
       {"failures", std::to_string(fleet.failures)},
       {"failures per year", fleet.failures_per_year ? number(std::round(*fleet.failures_per_year * 100) / 100) : "-"},
       {"mean time to restore", duration_text(fleet.mean_time_to_restore_s)},
       {"devices silent now", list(silent)},
       {"verifications due within 30 days or overdue", list(due_ids)},
       {"without lifecycle events",
        list(without_lifecycle) + (without_lifecycle.empty() ? "" : ": counted in service for the whole period")}});
}

}  // namespace

void add_fleet_commands(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("fleet", "the fleet of meters as a whole");
  group->require_subcommand(1);
  group->fallthrough();

  auto args = std::make_shared<FleetArgs>();
  auto* report = group->add_subcommand(
      "report",
      "coefficient of cumulative operating time (per device and pooled), failures per year, mean time to restore, "
      "silent meters and verifications due. Each reporting interval (the device's reporting period, 24 h when unknown) "
      "in which the device is in service counts; it is operating when a valid volume or energy reading falls in it. "
      "In service = stage 'in service' in the lifecycle log; a device with no lifecycle events at all counts as in "
      "service for the whole period.");
  report->fallthrough();
  report->add_option("--app", args->app, "only the devices of this application");
  report->add_option("--object", args->object,
                     "only the devices installed at a point of this object during the period");
  report->add_option("--from", args->from, "start: 2026-11-01, 2026-11-01T06:00 (local) or ISO 8601 with offset")
      ->required();
  report->add_option("--to", args->to, "end (exclusive), same forms")->required();
  report->add_option("--format", args->format, "table (default) or json");
  report->add_option("--target", args->target, "target coefficient, default 0.98");
  report->add_option("--tz", args->tz,
                     "time zone (default: the object's, else the application's, else the configuration's)");
  report->add_option("--now", args->now, "count verifications due from this time instead of now");
  report->callback([&selected, args] { selected = [args](Context& ctx) { fleet_report(ctx, *args); }; });
}

}  // namespace uchet::cli
