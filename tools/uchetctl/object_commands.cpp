// uchetctl object / premise / point / meter / norm: the metering model around devices — buildings,
// their premises, the points where a resource is measured, which meter measured which point when,
// and the billing norms. See docs/metering-model.md.
#include <fstream>
#include <memory>
#include <sstream>

#include "netserver/lorawan/encoding.h"
#include "schema/billing_rules.h"
#include "schema/devices.h"
#include "schema/objects.h"
#include "tools/uchetctl/commands.h"
#include "tools/uchetctl/object_import.h"
#include "tools/uchetctl/report_args.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {
namespace {

using nlohmann::json;

schema::MeteringObject existing_object(schema::Database& db, const std::string& name) {
  auto o = schema::find_object(db, name);
  if (!o) throw UsageError("no object " + name);
  return *o;
}

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(); }

json object_json(const schema::MeteringObject& o) {
  return {{"name", o.name},
          {"address", o.address},
          {"fias", o.fias_house_guid},
          {"timeZone", o.time_zone},
          {"latitude", optional_json(o.latitude)},
          {"longitude", optional_json(o.longitude)},
          {"commonArea", optional_json(o.common_area_m2)},
          {"ownersAboveNorm", o.owners_above_norm},
          {"heatingSeason", heating_season_text(o)},
          {"createdAt", format_time(o.created_at)}};
}

json premise_json(const schema::Premise& p) {
  return {{"number", p.number}, {"kind", p.kind}, {"area", optional_json(p.area_m2)}, {"account", p.account}};
}

json installation_json(schema::Database& db, const schema::MeterInstallation& i, const appserver::TimeZone& tz) {
  const auto place = installation_place(db, i);
  const auto slash = place.find('/');
  return {{"object", place.substr(0, slash)},
          {"point", place.substr(slash + 1)},
          {"devEui", lorawan::eui64_to_string(i.dev_eui)},
          {"installedAt", tz.format_iso8601(i.installed_at)},
          {"installedReading", i.installed_reading},
          {"removedAt", i.removed_at ? json(tz.format_iso8601(*i.removed_at)) : json()},
          {"removedReading", optional_json(i.removed_reading)},
          {"seal", i.seal}};
}

std::vector<std::string> installation_row(schema::Database& db, const schema::MeterInstallation& i,
                                          const appserver::TimeZone& tz) {
  return {installation_place(db, i),
          lorawan::eui64_to_string(i.dev_eui),
          tz.format_iso8601(i.installed_at),
          number(i.installed_reading),
          i.removed_at ? tz.format_iso8601(*i.removed_at) : "installed",
          i.removed_reading ? number(*i.removed_reading) : "",
          i.seal};
}

// A point is named "OBJECT/POINT", or by its name with --object; neither name may contain '/'.
struct PointRef {
  schema::MeteringObject object;
  schema::MeteringPoint point;
};

PointRef point_ref(schema::Database& db, const std::string& point, const std::string& object) {
  std::string object_name = object, point_name = point;
  if (object.empty()) {
    const auto slash = point.find('/');
    if (slash == std::string::npos)
      throw UsageError("--point must be OBJECT/POINT (or give --object OBJECT), got '" + point + "'");
    object_name = point.substr(0, slash);
    point_name = point.substr(slash + 1);
  } else if (point.find('/') != std::string::npos) {
    throw UsageError("give --point as OBJECT/POINT or --object with a point name, not both");
  }
  auto o = existing_object(db, object_name);
  auto p = schema::find_point(db, o.id, point_name);
  if (!p) throw UsageError("object " + o.name + " has no point " + point_name);
  return {o, *p};
}

schema::Premise existing_premise(schema::Database& db, const schema::MeteringObject& o, const std::string& number) {
  auto p = schema::find_premise(db, o.id, number);
  if (!p) throw UsageError("object " + o.name + " has no premise " + number);
  return *p;
}

// "70b3d50000000003 from 2026-10-01T00:00:00Z (installed), ..." — the installations that tie
// readings to the point; empty when it never had a meter.
std::string installation_list(schema::Database& db, const schema::MeteringPoint& point) {
  std::string out;
  for (const auto& i : schema::installations_of_point(db, point.id)) {
    out += (out.empty() ? "" : ", ") + lorawan::eui64_to_string(i.dev_eui) + " from " + format_time(i.installed_at) +
           (i.removed_at ? " to " + format_time(*i.removed_at) : std::string(" (installed)"));
  }
  return out;
}

// An area in m², or "none" to clear it.
std::optional<double> optional_area_arg(const std::string& text, const std::string& what) {
  if (text == "none") return std::nullopt;
  const double area = number_arg(text, what);
  check_area(area, what);
  return area;
}

void add_object_group(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("object", "objects (buildings) of the metering model");
  group->require_subcommand(1);

  struct AddArgs {
    std::string name, address, fias, time_zone, lat, lon;
  };
  auto add_args = std::make_shared<AddArgs>();
  auto* add = group->add_subcommand("add", "add an object (a building)");
  add->add_option("NAME", add_args->name, "object name, used in MQTT topics object/{name}/...")->required();
  add->add_option("--address", add_args->address, "postal address");
  add->add_option("--fias", add_args->fias, "FIAS/GAR house GUID, e.g. 0c5b2444-70a0-4932-980c-b4dc0d3f02b5");
  add->add_option("--time-zone", add_args->time_zone, "IANA zone of the object's days (default: the configuration's)");
  add->add_option("--lat", add_args->lat, "latitude, -90..90 (with --lon)");
  add->add_option("--lon", add_args->lon, "longitude, -180..180 (with --lat)");
  add->callback([&selected, add_args] {
    selected = [add_args](Context& ctx) {
      const auto& a = *add_args;
      validate_name(a.name, "object name");
      if (schema::find_object(ctx.db, a.name)) throw UsageError("object " + a.name + " already exists");
      schema::MeteringObject o;
      o.name = a.name;
      o.address = a.address;
      if (!a.fias.empty()) o.fias_house_guid = fias_arg(a.fias, "--fias");
      o.time_zone = time_zone_name_arg(a.time_zone, "--time-zone");
      if (!a.lat.empty()) o.latitude = number_arg(a.lat, "--lat");
      if (!a.lon.empty()) o.longitude = number_arg(a.lon, "--lon");
      check_coordinates(o.latitude, o.longitude);
      schema::add_object(ctx.db, o);
      ctx.output.done("added object " + o.name, object_json(o));
    };
  });

  auto* list = group->add_subcommand("list", "list objects");
  list->callback([&selected] {
    selected = [](Context& ctx) {
      Table t{{"NAME", "ADDRESS", "FIAS", "TIME ZONE", "PREMISES", "POINTS", "METERS"}, {}};
      auto j = json::array();
      for (const auto& o : schema::list_objects(ctx.db)) {
        const int premises = schema::count_premises(ctx.db, o.id);
        const int points = schema::count_points(ctx.db, o.id);
        const int meters = schema::count_installed_meters(ctx.db, o.id);
        t.rows.push_back({o.name, o.address, o.fias_house_guid, o.time_zone.empty() ? "(default)" : o.time_zone,
                          std::to_string(premises), std::to_string(points), std::to_string(meters)});
        auto row = object_json(o);
        row["premises"] = premises;
        row["points"] = points;
        row["meters"] = meters;
        j.push_back(row);
      }
      ctx.output.table(t, j);
    };
  });

  auto show_name = std::make_shared<std::string>();
  auto* show = group->add_subcommand("show", "show an object with its premise, point and meter counts");
  show->add_option("NAME", *show_name, "object name")->required();
  show->callback([&selected, show_name] {
    selected = [show_name](Context& ctx) {
      auto o = existing_object(ctx.db, *show_name);
      const int premises = schema::count_premises(ctx.db, o.id);
      const int points = schema::count_points(ctx.db, o.id);
      const int meters = schema::count_installed_meters(ctx.db, o.id);
      auto j = object_json(o);
      j["premises"] = premises;
      j["points"] = points;
      j["meters"] = meters;
      ctx.output.fields({{"name", o.name},
                         {"address", o.address.empty() ? "-" : o.address},
                         {"FIAS house GUID", o.fias_house_guid.empty() ? "-" : o.fias_house_guid},
                         {"time zone", o.time_zone.empty() ? "(configuration's: " + ctx.time_zone + ")" : o.time_zone},
                         {"coordinates", o.latitude ? number(*o.latitude) + ", " + number(*o.longitude) : "-"},
                         {"premises", std::to_string(premises)},
                         {"metering points", std::to_string(points)},
                         {"meters installed", std::to_string(meters)},
                         // Labels no longer than "meters installed", which sets the alignment.
                         {"common area", o.common_area_m2 ? number(*o.common_area_m2) + " m²" : "-"},
                         {"odn above norm", o.owners_above_norm ? "yes (owners' decision)" : "no (capped)"},
                         {"heating season", o.heating_first_month ? heating_season_text(o) : "-"},
                         {"created", format_time(o.created_at)}},
                        j);
    };
  });

  struct SetArgs {
    std::string name, common_area, owners_above_norm, heating_season;
  };
  auto set_args = std::make_shared<SetArgs>();
  auto* set = group->add_subcommand(
      "set", "set what billing needs of an object: common-property area, owners' ОДН decision, heating season");
  set->add_option("NAME", set_args->name, "object name")->required();
  set->add_option("--common-area", set_args->common_area, "area of the common property in m², or none");
  set->add_option("--owners-above-norm", set_args->owners_above_norm,
                  "yes: the owners decided to distribute ОДН above the common-property norm (item 44); no: capped");
  set->add_option("--heating-season", set_args->heating_season,
                  "first and last month of the heating season, e.g. 10-04, or none");
  set->callback([&selected, set_args] {
    selected = [set_args](Context& ctx) {
      const auto& a = *set_args;
      auto o = existing_object(ctx.db, a.name);
      if (a.common_area.empty() && a.owners_above_norm.empty() && a.heating_season.empty())
        throw UsageError("give --common-area, --owners-above-norm or --heating-season");
      if (!a.common_area.empty()) o.common_area_m2 = optional_area_arg(a.common_area, "--common-area");
      if (!a.owners_above_norm.empty()) o.owners_above_norm = yes_no_arg(a.owners_above_norm, "--owners-above-norm");
      if (!a.heating_season.empty()) {
        const auto season = heating_season_arg(a.heating_season, "--heating-season");
        o.heating_first_month = season ? std::optional<int>(season->first) : std::nullopt;
        o.heating_last_month = season ? std::optional<int>(season->second) : std::nullopt;
      }
      schema::set_object_billing(ctx.db, o);
      ctx.output.done("object " + o.name + " updated", object_json(o));
    };
  });

  struct RemoveArgs {
    std::string name;
    bool force = false;
  };
  auto remove_args = std::make_shared<RemoveArgs>();
  auto* remove = group->add_subcommand("remove", "remove an object with its premises, points, history and norms");
  remove->add_option("NAME", remove_args->name, "object name")->required();
  remove->add_flag("--force", remove_args->force, "remove even while meters are installed (their history goes too)");
  remove->callback([&selected, remove_args] {
    selected = [remove_args](Context& ctx) {
      auto o = existing_object(ctx.db, remove_args->name);
      // Removing an object erases its installation history; with meters still in place that is
      // more likely a mistake than an intent, so it takes --force.
      if (const int meters = schema::count_installed_meters(ctx.db, o.id); meters > 0 && !remove_args->force) {
        throw UsageError("object " + o.name + " has " + std::to_string(meters) +
                         " meter(s) installed; remove them first (meter remove) or give --force");
      }
      schema::remove_object(ctx.db, o.id);
      ctx.output.done("removed object " + o.name, {{"removed", o.name}});
    };
  });

  auto import_file = std::make_shared<std::string>();
  auto* import = group->add_subcommand(
      "import", "create whole buildings from CSV (all lines or none), see docs/metering-model.md");
  import
      ->add_option("FILE", *import_file,
                   "CSV with header columns among object,address,fias,time_zone,lat,lon,premise,kind,area,account,"
                   "point,resource,level,dev_eui,installed_at,reading,seal")
      ->required();
  import->callback([&selected, import_file] {
    selected = [import_file](Context& ctx) {
      std::ifstream in(*import_file, std::ios::binary);
  if (!in) throw UsageError("cannot read " + *import_file);
  std::ostringstream text;
  text << in.rdbuf();
  auto s = import_objects(ctx.db, text.str(), ctx.time_zone);
  ctx.output.done("imported " + std::to_string(s.objects) + " object(s), " + std::to_string(s.premises) +
                      " premise(s), " + std::to_string(s.points) + " point(s), " + std::to_string(s.meters) +
                      " meter(s) from " + *import_file,
                  {{"objects", s.objects}, {"premises", s.premises}, {"points", s.points}, {"meters", s.meters}});
};
}  // namespace
);
}  // namespace uchet::cli

void add_premise_group(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("premise", "premises (apartments, non-residential units) of an object");
  group->require_subcommand(1);

  struct AddArgs {
    std::string object, number, kind, area, account;
  };
  auto args = std::make_shared<AddArgs>();
  auto* add = group->add_subcommand("add", "add a premise to an object");
  add->add_option("OBJECT", args->object, "object name")->required();
  add->add_option("NUMBER", args->number, "premise number: 12, 12А, Н-3")->required();
  add->add_option("--kind", args->kind, "residential or non_residential")->required();
  add->add_option("--area", args->area, "area in m²");
  add->add_option("--account", args->account, "personal account number (лицевой счёт)");
  add->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      auto o = existing_object(ctx.db, a.object);
      check_premise_number(a.number, "premise number");
      check_premise_kind(a.kind, "--kind");
      if (schema::find_premise(ctx.db, o.id, a.number))
        throw UsageError("object " + o.name + " already has premise " + a.number);
      schema::Premise p;
      p.object_id = o.id;
      p.number = a.number;
      p.kind = a.kind;
      if (!a.area.empty()) {
        p.area_m2 = number_arg(a.area, "--area");
        check_area(*p.area_m2, "--area");
      }
      p.account = a.account;
      schema::add_premise(ctx.db, p);
      ctx.output.done("added premise " + p.number + " to " + o.name, premise_json(p));
    };
  });

  auto list_object = std::make_shared<std::string>();
  auto* list = group->add_subcommand("list", "list an object's premises");
  list->add_option("OBJECT", *list_object, "object name")->required();
  list->callback([&selected, list_object] {
    selected = [list_object](Context& ctx) {
      auto o = existing_object(ctx.db, *list_object);
      Table t{{"NUMBER", "KIND", "AREA", "ACCOUNT"}, {}};
      auto j = json::array();
      for (const auto& p : schema::list_premises(ctx.db, o.id)) {
        t.rows.push_back({p.number, p.kind, p.area_m2 ? number(*p.area_m2) : "", p.account});
        j.push_back(premise_json(p));
      }
      ctx.output.table(t, j);
    };
  });

  struct EditArgs {
    std::string object, number, new_number, kind, area, account;
  };
  auto edit_args = std::make_shared<EditArgs>();
  auto* edit = group->add_subcommand("edit", "change a premise's number, kind, area or account");
  edit->add_option("OBJECT", edit_args->object, "object name")->required();
  edit->add_option("NUMBER", edit_args->number, "premise number")->required();
  edit->add_option("--number", edit_args->new_number, "new premise number");
  edit->add_option("--kind", edit_args->kind, "residential or non_residential");
  edit->add_option("--area", edit_args->area, "area in m², or none");
  edit->add_option("--account", edit_args->account, "personal account number");
  edit->callback([&selected, edit_args] {
    selected = [edit_args](Context& ctx) {
      const auto& a = *edit_args;
      auto o = existing_object(ctx.db, a.object);
      auto p = existing_premise(ctx.db, o, a.number);
      if (a.new_number.empty() && a.kind.empty() && a.area.empty() && a.account.empty())
        throw UsageError("give --number, --kind, --area or --account");
      if (!a.new_number.empty() && a.new_number != p.number) {
        check_premise_number(a.new_number, "--number");
        if (schema::find_premise(ctx.db, o.id, a.new_number))
          throw UsageError("object " + o.name + " already has premise " + a.new_number);
        p.number = a.new_number;
      }
      if (!a.kind.empty()) {
        check_premise_kind(a.kind, "--kind");
        p.kind = a.kind;
      }
      if (!a.area.empty()) p.area_m2 = optional_area_arg(a.area, "--area");
      if (!a.account.empty()) p.account = a.account;
      schema::update_premise(ctx.db, p);
      ctx.output.done("premise " + a.number + " of " + o.name + " updated", premise_json(p));
    };
  });

  struct RemoveArgs {
    std::string object, number;
  };
  auto remove_args = std::make_shared<RemoveArgs>();
  auto* remove = group->add_subcommand("remove", "remove a premise that has no metering points");
  remove->add_option("OBJECT", remove_args->object, "object name")->required();
  remove->add_option("NUMBER", remove_args->number, "premise number")->required();
  remove->callback([&selected, remove_args] {
    selected = [remove_args](Context& ctx) {
      auto o = existing_object(ctx.db, remove_args->object);
      auto p = existing_premise(ctx.db, o, remove_args->number);
      // Its points carry the meter history that readings and billing rows hang on; removing
      // them with the premise would lose that history silently.
      const auto points = schema::points_of_premise(ctx.db, p.id);
      if (!points.empty()) {
        std::string names;
        for (const auto& point : points) {
          const auto installations = schema::installations_of_point(ctx.db, point.id).size();
          names += (names.empty() ? "" : ", ") + point.name + " (" + point.resource + ", " +
                   std::to_string(installations) + " meter installation(s))";
        }
        throw UsageError("premise " + p.number + " of " + o.name + " has metering point(s) " + names +
                         "; its readings and billing rows depend on them: remove the points first (point remove)");
      }
      schema::remove_premise(ctx.db, p.id);
      ctx.output.done("removed premise " + p.number + " of " + o.name, {{"object", o.name}, {"removed", p.number}});
    };
  });
}

void add_point_group(CLI::App& app, Action& selected) {
  auto* group =
      app.add_subcommand("point", "metering points: where a resource is measured (a point outlives its meters)");
  group->require_subcommand(1);

  struct AddArgs {
    std::string object, name, resource, level, premise;
  };
  auto args = std::make_shared<AddArgs>();
  auto* add = group->add_subcommand("add", "add a metering point to an object");
  add->add_option("OBJECT", args->object, "object name")->required();
  add->add_option("NAME", args->name, "point name, unique within the object: odpu-cw, 12-hw")->required();
  add->add_option("--resource", args->resource, "cold_water, hot_water, heat or electricity")->required();
  add->add_option("--level", args->level, "building (the house meter) or premise")->required();
  add->add_option("--premise", args->premise, "premise number; required exactly when --level is premise");
  add->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      auto o = existing_object(ctx.db, a.object);
      validate_name(a.name, "point name");
      check_resource(a.resource, "--resource");
      check_level(a.level, "--level");
      if (a.level == "premise" && a.premise.empty())
        throw UsageError("--premise is required for a premise-level point");
      if (a.level == "building" && !a.premise.empty()) throw UsageError("--premise applies only to --level premise");
      if (schema::find_point(ctx.db, o.id, a.name))
        throw UsageError("object " + o.name + " already has point " + a.name);
      schema::MeteringPoint p;
      p.object_id = o.id;
      p.name = a.name;
      p.resource = a.resource;
      p.level = a.level;
      if (!a.premise.empty()) {
        auto premise = schema::find_premise(ctx.db, o.id, a.premise);
        if (!premise) throw UsageError("object " + o.name + " has no premise " + a.premise);
        p.premise_id = premise->id;
      }
      schema::add_point(ctx.db, p);
      ctx.output.done("added point " + o.name + "/" + p.name,
                      {{"object", o.name},
                       {"name", p.name},
                       {"resource", p.resource},
                       {"level", p.level},
                       {"premise", a.premise.empty() ? json() : json(a.premise)}});
    };
  });

  struct ListArgs {
    std::string object, resource;
  };
  auto list_args = std::make_shared<ListArgs>();
  auto* list = group->add_subcommand("list", "list an object's points with the meter installed at each");
  list->add_option("OBJECT", list_args->object, "object name")->required();
  list->add_option("--resource", list_args->resource, "only points of this resource");
  list->callback([&selected, list_args] {
    selected = [list_args](Context& ctx) {
      auto o = existing_object(ctx.db, list_args->object);
      if (!list_args->resource.empty()) check_resource(list_args->resource, "--resource");
      auto tz = object_zone(o, ctx.time_zone);
      Table t{{"NAME", "RESOURCE", "LEVEL", "PREMISE", "METER", "SINCE"}, {}};
      auto j = json::array();
      for (const auto& p : schema::list_points(ctx.db, o.id, list_args->resource)) {
        std::string premise;
        if (p.premise_id) premise = schema::find_premise(ctx.db, *p.premise_id)->number;
        std::optional<schema::MeterInstallation> meter;
        for (const auto& i : schema::installations_of_point(ctx.db, p.id))
          if (!i.removed_at) meter = i;
        t.rows.push_back({p.name, p.resource, p.level, premise, meter ? lorawan::eui64_to_string(meter->dev_eui) : "-",
                          meter ? tz.format_iso8601(meter->installed_at) : ""});
        j.push_back({{"name", p.name},
                     {"resource", p.resource},
                     {"level", p.level},
                     {"premise", premise.empty() ? json() : json(premise)},
                     {"meter", meter ? installation_json(ctx.db, *meter, tz) : json()}});
      }
      ctx.output.table(t, j);
    };
  });

  struct EditArgs {
    std::string point, object, name, resource, premise;
  };
  auto edit_args = std::make_shared<EditArgs>();
  auto* edit = group->add_subcommand("edit",
                                     "rename a point, move a premise point to another premise, or change "
                                     "its resource while it has no meter history");
  edit->add_option("POINT", edit_args->point, "OBJECT/POINT, or the point's name with --object")->required();
  edit->add_option("--object", edit_args->object, "object of POINT, when POINT is only the point's name");
  edit->add_option("--name", edit_args->name, "new point name");
  edit->add_option("--resource", edit_args->resource, "new resource (refused once a meter was installed)");
  edit->add_option("--premise", edit_args->premise, "another premise of the object (premise-level points)");
  edit->callback([&selected, edit_args] {
    selected = [edit_args](Context& ctx) {
      const auto& a = *edit_args;
      auto ref = point_ref(ctx.db, a.point, a.object);
      auto p = ref.point;
      const auto place = ref.object.name + "/" + p.name;
      if (a.name.empty() && a.resource.empty() && a.premise.empty())
        throw UsageError("give --name, --resource or --premise");
      if (!a.name.empty() && a.name != p.name) {
        validate_name(a.name, "--name");
        if (schema::find_point(ctx.db, ref.object.id, a.name))
          throw UsageError("object " + ref.object.name + " already has point " + a.name);
        p.name = a.name;
      }
      if (!a.resource.empty() && a.resource != p.resource) {
        check_resource(a.resource, "--resource");
        // The meters' readings were measured as the old resource; relabelling them would move
        // their consumption into another resource's balance and billing.
        if (auto history = installation_list(ctx.db, p); !history.empty())
          throw UsageError("point " + place + " has meter history (" + history +
                           "); its readings and billing rows "
                           "are " +
                           p.resource + ": the resource cannot change (add a new point instead)");
        p.resource = a.resource;
      }
      if (!a.premise.empty()) {
        if (p.level != "premise") throw UsageError("--premise applies only to premise-level points");
        auto premise = existing_premise(ctx.db, ref.object, a.premise);
        p.premise_id = premise.id;
      }
      schema::update_point(ctx.db, p);
      std::string premise;
      if (p.premise_id) premise = schema::find_premise(ctx.db, *p.premise_id)->number;
      ctx.output.done("point " + place + " updated", {{"object", ref.object.name},
                                                      {"name", p.name},
                                                      {"resource", p.resource},
                                                      {"level", p.level},
                                                      {"premise", premise.empty() ? json() : json(premise)}});
    };
  });

  struct RemoveArgs {
    std::string point, object;
  };
  auto remove_args = std::make_shared<RemoveArgs>();
  auto* remove = group->add_subcommand("remove", "remove a point that never had a meter");
  remove->add_option("POINT", remove_args->point, "OBJECT/POINT, or the point's name with --object")->required();
  remove->add_option("--object", remove_args->object, "object of POINT, when POINT is only the point's name");
  remove->callback([&selected, remove_args] {
    selected = [remove_args](Context& ctx) {
      auto ref = point_ref(ctx.db, remove_args->point, remove_args->object);
      const auto place = ref.object.name + "/" + ref.point.name;
      if (auto history = installation_list(ctx.db, ref.point); !history.empty())
        throw UsageError("point " + place + " has meter history (" + history +
                         "); its readings, balances and billing rows depend on it: it cannot be removed");
      schema::remove_point(ctx.db, ref.point.id);
      ctx.output.done("removed point " + place, {{"object", ref.object.name}, {"removed", ref.point.name}});
    };
  });

  struct SeriesArgs {
    std::string point, object, from, to, grid = "day", format = "table";
  };
  auto series_args = std::make_shared<SeriesArgs>();
  auto* series = group->add_subcommand(
      "series", "a point's consumption per grid interval across its meters, with estimates and validation flags (VEE)");
  series->add_option("POINT", series_args->point, "OBJECT/POINT, or the point's name with --object")->required();
  series->add_option("--object", series_args->object, "object of POINT, when POINT is only the point's name");
  series->add_option("--from", series_args->from, "first grid boundary: 2026-11-01 (local midnight) or a time")
      ->required();
  series->add_option("--to", series_args->to, "last grid boundary, same forms")->required();
  series->add_option("--grid", series_args->grid, "day (default) or hour");
  series->add_option("--format", series_args->format, "table (default), csv or json");
  series->callback([&selected, series_args] {
    selected = [series_args](Context& ctx) {
      const auto& a = *series_args;
      auto ref = point_ref(ctx.db, a.point, a.object);
      check_report_format(a.format);
      auto tz = object_zone(ref.object, ctx.time_zone);
      const auto span = grid_span_arg(tz, a.from, a.to, a.grid);
      const auto balance = appserver::object_balance(ctx.db, ref.object, ref.point.resource, span.from, span.to,
                                                     span.grid, tz, ctx.balance);
      const auto points = balance.points.find(ref.point.name);
      const auto flags = balance.flags.find(ref.point.name);
      Table t{{"start", "end", "consumption", "source", "flags"}, {}};
      auto j = json::array();
      if (points != balance.points.end()) {
        for (std::size_t i = 0; i < points->second.size(); ++i) {
          const auto& iv = points->second[i];
          std::vector<std::string> f;
          if (flags != balance.flags.end()) f.assign(flags->second[i].begin(), flags->second[i].end());
          std::string joined;
          for (const auto& x : f) joined += (joined.empty() ? "" : " ") + x;
          t.rows.push_back({tz.format_iso8601(iv.start), tz.format_iso8601(iv.end),
                            iv.consumption ? number(*iv.consumption) : "", std::string(appserver::name(iv.source)),
                            joined});
          j.push_back({{"start", tz.format_iso8601(iv.start)},
                       {"end", tz.format_iso8601(iv.end)},
                       {"consumption", iv.consumption ? json(*iv.consumption) : json()},
                       {"source", appserver::name(iv.source)},
                       {"flags", f},
                       {"noMeter", iv.no_meter},
                       {"registerRollback", iv.register_rollback},
                       {"manual", iv.manual}});
        }
      }
      print_report(ctx.output, a.format, t, j);
    };
  });
}

void add_meter_group(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("meter", "which meter (device) measures which point: installation and removal");
  group->require_subcommand(1);
  const char* point_help = "the point as OBJECT/POINT, or the point's name together with --object OBJECT";

  struct InstallArgs {
    std::string dev_eui, object, point, at, reading, seal;
  };
  auto args = std::make_shared<InstallArgs>();
  auto* install =
      group->add_subcommand("install", "install a meter at a point, with its register reading at that moment");
  install->add_option("DEV_EUI", args->dev_eui, "the meter's DevEUI (a provisioned device)")->required();
  install->add_option("--point", args->point, point_help)->required();
  install->add_option("--object", args->object, "object of --point, when --point is only the point's name");
  install->add_option("--at", args->at, "installation time: 2026-11-20T10:00 (object's zone) or ISO 8601")->required();
  install
      ->add_option("--reading", args->reading,
                   "register reading at installation: m³ for water, kWh for heat and electricity")
      ->required();
  install->add_option("--seal", args->seal, "seal number");
  install->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      auto eui = eui_arg(a.dev_eui, "DevEUI");
      if (!schema::find_device(ctx.db, eui)) throw UsageError("no device " + lorawan::eui64_to_string(eui));
      auto ref = point_ref(ctx.db, a.point, a.object);
      auto tz = object_zone(ref.object, ctx.time_zone);
      schema::MeterInstallation i;
      i.point_id = ref.point.id;
      i.dev_eui = eui;
      i.installed_at = required_time_arg(tz, a.at, "--at");
      i.installed_reading = number_arg(a.reading, "--reading");
      check_reading(i.installed_reading, "--reading");
      i.seal = a.seal;
      check_installable(ctx.db, ref.point, eui, i.installed_at, tz);
      schema::add_installation(ctx.db, i);
      ctx.output.done("installed " + lorawan::eui64_to_string(eui) + " at " + ref.object.name + "/" + ref.point.name +
                          " from " + tz.format_iso8601(i.installed_at),
                      installation_json(ctx.db, i, tz));
    };
  });

  struct RemoveArgs {
    std::string dev_eui, at, reading;
  };
  auto remove_args = std::make_shared<RemoveArgs>();
  auto* remove = group->add_subcommand("remove", "remove an installed meter, with its final register reading");
  remove->add_option("DEV_EUI", remove_args->dev_eui, "the meter's DevEUI")->required();
  remove->add_option("--at", remove_args->at, "removal time, after the installation")->required();
  remove->add_option("--reading", remove_args->reading, "register reading at removal")->required();
  remove->callback([&selected, remove_args] {
    selected = [remove_args](Context& ctx) {
      const auto& a = *remove_args;
      auto eui = eui_arg(a.dev_eui, "DevEUI");
      const auto eui_text = lorawan::eui64_to_string(eui);
      if (!schema::find_device(ctx.db, eui)) throw UsageError("no device " + eui_text);
      auto open = schema::open_installation(ctx.db, eui);
      if (!open) throw UsageError("device " + eui_text + " is not installed anywhere");
      auto point = schema::find_point(ctx.db, open->point_id);
      auto tz = object_zone(*schema::find_object(ctx.db, point->object_id), ctx.time_zone);
      const auto at = required_time_arg(tz, a.at, "--at");
      if (at <= open->installed_at) {
        throw UsageError("--at must be after the installation at " + tz.format_iso8601(open->installed_at));
      }
      const auto reading = number_arg(a.reading, "--reading");
      check_reading(reading, "--reading");
      // Registers count up; a lower final value is a typo or a different meter.
      if (reading < open->installed_reading) {
        throw UsageError("--reading " + number(reading) + " is below the installation reading " +
                         number(open->installed_reading));
      }
      schema::close_installation(ctx.db, eui, at, reading);
      open->removed_at = at;
      open->removed_reading = reading;
      ctx.output.done(
          "removed " + eui_text + " from " + installation_place(ctx.db, *open) + " at " + tz.format_iso8601(at),
          installation_json(ctx.db, *open, tz));
    };
  });

  struct HistoryArgs {
    std::string dev_eui, object, point;
  };
  auto history_args = std::make_shared<HistoryArgs>();
  auto* history = group->add_subcommand("history", "installation history of a device, or of a point (--point)");
  history->add_option("DEV_EUI", history_args->dev_eui, "the device's DevEUI");
  history->add_option("--point", history_args->point, point_help);
  history->add_option("--object", history_args->object, "object of --point, when --point is only the point's name");
  history->callback([&selected, history_args] {
    selected = [history_args](Context& ctx) {
      const auto& a = *history_args;
      if (a.dev_eui.empty() == a.point.empty()) throw UsageError("give either DEV_EUI or --point");
      std::vector<schema::MeterInstallation> rows;
      auto tz = zone_arg(ctx.time_zone);
      if (!a.point.empty()) {
        auto ref = point_ref(ctx.db, a.point, a.object);
        tz = object_zone(ref.object, ctx.time_zone);
        rows = schema::installations_of_point(ctx.db, ref.point.id);
      } else {
        if (!a.object.empty()) throw UsageError("--object goes with --point");
        auto eui = eui_arg(a.dev_eui, "DevEUI");
        if (!schema::find_device(ctx.db, eui)) throw UsageError("no device " + lorawan::eui64_to_string(eui));
        rows = schema::installations_of_device(ctx.db, eui);
      }
      Table t{{"POINT", "DEV EUI", "INSTALLED", "READING", "REMOVED", "READING", "SEAL"}, {}};
      auto j = json::array();
      for (const auto& i : rows) {
        t.rows.push_back(installation_row(ctx.db, i, tz));
        j.push_back(installation_json(ctx.db, i, tz));
      }
      ctx.output.table(t, j);
    };
  });
}

void add_norm_group(CLI::App& app, Action& selected) {
  auto* group = app.add_subcommand("norm", "billing norms (нормативы): consumption per premise per month");
  group->require_subcommand(1);

  struct SetArgs {
    std::string object, resource, per_month, per_m2, premise, from;
  };
  auto args = std::make_shared<SetArgs>();
  auto* set = group->add_subcommand(
      "set",
      "set a norm of a resource from a date on: per premise (--per-month), one premise's item-43 calculated "
      "volume (--per-month --premise) or the common-property norm (--common-per-m2)");
  set->add_option("OBJECT", args->object, "object name")->required();
  set->add_option("--resource", args->resource, "cold_water, hot_water, heat or electricity")->required();
  set->add_option("--per-month", args->per_month,
                  "per premise per month, in the register's unit: m³ for water, kWh for heat and electricity");
  set->add_option("--premise", args->premise,
                  "with --per-month: the calculated volume (item 43) of this non-residential premise");
  set->add_option("--common-per-m2", args->per_m2,
                  "the common-property norm (ОДН cap, item 44): per m² of common property per month");
  set->add_option("--from", args->from, "in force from this date (object's zone); default: from the beginning");
  set->callback([&selected, args] {
    selected = [args](Context& ctx) {
      const auto& a = *args;
      auto o = existing_object(ctx.db, a.object);
      check_resource(a.resource, "--resource");
      if (a.per_month.empty() == a.per_m2.empty())
        throw UsageError("give exactly one of --per-month and --common-per-m2");
      if (!a.premise.empty() && a.per_month.empty()) throw UsageError("--premise goes with --per-month");
      const double value = number_arg(a.per_month.empty() ? a.per_m2 : a.per_month,
                                      a.per_month.empty() ? "--common-per-m2" : "--per-month");
      if (value < 0)
        throw UsageError(std::string(a.per_month.empty() ? "--common-per-m2" : "--per-month") + " must be >= 0");
      auto tz = object_zone(o, ctx.time_zone);
      // Without --from the norm has always been in force: Unix time 0 precedes every reading.
      const auto valid_from = time_arg(tz, a.from, "--from").value_or(0);
      const auto from = valid_from == 0 ? std::string("the beginning") : tz.format_iso8601(valid_from);
      json j = {{"object", o.name},
                {"resource", a.resource},
                {"validFrom", valid_from == 0 ? json() : json(tz.format_iso8601(valid_from))}};
      if (!a.per_m2.empty()) {
        schema::set_common_property_norm(ctx.db, {o.id, a.resource, valid_from, value});
        j["kind"] = "common_property";
        j["perM2"] = value;
        ctx.output.done("common-property norm for " + a.resource + " at " + o.name + ": " + number(value) +
                            " per m² per month from " + from,
                        j);
      } else if (!a.premise.empty()) {
        auto premise = existing_premise(ctx.db, o, a.premise);
        if (premise.kind != "non_residential")
          throw UsageError("premise " + premise.number +
                           " is residential; item 43's calculated volume is for "
                           "non-residential premises");
        schema::set_calculated_volume(ctx.db, {premise.id, a.resource, valid_from, value});
        j["kind"] = "calculated";
        j["premise"] = premise.number;
        j["perMonth"] = value;
        ctx.output.done("calculated volume for " + a.resource + " of premise " + premise.number + " at " + o.name +
                            ": " + number(value) + " per month from " + from,
                        j);
      } else {
        schema::set_norm(ctx.db, {o.id, a.resource, valid_from, value});
        j["kind"] = "premise";
        j["perMonth"] = value;
        ctx.output.done("norm for " + a.resource + " at " + o.name + ": " + number(value) + " per month from " + from,
                        j);
      }
    };
  });

  auto list_object = std::make_shared<std::string>();
  auto* list = group->add_subcommand("list", "list an object's norms");
  list->add_option("OBJECT", *list_object, "object name")->required();
  list->callback([&selected, list_object] {
    selected = [list_object](Context& ctx) {
      auto o = existing_object(ctx.db, *list_object);
      auto tz = object_zone(o, ctx.time_zone);
      Table t{{"KIND", "PREMISE", "RESOURCE", "FROM", "VALUE"}, {}};
      auto j = json::array();
      auto from_text = [&](std::int64_t t) { return t == 0 ? std::string("-") : tz.format_iso8601(t); };
      auto from_json = [&](std::int64_t t) { return t == 0 ? json() : json(tz.format_iso8601(t)); };
      for (const auto& n : schema::list_norms(ctx.db, o.id)) {
        t.rows.push_back({"premise", "", n.resource, from_text(n.valid_from), number(n.per_month) + " per month"});
        j.push_back({{"kind", "premise"},
                     {"resource", n.resource},
                     {"perMonth", n.per_month},
                     {"validFrom", from_json(n.valid_from)}});
      }
      for (const auto& n : schema::list_common_property_norms(ctx.db, o.id)) {
        t.rows.push_back(
            {"common_property", "", n.resource, from_text(n.valid_from), number(n.per_m2) + " per m² per month"});
        j.push_back({{"kind", "common_property"},
                     {"resource", n.resource},
                     {"perM2", n.per_m2},
                     {"validFrom", from_json(n.valid_from)}});
      }
      for (const auto& p : schema::list_premises(ctx.db, o.id)) {
        for (const auto& v : schema::list_calculated_volumes(ctx.db, p.id)) {
          t.rows.push_back(
              {"calculated", p.number, v.resource, from_text(v.valid_from), number(v.per_month) + " per month"});
          j.push_back({{"kind", "calculated"},
                       {"premise", p.number},
                       {"resource", v.resource},
                       {"perMonth", v.per_month},
                       {"validFrom", from_json(v.valid_from)}});
        }
      }
      ctx.output.table(t, j);
    };
  });
}

}  // namespace

void add_object_commands(CLI::App& app, Action& selected) {
  add_object_group(app, selected);
  add_premise_group(app, selected);
  add_point_group(app, selected);
  add_meter_group(app, selected);
  add_norm_group(app, selected);
}

}  // namespace uchet::cli
