#include "tools/uchetctl/object_import.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "common/names.h"
#include "common/uuid.h"
#include "netserver/lorawan/encoding.h"
#include "schema/devices.h"
#include "tools/uchetctl/csv.h"
#include "tools/uchetctl/report_args.h"
#include "tools/uchetctl/validate.h"

namespace uchet::cli {

// ---- checks shared with the commands ----

double number_arg(const std::string& text, const std::string& what) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    throw UsageError(what + " must be a number, got '" + text + "'");
  }
  return value;
}

std::string fias_arg(const std::string& text, const std::string& what) {
  auto uuid = common::canonical_uuid(text);
  if (!uuid) throw UsageError(what + " must be a UUID like 0c5b2444-70a0-4932-980c-b4dc0d3f02b5, got '" + text + "'");
  return *uuid;
}

std::string time_zone_name_arg(const std::string& name, const std::string& what) {
  if (name.empty()) return name;
  auto tz = appserver::TimeZone::load(name);
  if (!tz) throw UsageError(what + ": " + tz.error());
  return name;
}

void check_coordinates(const std::optional<double>& lat, const std::optional<double>& lon) {
  if (lat.has_value() != lon.has_value()) throw UsageError("give both latitude and longitude, or neither");
  if (lat && (*lat < -90 || *lat > 90)) throw UsageError("latitude must be between -90 and 90, got " + number(*lat));
  if (lon && (*lon < -180 || *lon > 180))
    throw UsageError("longitude must be between -180 and 180, got " + number(*lon));
}

void check_resource(const std::string& resource, const std::string& what) {
  for (const char* known : {"cold_water", "hot_water", "heat", "electricity"})
    if (resource == known) return;
  throw UsageError(what + " must be cold_water, hot_water, heat or electricity, got '" + resource + "'");
}

void check_premise_kind(const std::string& kind, const std::string& what) {
  if (kind != "residential" && kind != "non_residential") {
    throw UsageError(what + " must be residential or non_residential, got '" + kind + "'");
  }
}

void check_level(const std::string& level, const std::string& what) {
  if (level != "building" && level != "premise")
    throw UsageError(what + " must be building or premise, got '" + level + "'");
}

void check_premise_number(const std::string& number, const std::string& what) {
  if (number.empty()) throw UsageError(what + " must not be empty");
  if (number.size() > 50) throw UsageError(what + " must be at most 50 bytes");
  if (number.front() == ' ' || number.back() == ' ')
    throw UsageError(what + " '" + number + "' has surrounding spaces");
  for (unsigned char c : number) {
    if (c < 0x20 || c == 0x7F) throw UsageError(what + " must not contain control characters");
  }
}

void check_area(double area, const std::string& what) {
  if (!std::isfinite(area) || area <= 0) throw UsageError(what + " must be a positive number of square metres");
}

void check_reading(double reading, const std::string& what) {
  if (!std::isfinite(reading) || reading < 0) throw UsageError(what + " must be a finite register value >= 0");
}

std::optional<std::pair<int, int>> heating_season_arg(const std::string& text, const std::string& what) {
  if (text == "none") return std::nullopt;
  auto month = [&](std::string_view part) {
    int m = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), m);
    if (part.size() != 2 || ec != std::errc() || end != part.data() + part.size() || m < 1 || m > 12)
      throw UsageError(what + " must be MM-MM (first and last month, e.g. 10-04) or none, got '" + text + "'");
    return m;
  };
  const auto dash = text.find('-');
  if (dash == std::string::npos)
    throw UsageError(what + " must be MM-MM (first and last month, e.g. 10-04) or none, got '" + text + "'");
  return std::make_pair(month(std::string_view(text).substr(0, dash)), month(std::string_view(text).substr(dash + 1)));
}

std::string heating_season_text(const schema::MeteringObject& object) {
  if (!object.heating_first_month || !object.heating_last_month) return "";
  return fmt::format("{:02}-{:02}", *object.heating_first_month, *object.heating_last_month);
}

bool yes_no_arg(const std::string& text, const std::string& what) {
  if (text == "yes") return true;
  if (text == "no") return false;
  throw UsageError(what + " must be yes or no, got '" + text + "'");
}

appserver::TimeZone object_zone(const schema::MeteringObject& object, const std::string& fallback_zone) {
  return zone_arg(object.time_zone.empty() ? fallback_zone : object.time_zone);
}

std::string installation_place(schema::Database& db, const schema::MeterInstallation& installation) {
  auto point = schema::find_point(db, installation.point_id);
  if (!point) return "point #" + std::to_string(installation.point_id);
  auto object = schema::find_object(db, point->object_id);
  return (object ? object->name : "?") + "/" + point->name;
}

void check_installable(schema::Database& db, const schema::MeteringPoint& point, lorawan::Eui64 dev_eui,
                       std::int64_t at, const appserver::TimeZone& tz) {
  const auto eui = lorawan::eui64_to_string(dev_eui);
  if (auto open = schema::open_installation(db, dev_eui)) {
    throw UsageError("device " + eui + " is installed at " + installation_place(db, *open) + " since " +
                     tz.format_iso8601(open->installed_at) + "; remove it first (meter remove)");
  }
  // A device measures one point at a time, so its new period must not begin inside an old one.
  for (const auto& past : schema::installations_of_device(db, dev_eui)) {
    if (past.removed_at && at < *past.removed_at) {
      throw UsageError("device " + eui + " was installed at " + installation_place(db, past) + " until " +
                       tz.format_iso8601(*past.removed_at) + "; --at must not be earlier");
    }
  }
  for (const auto& past : schema::installations_of_point(db, point.id)) {
    if (!past.removed_at) {
      throw UsageError("point " + installation_place(db, past) + " already has meter " +
                       lorawan::eui64_to_string(past.dev_eui) + "; remove it first (meter remove)");
    }
    // Equal is allowed: a replacement removes the old meter and installs the new one at one instant.
    if (at < *past.removed_at) {
      throw UsageError("point " + installation_place(db, past) + " had meter " +
                       lorawan::eui64_to_string(past.dev_eui) + " until " + tz.format_iso8601(*past.removed_at) +
                       "; installations at a point must not overlap");
    }
  }
}

// ---- the building import ----

namespace {

const std::vector<std::string> kColumns = {
    "object",         "address",      "fias",    "time_zone", "lat",     "lon",   "common_area", "owners_above_norm",
    "heating_season", "premise",      "kind",    "area",      "account", "point", "resource",    "level",
    "dev_eui",        "installed_at", "reading", "seal"};

struct ObjectDraft {
  schema::MeteringObject object;
  int first_line = 0;
  std::map<std::string, int> given_on;  // attribute -> line that first gave it
  std::optional<double> lat, lon;
};

struct PremiseDraft {
  std::string object;
  schema::Premise premise;
  int line = 0;
};

struct PointDraft {
  std::string object, premise;  // premise number for premise-level points
  schema::MeteringPoint point;
  int line = 0;
};

struct MeterDraft {
  std::string object, point;
  schema::MeterInstallation installation;
};

// An object-level attribute may be repeated on the object's lines but never contradicted.
void agree(ObjectDraft& draft, const std::string& column, const std::string& value, const std::string& current,
           int line) {
  auto [it, first] = draft.given_on.emplace(column, line);
  if (!first && value != current) {
    throw UsageError(column + " '" + value + "' differs from '" + current + "' given on line " +
                     std::to_string(it->second));
  }
}

class Importer {
 public:
  Importer(schema::Database& db, const std::string& default_zone) : db_(db), default_zone_(default_zone) {}

  ImportSummary run(std::string_view csv_text) {
    auto records = parse_csv(csv_text);
    if (!records) throw UsageError("not a CSV file: " + records.error());
    if (records->empty()) throw UsageError("the CSV file is empty (a header row is required)");
    read_header(records->front());

    std::vector<const CsvRecord*> rows;
    for (std::size_t r = 1; r < records->size(); ++r) {
      const auto& rec = (*records)[r];
      if (rec.fields.size() != records->front().fields.size()) {
        fail(rec.line, std::to_string(rec.fields.size()) + " fields, the header has " +
                           std::to_string(records->front().fields.size()));
      } else {
        rows.push_back(&rec);
      }
    }
    if (rows.empty() && errors_.empty()) throw UsageError("the CSV file has a header but no lines");
    // Object attributes first, so that a time zone given on any line of an object applies to the
    // installation times of all its lines.
    for (const auto* rec : rows) guarded(*rec, [&] { read_object(*rec); });
    for (auto& [name, draft] : objects_)
      guarded_line(draft.first_line, [&] { check_coordinates(draft.lat, draft.lon); });
    // A line whose object is unusable (a bad name) has nothing to hang its parts on; any other
    // line is checked in full, so that every error of a line is reported at once.
    for (const auto* rec : rows) {
      if (!unusable_lines_.count(rec->line)) guarded(*rec, [&] { read_parts(*rec); });
    }
    if (!errors_.empty()) {
      std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      std::string message = std::to_string(bad_lines_.size()) + " bad line(s), nothing imported:";
      for (const auto& [line, e] : errors_) message += "\n  line " + std::to_string(line) + ": " + e;
      throw UsageError(message);
    }
    return write();
  }

 private:
  void read_header(const CsvRecord& header) {
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
      std::string name = header.fields[i];
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      // A misspelt column would silently drop its data, so unknown columns are refused.
      if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end()) {
        std::string known;
        for (const auto& c : kColumns) known += (known.empty() ? "" : ", ") + c;
        throw UsageError("line 1: unknown column '" + name + "' (known: " + known + ")");
      }
      if (!column_.emplace(name, i).second) throw UsageError("line 1: column '" + name + "' appears twice");
    }
    if (!column_.count("object")) throw UsageError("line 1: the header has no 'object' column");
  }

  std::string field(const CsvRecord& rec, const char* name) const {
    auto it = column_.find(name);
    if (it == column_.end()) return "";
    std::string value = rec.fields[it->second];
    // Spreadsheets pad cells; surrounding blanks are never meaningful here.
    auto first = value.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return value.substr(first, value.find_last_not_of(" \t") - first + 1);
  }

  void fail(int line, const std::string& message) {
    errors_.emplace_back(line, message);
    bad_lines_.insert(line);
  }

  template <class F>
  void guarded_line(int line, F&& f) {
    try {
      f();
    } catch (const UsageError& e) {
      fail(line, e.what());
    }
  }
  template <class F>
  void guarded(const CsvRecord& rec, F&& f) {
    guarded_line(rec.line, std::forward<F>(f));
  }

  void read_object(const CsvRecord& rec) {
    const auto name = field(rec, "object");
    try {
      validate_name(name, "object");
    } catch (const UsageError&) {
      unusable_lines_.insert(rec.line);
      throw;
    }
    auto [it, first] = objects_.try_emplace(name);
    auto& draft = it->second;
    if (first) {
      draft.object.name = name;
      draft.first_line = rec.line;
      order_.push_back(name);
    }
    // Each attribute is checked on its own so that a line with several bad cells names them all.
    if (first && schema::find_object(db_, name))
      fail(rec.line, "object " + name + " already exists (import creates new objects)");
    guarded(rec, [&] {
      if (auto v = field(rec, "address"); !v.empty()) {
        agree(draft, "address", v, draft.object.address, rec.line);
        draft.object.address = v;
      }
    });
    guarded(rec, [&] {
      if (auto v = field(rec, "fias"); !v.empty()) {
        auto guid = fias_arg(v, "fias");
        agree(draft, "fias", guid, draft.object.fias_house_guid, rec.line);
        draft.object.fias_house_guid = guid;
      }
    });
    guarded(rec, [&] {
      if (auto v = field(rec, "time_zone"); !v.empty()) {
        time_zone_name_arg(v, "time_zone");
        agree(draft, "time_zone", v, draft.object.time_zone, rec.line);
        draft.object.time_zone = v;
      }
    });
    guarded(rec, [&] {
      if (auto v = field(rec, "lat"); !v.empty()) {
        auto lat = number_arg(v, "lat");
        agree(draft, "lat", number(lat), draft.lat ? number(*draft.lat) : "", rec.line);
        draft.lat = lat;
      }
    });
    guarded(rec, [&] {
      if (auto v = field(rec, "lon"); !v.empty()) {
        auto lon = number_arg(v, "lon");
        agree(draft, "lon", number(lon), draft.lon ? number(*draft.lon) : "", rec.line);
        draft.lon = lon;
      }
    });
    guarded(rec, [&] {
      if (auto v = field(rec, "common_area"); !v.empty()) {
        auto area = number_arg(v, "common_area");
        check_area(area, "common_area");
        agree(draft, "common_area", number(area),
              draft.object.common_area_m2 ? number(*draft.object.common_area_m2) : "", rec.line);
        draft.object.common_area_m2 = area;
      }
    });
    guarded(rec, [&] {
      if (auto v = field(rec, "owners_above_norm"); !v.empty()) {
        const bool above = yes_no_arg(v, "owners_above_norm");
        agree(draft, "owners_above_norm", v, draft.object.owners_above_norm ? "yes" : "no", rec.line);
        draft.object.owners_above_norm = above;
      }
    });
    guarded(rec, [&] {
      if (auto v = field(rec, "heating_season"); !v.empty()) {
        auto season = heating_season_arg(v, "heating_season");
        const auto current = heating_season_text(draft.object);
        agree(draft, "heating_season", v, current.empty() ? std::string("none") : current, rec.line);
        draft.object.heating_first_month = season ? std::optional<int>(season->first) : std::nullopt;
        draft.object.heating_last_month = season ? std::optional<int>(season->second) : std::nullopt;
      }
    });
  }

  void read_parts(const CsvRecord& rec) {
    const auto object = field(rec, "object");
    const auto premise = field(rec, "premise"), point = field(rec, "point");
    if (!premise.empty()) guarded(rec, [&] { read_premise(rec, object, premise); });
    for (const char* c : {"kind", "area", "account"}) {
      if (premise.empty() && !field(rec, c).empty()) fail(rec.line, std::string(c) + " is given but premise is empty");
    }
    if (!point.empty()) guarded(rec, [&] { read_point(rec, object, premise, point); });
    for (const char* c : {"resource", "level"}) {
      if (point.empty() && !field(rec, c).empty()) fail(rec.line, std::string(c) + " is given but point is empty");
    }
    const bool meter = !field(rec, "dev_eui").empty() || !field(rec, "installed_at").empty() ||
                       !field(rec, "reading").empty() || !field(rec, "seal").empty();
    if (meter) guarded(rec, [&] { read_meter(rec, object, point); });
  }

  void read_premise(const CsvRecord& rec, const std::string& object, const std::string& number) {
    const auto kind = field(rec, "kind"), area = field(rec, "area"), account = field(rec, "account");
    const auto errors = errors_.size();
    guarded(rec, [&] { check_premise_number(number, "premise"); });
    std::optional<double> area_m2;
    guarded(rec, [&] {
      if (area.empty()) return;
      area_m2 = number_arg(area, "area");
      check_area(*area_m2, "area");
    });
    guarded(rec, [&] {
      if (!kind.empty()) check_premise_kind(kind, "kind");
    });
    if (errors_.size() != errors) return;
    auto key = std::make_pair(object, number);
    if (auto it = premise_index_.find(key); it != premise_index_.end()) {
      // The premise was described on an earlier line (e.g. its cold-water point); this line may
      // repeat its description but not change it.
      const auto& first = premises_[it->second];
      const auto where = " given for premise " + number + " on line " + std::to_string(first.line);
      if (!kind.empty() && kind != first.premise.kind)
        throw UsageError("kind '" + kind + "' differs from '" + first.premise.kind + "'" + where);
      if (area_m2 && area_m2 != first.premise.area_m2)
        throw UsageError("area " + area + " differs from the area" + where);
      if (!account.empty() && account != first.premise.account)
        throw UsageError("account '" + account + "' differs from '" + first.premise.account + "'" + where);
      return;
    }
    if (kind.empty()) throw UsageError("kind is required for premise " + number + " (residential or non_residential)");
    PremiseDraft d{object, {}, rec.line};
    d.premise.number = number;
    d.premise.kind = kind;
    d.premise.area_m2 = area_m2;
    d.premise.account = account;
    premise_index_.emplace(key, premises_.size());
    premises_.push_back(std::move(d));
  }

  void read_point(const CsvRecord& rec, const std::string& object, const std::string& premise,
                  const std::string& name) {
    const auto resource = field(rec, "resource");
    // The level follows from the line when not given: a line with a premise is that premise's point.
    auto level = field(rec, "level");
    if (level.empty()) level = premise.empty() ? "building" : "premise";
    const auto errors = errors_.size();
    guarded(rec, [&] { validate_name(name, "point"); });
    guarded(rec, [&] {
      if (resource.empty()) throw UsageError("resource is required for point " + name);
      check_resource(resource, "resource");
    });
    guarded(rec, [&] { check_level(level, "level"); });
    if (errors_.size() != errors) return;
    if (level == "premise" && premise.empty())
      throw UsageError("point " + name + " is premise-level but premise is empty");
    if (level == "building" && !premise.empty()) {
      throw UsageError("point " + name + " is building-level but the line names premise " + premise +
                       "; put it on its own line");
    }
    auto key = std::make_pair(object, name);
    if (auto it = point_lines_.find(key); it != point_lines_.end()) {
      throw UsageError("point " + name + " of object " + object + " is already defined on line " +
                       std::to_string(it->second));
    }
    point_lines_.emplace(key, rec.line);
    PointDraft d{object, level == "premise" ? premise : "", {}, rec.line};
    d.point.name = name;
    d.point.resource = resource;
    d.point.level = level;
    points_.push_back(std::move(d));
  }

  void read_meter(const CsvRecord& rec, const std::string& object, const std::string& point) {
    if (point.empty())
      throw UsageError("a meter (dev_eui, installed_at, reading, seal) needs the point on the same line");
    const auto dev_eui = field(rec, "dev_eui"), at = field(rec, "installed_at"), reading = field(rec, "reading");
    const auto errors = errors_.size();
    MeterDraft d{object, point, {}};
    lorawan::Eui64 eui = 0;
    std::string eui_text;
    guarded(rec, [&] {
      if (dev_eui.empty()) throw UsageError("dev_eui is required to install a meter at point " + point);
      eui = eui_arg(dev_eui, "dev_eui");
      eui_text = lorawan::eui64_to_string(eui);
      if (!schema::find_device(db_, eui))
        throw UsageError("no device " + eui_text + " (add or import the devices first)");
      if (auto it = device_lines_.find(eui); it != device_lines_.end())
        throw UsageError("device " + eui_text + " is already installed on line " + std::to_string(it->second));
    });
    auto tz = object_zone(objects_.at(object).object, default_zone_);
    guarded(rec, [&] {
      if (at.empty()) throw UsageError("installed_at is required to install a meter at point " + point);
      d.installation.installed_at = required_time_arg(tz, at, "installed_at");
    });
    guarded(rec, [&] {
      if (reading.empty()) throw UsageError("reading is required to install a meter at point " + point);
      d.installation.installed_reading = number_arg(reading, "reading");
      check_reading(d.installation.installed_reading, "reading");
    });
    if (errors_.size() != errors) return;
    d.installation.dev_eui = eui;
    d.installation.seal = field(rec, "seal");
    // The point is new, so only the device's own history can conflict; a point id that matches
    // nothing stands in for it.
    check_installable(db_, schema::MeteringPoint{}, eui, d.installation.installed_at, tz);
    device_lines_.emplace(eui, rec.line);
    meters_.push_back(std::move(d));
  }

  ImportSummary write() {
    ImportSummary s;
    std::map<std::string, std::int64_t> object_ids;
    for (const auto& name : order_) {
      auto& draft = objects_.at(name);
      draft.object.latitude = draft.lat;
      draft.object.longitude = draft.lon;
      object_ids[name] = schema::add_object(db_, draft.object);
      ++s.objects;
    }
    std::map<std::pair<std::string, std::string>, std::int64_t> premise_ids, point_ids;
    for (auto& d : premises_) {
      d.premise.object_id = object_ids.at(d.object);
      premise_ids[{d.object, d.premise.number}] = schema::add_premise(db_, d.premise);
      ++s.premises;
    }
    for (auto& d : points_) {
      d.point.object_id = object_ids.at(d.object);
      if (!d.premise.empty()) d.point.premise_id = premise_ids.at({d.object, d.premise});
      point_ids[{d.object, d.point.name}] = schema::add_point(db_, d.point);
      ++s.points;
    }
    for (auto& d : meters_) {
      d.installation.point_id = point_ids.at({d.object, d.point});
      schema::add_installation(db_, d.installation);
      ++s.meters;
    }
    return s;
  }

  schema::Database& db_;
  std::string default_zone_;
  std::map<std::string, std::size_t> column_;
  std::vector<std::pair<int, std::string>> errors_;
  std::set<int> bad_lines_;
  std::set<int> unusable_lines_;  // lines whose object name is bad
  std::map<std::string, ObjectDraft> objects_;
  std::vector<std::string> order_;  // objects in the order of the file
  std::vector<PremiseDraft> premises_;
  std::map<std::pair<std::string, std::string>, std::size_t> premise_index_;
  std::vector<PointDraft> points_;
  std::map<std::pair<std::string, std::string>, int> point_lines_;
  std::vector<MeterDraft> meters_;
  std::map<lorawan::Eui64, int> device_lines_;
};

}  // namespace

ImportSummary import_objects(schema::Database& db, std::string_view csv_text, const std::string& default_time_zone) {
  return Importer(db, default_time_zone).run(csv_text);
}

}  // namespace uchet::cli
