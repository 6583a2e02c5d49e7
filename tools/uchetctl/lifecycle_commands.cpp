// uchetctl lifecycle / passport / verification: the meter's lifecycle passport — static fields,
// an append-only event log whose order is checked by the pure state machine in
// appserver/metering/lifecycle.h, and verification due dates.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "appserver/metering/lifecycle.h"
#include "appserver/metering/time_zone.h"
#include "schema/devices.h"
#include "schema/lifecycle.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/lifecycle_derived.h"
#include "tools/uchetctl/report_args.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

namespace lc = appserver::lifecycle;

std::string date_text(const appserver::TimeZone& tz, std::int64_t t) { return tz.format_iso8601(t).substr(0, 10); }

schema::Device existing_device(schema::Database& db, const std::string& text) {
  auto eui = eui_arg(text, "DevEUI");
  auto d = schema::find_device(db, eui);
  if (!d) throw UsageError("no device " + lorawan::eui64_to_string(eui));
  return *d;
}

nlohmann::json event_json(const appserver::TimeZone& tz, const schema::LifecycleEventRow& r, lc::Stage after) {
  return {{"id", r.id},
          {"event", r.kind},
          {"at", tz.format_iso8601(r.at)},
          {"actor", r.actor},
          {"role", r.role},
          {"details", nlohmann::json::parse(r.details, nullptr, false)},
          {"document", r.document},
          {"stateAfter", std::string(lc::name(after))}};
}

// The log with the state after each event, as a table and as JSON.
std::pair<Table, nlohmann::json> event_log(const appserver::TimeZone& tz,
                                           const std::vector<schema::LifecycleEventRow>& rows) {
  Table t{{"AT", "EVENT", "ACTOR", "ROLE", "STATE AFTER", "DOCUMENT", "DETAILS"}, {}};
  auto j = nlohmann::json::array();
  lc::State state;
  for (const auto& r : rows) {
    auto next = lc::apply(state, to_event(r));
    if (!next) throw schema::StorageError("the stored lifecycle log is inconsistent: " + next.error());
    state = *next;
    t.rows.push_back({tz.format_iso8601(r.at), r.kind, r.actor, r.role, std::string(lc::name(state.stage)),
                      r.document.empty() ? "-" : r.document, r.details});
    j.push_back(event_json(tz, r, state.stage));
  }
  return {t, j};
}

}  // namespace

void add_lifecycle_commands(CLI::App& app, Action& selected) {
  // uchetctl lifecycle add / show
  auto* group = app.add_subcommand("lifecycle", "the meter's lifecycle event log");
  group->require_subcommand(1);
  group->fallthrough();

  struct AddArgs {
    std::string dev_eui, event, at, actor, role, details = "{}", doc;
  };
  auto add_args = std::make_shared<AddArgs>();
  auto* add =
      group->add_subcommand("add", "record a lifecycle event (refused when it does not fit the device's state)");
  add->fallthrough();
  add->add_option("DEV_EUI", add_args->dev_eui, "DevEUI")->required();
  add->add_option("--event", add_args->event,
                  "manufactured, packed, shipped, installed, commissioned, inspected, verified, repaired, removed, "
                  "decommissioned or disposed")
      ->required();
  add->add_option("--at", add_args->at, "when: 2026-11-01, 2026-11-01T06:00 (local) or ISO 8601 with offset")
      ->required();
  add->add_option("--actor", add_args->actor, "who: a person or organisation")->required();
  add->add_option("--role", add_args->role,
                  "manufacturer, designer, installer, resource-supplier, consumer, service-company or metrology-lab")
      ->required();
  add->add_option("--details", add_args->details,
                  "a JSON object; {\"reason\": \"repair\"|\"verification\"} steers 'removed'");
  add->add_option("--doc", add_args->doc, "reference of the act, certificate or Аршин record");
  add->callback([&selected, add_args] {
    selected = [add_args](Context& ctx) {
      const auto& a = *add_args;
      auto device = existing_device(ctx.db, a.dev_eui);
      auto kind = lc::parse_kind(a.event);
      if (!kind) throw UsageError("--event: unknown lifecycle event '" + a.event + "'");
      auto role = lc::parse_role(a.role);
      if (!role) throw UsageError("--role: unknown role '" + a.role + "'");
      if (a.actor.empty()) throw UsageError("--actor must not be empty");
      auto details = nlohmann::json::parse(a.details, nullptr, false);
      if (details.is_discarded()) throw UsageError("--details: not valid JSON");
      if (!details.is_object()) throw UsageError("--details must be a JSON object");
      auto tz = zone_arg(ctx.time_zone);
      auto at = required_time_arg(tz, a.at, "--at");

      auto rows = schema::lifecycle_events(ctx.db, device.dev_eui);
      auto state = stored_state(rows);
      if (state.last_at && at < *state.last_at) {
        throw UsageError(fmt::format("--at: cannot record '{}' at {}: it is earlier than the last recorded event ({})",
                                     lc::name(*kind), tz.format_iso8601(at), tz.format_iso8601(*state.last_at)));
      }
      lc::Event event{*kind, at, a.actor, *role, details.dump(), a.doc};
      auto next = lc::apply(state, event);
      if (!next) throw UsageError("--event: " + next.error());

      schema::LifecycleEventRow row{0,
                                    device.dev_eui,
                                    std::string(lc::name(*kind)),
                                    at,
                                    a.actor,
                                    std::string(lc::name(*role)),
                                    event.details,
                                    a.doc,
                                    0};
      row.id = schema::append_lifecycle_event(ctx.db, row);
      auto j = event_json(tz, row, next->stage);
      j["devEui"] = lorawan::eui64_to_string(device.dev_eui);
      ctx.output.done(fmt::format("recorded '{}' for {}: state now '{}'", row.kind,
                                  lorawan::eui64_to_string(device.dev_eui), lc::name(next->stage)),
                      j);
    };
  });

  auto show_eui = std::make_shared<std::string>();
  auto* show = group->add_subcommand("show", "a device's lifecycle events with the state after each");
  show->fallthrough();
  show->add_option("DEV_EUI", *show_eui, "DevEUI")->required();
  show->callback([&selected, show_eui] {
    selected = [show_eui](Context& ctx) {
      auto device = existing_device(ctx.db, *show_eui);
      auto tz = zone_arg(ctx.time_zone);
      auto [t, j] = event_log(tz, schema::lifecycle_events(ctx.db, device.dev_eui));
      ctx.output.table(t, j);
    };
  });

  // uchetctl passport DEV_EUI / passport set DEV_EUI ...
  auto passport_eui = std::make_shared<std::string>();
  auto* passport =
      app.add_subcommand("passport", "the meter's electronic passport: identity, verification, state, events");
  passport->fallthrough();
  passport->require_subcommand(0, 1);
  passport->add_option("DEV_EUI", *passport_eui, "DevEUI");

  struct SetArgs {
    std::string dev_eui;
    std::optional<std::string> model, owner, manufacture_date, last_verification_date;
    std::optional<int> interval;
  };
  auto set_args = std::make_shared<SetArgs>();
  auto* set = passport->add_subcommand("set", "fill the passport's static fields");
  set->fallthrough();
  set->add_option("DEV_EUI", set_args->dev_eui, "DevEUI")->required();
  set->add_option("--model", set_args->model, "meter model, e.g. KARAT-926LW");
  set->add_option("--owner", set_args->owner, "owner of the meter");
  set->add_option("--verification-interval-years", set_args->interval, "verification interval (МПИ), 1-50 years");
  set->add_option("--manufacture-date", set_args->manufacture_date, "date of manufacture, e.g. 2026-03-15");
  set->add_option("--last-verification-date", set_args->last_verification_date,
                  "last verification known from outside the event log (e.g. from the paper passport)");
  set->callback([&selected, set_args] {
    selected = [set_args](Context& ctx) {
      const auto& a = *set_args;
      auto device = existing_device(ctx.db, a.dev_eui);
      if (!a.model && !a.owner && !a.interval && !a.manufacture_date && !a.last_verification_date) {
        throw UsageError(
            "nothing to set: give --model, --owner, --verification-interval-years, --manufacture-date or "
            "--last-verification-date");
      }
      auto tz = zone_arg(ctx.time_zone);
      auto p = schema::find_passport(ctx.db, device.dev_eui).value_or(schema::Passport{device.dev_eui});
      if (a.model) p.model = *a.model;
      if (a.owner) p.owner = *a.owner;
      if (a.interval) {
        if (*a.interval < 1 || *a.interval > 50)
          throw UsageError("--verification-interval-years must be between 1 and 50");
        p.verification_interval_years = *a.interval;
      }
      if (a.manufacture_date)
        p.manufactured_on = tz.start_of_local_day(required_time_arg(tz, *a.manufacture_date, "--manufacture-date"));
      if (a.last_verification_date) {
        p.last_verified_on =
            tz.start_of_local_day(required_time_arg(tz, *a.last_verification_date, "--last-verification-date"));
      }
      schema::save_passport(ctx.db, p);
      nlohmann::json j = {
          {"devEui", lorawan::eui64_to_string(device.dev_eui)},
          {"model", p.model},
          {"owner", p.owner},
          {"verificationIntervalYears",
           p.verification_interval_years ? nlohmann::json(*p.verification_interval_years) : nlohmann::json()},
          {"manufactureDate", p.manufactured_on ? nlohmann::json(date_text(tz, *p.manufactured_on)) : nlohmann::json()},
          {"lastVerificationDate",
           p.last_verified_on ? nlohmann::json(date_text(tz, *p.last_verified_on)) : nlohmann::json()}};
      ctx.output.done("passport of " + lorawan::eui64_to_string(device.dev_eui) + " updated", j);
    };
  });

  passport->callback([&selected, passport_eui, set] {
    if (set->parsed()) return;
    selected = [passport_eui](Context& ctx) {
      if (passport_eui->empty()) throw UsageError("DEV_EUI is required: uchetctl passport DEV_EUI");
      auto device = existing_device(ctx.db, *passport_eui);
      auto tz = zone_arg(ctx.time_zone);
      auto p = schema::find_passport(ctx.db, device.dev_eui);
      auto rows = schema::lifecycle_events(ctx.db, device.dev_eui);
      auto d = derive_passport(tz, p, rows);
      auto [log_table, log_json] = event_log(tz, rows);
      auto opt_date = [&](const std::optional<std::int64_t>& t) {
        return t ? nlohmann::json(date_text(tz, *t)) : nlohmann::json();
      };
      auto opt_text = [&](const std::optional<std::int64_t>& t) { return t ? date_text(tz, *t) : std::string("-"); };
      const std::string model = p ? p->model : "", owner = p ? p->owner : "";
      const std::optional<int> years = p ? p->verification_interval_years : std::nullopt;
      std::optional<std::int64_t> days_left;
      if (d.next_due) days_left = lc::days_until(schema::unix_now(), *d.next_due);

      if (ctx.output.json) {
        nlohmann::json j = {{"devEui", lorawan::eui64_to_string(device.dev_eui)},
                            {"application", device.application},
                            {"name", device.name},
                            {"serial", device.serial},
                            {"codec", device.codec},
                            {"model", model},
                            {"owner", owner},
                            {"manufactureDate", opt_date(d.manufactured_on)},
                            {"verificationIntervalYears", years ? nlohmann::json(*years) : nlohmann::json()},
                            {"lastVerification", opt_date(d.last_verified)},
                            {"nextVerificationDue", opt_date(d.next_due)},
                            {"daysUntilVerification", days_left ? nlohmann::json(*days_left) : nlohmann::json()},
                            {"commissioningDate", opt_date(d.commissioned_at)},
                            {"state", std::string(lc::name(d.state.stage))},
                            {"events", log_json}};
        ctx.output.out << j.dump(2) << '\n';
        return;
      }
      print_fields(ctx.output.out,
                   {{"DevEUI", lorawan::eui64_to_string(device.dev_eui)},
                    {"application", device.application},
                    {"name", device.name},
                    {"serial", device.serial},
                    {"codec", device.codec.empty() ? "(none)" : device.codec},
                    {"model", model.empty() ? "-" : model},
                    {"owner", owner.empty() ? "-" : owner},
                    {"manufactured", opt_text(d.manufactured_on)},
                    {"verification interval", years ? std::to_string(*years) + " years" : "-"},
                    {"last verification", opt_text(d.last_verified)},
                    {"next verification due",
                     !d.next_due      ? std::string("-")
                     : *days_left < 0 ? fmt::format("{} (overdue by {} days)", date_text(tz, *d.next_due), -*days_left)
                                      : fmt::format("{} (in {} days)", date_text(tz, *d.next_due), *days_left)},
                    {"commissioned", opt_text(d.commissioned_at)},
                    {"state", std::string(lc::name(d.state.stage))}});
      ctx.output.out << "\nevents:\n";
      print_table(ctx.output.out, log_table);
    };
  });

  // uchetctl verification due --within 30d
  auto* verification = app.add_subcommand("verification", "metrological verification of meters");
  verification->require_subcommand(1);
  verification->fallthrough();
  struct DueArgs {
    std::string within = "30d", now;
  };
  auto due_args = std::make_shared<DueArgs>();
  auto* due = verification->add_subcommand("due", "meters whose verification is due within a period, or overdue");
  due->fallthrough();
  due->add_option("--within", due_args->within, "period ahead, e.g. 30d (default), 12h");
  due->add_option("--now", due_args->now, "count from this time instead of now");
  due->callback([&selected, due_args] {
    selected = [due_args](Context& ctx) {
      const auto within = duration_arg(due_args->within, "--within");
      auto tz = zone_arg(ctx.time_zone);
      const std::int64_t now =
          due_args->now.empty() ? schema::unix_now() : required_time_arg(tz, due_args->now, "--now");
      auto rows = verifications_due(ctx.db, tz, now, within);
      Table t{{"DEV EUI", "SERIAL", "NAME", "MODEL", "LAST VERIFIED", "DUE", "DAYS LEFT"}, {}};
      auto j = nlohmann::json::array();
      for (const auto& r : rows) {
        auto left = lc::days_until(now, r.due);
        t.rows.push_back({lorawan::eui64_to_string(r.device.dev_eui), r.device.serial, r.device.name, r.passport.model,
                          date_text(tz, r.last_verified), date_text(tz, r.due),
                          left < 0 ? fmt::format("{} (overdue)", left) : std::to_string(left)});
        j.push_back({{"devEui", lorawan::eui64_to_string(r.device.dev_eui)},
                     {"serial", r.device.serial},
                     {"name", r.device.name},
                     {"model", r.passport.model},
                     {"lastVerification", date_text(tz, r.last_verified)},
                     {"due", date_text(tz, r.due)},
                     {"daysLeft", left},
                     {"overdue", left < 0}});
      }
      ctx.output.table(t, j);
    };
  });
}

}  // namespace uchet::cli
