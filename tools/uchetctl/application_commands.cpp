#include <memory>

#include "appserver/metering/time_zone.h"
#include "schema/applications.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

nlohmann::json to_json(const schema::Application& a) {
  return {{"name", a.name},
          {"id", a.uuid},
          {"description", a.description},
          {"devices", a.device_count},
          {"timeZone", a.time_zone},
          {"createdAt", format_time(a.created_at)}};
}

}  // namespace

void add_application_commands(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("application", "manage applications (groups of devices)");
  group->require_subcommand(1);

  struct AddArgs {
    std::string name, description, time_zone;
  };
  auto add_args = std::make_shared<AddArgs>();
  auto* add = group->add_subcommand("add", "add an application");
  add->add_option("NAME", add_args->name, "application name (letters, digits, - and _)")->required();
  add->add_option("--description", add_args->description, "free text");
  add->add_option("--time-zone", add_args->time_zone,
                  "IANA time zone of its meters' day boundaries (default: the configuration's [time] time_zone)");
  add->callback([&selected, add_args] {
    selected = [add_args](Context& ctx) {
      validate_name(add_args->name, "application name");
      if (schema::find_application(ctx.db, add_args->name)) {
        throw UsageError("application '" + add_args->name + "' already exists");
      }
      if (!add_args->time_zone.empty()) {
        if (auto tz = appserver::TimeZone::load(add_args->time_zone); !tz)
          throw UsageError("--time-zone: " + tz.error());
      }
      schema::insert_application(ctx.db, add_args->name, add_args->description, add_args->time_zone);
      ctx.output.done("added application " + add_args->name,
                      to_json(*schema::find_application(ctx.db, add_args->name)));
    };
  });

  auto* list = group->add_subcommand("list", "list applications");
  list->callback([&selected] {
    selected = [](Context& ctx) {
      Table t{{"NAME", "ID", "DEVICES", "TIME ZONE", "CREATED", "DESCRIPTION"}, {}};
      auto j = nlohmann::json::array();
      for (const auto& a : schema::list_applications(ctx.db)) {
        t.rows.push_back({a.name, a.uuid, std::to_string(a.device_count),
                          a.time_zone.empty() ? "(default)" : a.time_zone, format_time(a.created_at), a.description});
        j.push_back(to_json(a));
      }
      ctx.output.table(t, j);
    };
  });

  auto show_name = std::make_shared<std::string>();
  auto* show = group->add_subcommand("show", "show one application");
  show->add_option("NAME", *show_name, "application name")->required();
  show->callback([&selected, show_name] {
    selected = [show_name](Context& ctx) {
      auto a = schema::find_application(ctx.db, *show_name);
      if (!a) throw UsageError("no application '" + *show_name + "'");
      ctx.output.fields({{"name", a->name},
                         {"id", a->uuid},
                         {"devices", std::to_string(a->device_count)},
                         {"time zone", a->time_zone.empty() ? "(default)" : a->time_zone},
                         {"created", format_time(a->created_at)},
                         {"description", a->description}},
                        to_json(*a));
    };
  });

  struct RemoveArgs {
    std::string name;
    bool force = false;
  };
  auto remove_args = std::make_shared<RemoveArgs>();
  auto* remove = group->add_subcommand("remove", "remove an application");
  remove->add_option("NAME", remove_args->name, "application name")->required();
  remove->add_flag("--force", remove_args->force, "also remove its devices and their data");
  remove->callback([&selected, remove_args] {
    selected = [remove_args](Context& ctx) {
      auto a = schema::find_application(ctx.db, remove_args->name);
      if (!a) throw UsageError("no application '" + remove_args->name + "'");
      if (a->device_count > 0 && !remove_args->force) {
        throw UsageError("application '" + a->name + "' still has " + std::to_string(a->device_count) +
                         " device(s); remove them first or use --force");
      }
      schema::delete_application(ctx.db, a->id, remove_args->force);
      ctx.output.done("removed application " + a->name, {{"removed", a->name}, {"devicesRemoved", a->device_count}});
    };
  });
}

}  // namespace uchet::cli
