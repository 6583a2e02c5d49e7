#include "schema/objects.h"
#include "schema/inserted_id.h"
#include "schema/statement.h"

#include <algorithm>
#include <cctype>

#include "netserver/lorawan/encoding.h"

namespace uchet::schema {
namespace {

constexpr const char* kObjectColumns =
    "SELECT id, name, address, fias_house_guid, time_zone, latitude, longitude, created_at, common_area_m2, "
    "owners_above_norm, heating_first_month, heating_last_month FROM metering_object ";
constexpr const char* kPremiseColumns = "SELECT id, object_id, number, kind, area_m2, account FROM premise ";
constexpr const char* kPointColumns = "SELECT id, object_id, name, resource, level, premise_id FROM metering_point ";
constexpr const char* kInstallationColumns =
    "SELECT id, point_id, dev_eui, installed_at, installed_reading, removed_at, removed_reading, seal "
    "FROM meter_installation ";
constexpr const char* kManualColumns =
    "SELECT id, dev_eui, quantity, measured_at, value, reason, entered_by, recorded_at FROM manual_reading ";

lorawan::Eui64 eui_from(const Statement& q, int column) {
  auto eui = lorawan::parse_eui64(q.text(column));
  if (!eui) throw StorageError("corrupt dev_eui in the metering tables: " + q.text(column));
  return *eui;
}

MeteringObject object_from(const Statement& q) {
  MeteringObject o;
  o.id = q.int64(0);
  o.name = q.text(1);
  o.address = q.text(2);
  o.fias_house_guid = q.text(3);
  o.time_zone = q.text(4);
  o.latitude = q.optional_real(5);
  o.longitude = q.optional_real(6);
  o.created_at = q.int64(7);
  o.common_area_m2 = q.optional_real(8);
  o.owners_above_norm = q.int64(9) != 0;
  if (auto m = q.optional_int64(10)) o.heating_first_month = static_cast<int>(*m);
  if (auto m = q.optional_int64(11)) o.heating_last_month = static_cast<int>(*m);
  return o;
}

Premise premise_from(const Statement& q) {
  return Premise{q.int64(0), q.int64(1), q.text(2), q.text(3), q.optional_real(4), q.text(5)};
}

MeteringPoint point_from(const Statement& q) {
  return MeteringPoint{q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), q.optional_int64(5)};
}

MeterInstallation installation_from(const Statement& q) {
  MeterInstallation i;
  i.id = q.int64(0);
  i.point_id = q.int64(1);
  i.dev_eui = eui_from(q, 2);
  i.installed_at = q.int64(3);
  i.installed_reading = q.real(4);
  i.removed_at = q.optional_int64(5);
  i.removed_reading = q.optional_real(6);
  i.seal = q.text(7);
  return i;
}

std::vector<MeterInstallation> installations(Database& db, const std::string& where, auto bind_key) {
  Statement q(db, std::string(kInstallationColumns) + where + " ORDER BY installed_at, id");
  q.bind(1, bind_key);
  std::vector<MeterInstallation> out;
  while (q.step()) out.push_back(installation_from(q));
  return out;
}

// Apartment numbers are text ("9", "10", "12А", "Н-3"); an operator expects 9 before 10, which
// neither SQLite's text nor numeric ordering gives, so digit runs are compared as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])), db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      // Compare without leading zeros: longer run is larger, equal length compares as text.
      auto ta = a.substr(i, ei - i), tb = b.substr(j, ej - j);
      ta.erase(0, std::min(ta.find_first_not_of('0'), ta.size()));
      tb.erase(0, std::min(tb.find_first_not_of('0'), tb.size()));
      if (ta.size() != tb.size()) return ta.size() < tb.size();
      if (ta != tb) return ta < tb;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  if ((a.size() - i) != (b.size() - j)) return (a.size() - i) < (b.size() - j);
  return a < b;
}

}  // namespace

// ---- objects ----

std::int64_t add_object(Database& db, MeteringObject& object) {
  object.created_at = unix_now();
  Statement insert(
      db,
      "INSERT INTO metering_object (name, address, fias_house_guid, time_zone, latitude, longitude, created_at, "
      "common_area_m2, owners_above_norm, heating_first_month, heating_last_month) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, object.name)
      .bind(2, object.address)
      .bind(3, object.fias_house_guid)
      .bind(4, object.time_zone)
      .bind(5, object.latitude)
      .bind(6, object.longitude)
      .bind(7, object.created_at)
      .bind(8, object.common_area_m2)
      .bind(9, object.owners_above_norm ? 1 : 0)
      .bind(10, object.heating_first_month)
      .bind(11, object.heating_last_month);
  object.id = inserted_id(insert);
  return object.id;
}

std::optional<MeteringObject> find_object(Database& db, const std::string& name) {
  Statement q(db, std::string(kObjectColumns) + "WHERE name = ?");
  q.bind(1, name);
  if (!q.step()) return std::nullopt;
  return object_from(q);
}

std::optional<MeteringObject> find_object(Database& db, std::int64_t id) {
  Statement q(db, std::string(kObjectColumns) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return object_from(q);
}

std::vector<MeteringObject> list_objects(Database& db) {
  Statement q(db, std::string(kObjectColumns) + "ORDER BY name");
  std::vector<MeteringObject> out;
  while (q.step()) out.push_back(object_from(q));
  return out;
}

bool remove_object(Database& db, std::int64_t id) {
  // Installations hang off points, which hang off the object; the foreign keys cascade (the
  // connection enables them), but installations are deleted explicitly first so the removal does
  // not depend on the cascade reaching two levels deep.
  Statement(db, "DELETE FROM meter_installation WHERE point_id IN (SELECT id FROM metering_point WHERE object_id = ?)")
      .bind(1, id)
      .run();
  Statement(db, "DELETE FROM metering_object WHERE id = ?").bind(1, id).run();
  return db.changes() > 0;
}

void set_object_billing(Database& db, const MeteringObject& object) {
  Statement(db,
            "UPDATE metering_object SET common_area_m2 = ?, owners_above_norm = ?, heating_first_month = ?, "
            "heating_last_month = ? WHERE id = ?")
      .bind(1, object.common_area_m2)
      .bind(2, object.owners_above_norm ? 1 : 0)
      .bind(3, object.heating_first_month)
      .bind(4, object.heating_last_month)
      .bind(5, object.id)
      .run();
}

// ---- premises ----

std::int64_t add_premise(Database& db, Premise& premise) {
  Statement insert(
      db, "INSERT INTO premise (object_id, number, kind, area_m2, account) VALUES (?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, premise.object_id)
      .bind(2, premise.number)
      .bind(3, premise.kind)
      .bind(4, premise.area_m2)
      .bind(5, premise.account);
  premise.id = inserted_id(insert);
  return premise.id;
}

std::optional<Premise> find_premise(Database& db, std::int64_t object_id, const std::string& number) {
  Statement q(db, std::string(kPremiseColumns) + "WHERE object_id = ? AND number = ?");
  q.bind(1, object_id).bind(2, number);
  if (!q.step()) return std::nullopt;
  return premise_from(q);
}

std::optional<Premise> find_premise(Database& db, std::int64_t id) {
  Statement q(db, std::string(kPremiseColumns) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return premise_from(q);
}

std::vector<Premise> list_premises(Database& db, std::int64_t object_id) {
  Statement q(db, std::string(kPremiseColumns) + "WHERE object_id = ?");
  q.bind(1, object_id);
  std::vector<Premise> out;
  while (q.step()) out.push_back(premise_from(q));
  std::sort(out.begin(), out.end(),
            [](const Premise& a, const Premise& b) { return natural_less(a.number, b.number); });
  return out;
}

void update_premise(Database& db, const Premise& premise) {
  Statement(db, "UPDATE premise SET number = ?, kind = ?, area_m2 = ?, account = ? WHERE id = ?")
      .bind(1, premise.number)
      .bind(2, premise.kind)
      .bind(3, premise.area_m2)
      .bind(4, premise.account)
      .bind(5, premise.id)
      .run();
}

bool remove_premise(Database& db, std::int64_t id) {
  Statement(db, "DELETE FROM premise WHERE id = ?").bind(1, id).run();
  return db.changes() > 0;
}

std::vector<MeteringPoint> points_of_premise(Database& db, std::int64_t premise_id) {
  Statement q(db, std::string(kPointColumns) + "WHERE premise_id = ? ORDER BY name");
  q.bind(1, premise_id);
  std::vector<MeteringPoint> out;
  while (q.step()) out.push_back(point_from(q));
  return out;
}

// ---- metering points ----

std::int64_t add_point(Database& db, MeteringPoint& point) {
  Statement insert(
      db,
      "INSERT INTO metering_point (object_id, name, resource, level, premise_id) VALUES (?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, point.object_id)
      .bind(2, point.name)
      .bind(3, point.resource)
      .bind(4, point.level)
      .bind(5, point.premise_id);
  point.id = inserted_id(insert);
  return point.id;
}

std::optional<MeteringPoint> find_point(Database& db, std::int64_t object_id, const std::string& name) {
  Statement q(db, std::string(kPointColumns) + "WHERE object_id = ? AND name = ?");
  q.bind(1, object_id).bind(2, name);
  if (!q.step()) return std::nullopt;
  return point_from(q);
}

std::optional<MeteringPoint> find_point(Database& db, std::int64_t id) {
  Statement q(db, std::string(kPointColumns) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return point_from(q);
}

std::vector<MeteringPoint> list_points(Database& db, std::int64_t object_id, const std::string& resource) {
  Statement q(db, std::string(kPointColumns) +
                      "WHERE object_id = ? AND (? = '' OR resource = ?) ORDER BY level <> 'building', name");
  q.bind(1, object_id).bind(2, resource).bind(3, resource);
  std::vector<MeteringPoint> out;
  while (q.step()) out.push_back(point_from(q));
  // Names like "9-cw" and "10-cw" read naturally only with numeric-aware ordering (see premises).
  std::stable_sort(out.begin(), out.end(), [](const MeteringPoint& a, const MeteringPoint& b) {
    if ((a.level == "building") != (b.level == "building")) return a.level == "building";
    return natural_less(a.name, b.name);
  });
  return out;
}

void update_point(Database& db, const MeteringPoint& point) {
  Statement(db, "UPDATE metering_point SET name = ?, resource = ?, level = ?, premise_id = ? WHERE id = ?")
      .bind(1, point.name)
      .bind(2, point.resource)
      .bind(3, point.level)
      .bind(4, point.premise_id)
      .bind(5, point.id)
      .run();
}

bool remove_point(Database& db, std::int64_t id) {
  Statement(db, "DELETE FROM metering_point WHERE id = ?").bind(1, id).run();
  return db.changes() > 0;
}

// ---- installation history ----

std::int64_t add_installation(Database& db, MeterInstallation& installation) {
  Statement insert(db,
                   "INSERT INTO meter_installation (point_id, dev_eui, installed_at, installed_reading, removed_at, "
                   "removed_reading, seal) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, installation.point_id)
      .bind(2, lorawan::eui64_to_string(installation.dev_eui))
      .bind(3, installation.installed_at)
      .bind(4, installation.installed_reading)
      .bind(5, installation.removed_at)
      .bind(6, installation.removed_reading)
      .bind(7, installation.seal);
  installation.id = inserted_id(insert);
  return installation.id;
}

bool close_installation(Database& db, lorawan::Eui64 dev_eui, std::int64_t removed_at, double removed_reading) {
  Statement(
      db, "UPDATE meter_installation SET removed_at = ?, removed_reading = ? WHERE dev_eui = ? AND removed_at IS NULL")
      .bind(1, removed_at)
      .bind(2, removed_reading)
      .bind(3, lorawan::eui64_to_string(dev_eui))
      .run();
  return db.changes() > 0;
}

std::optional<MeterInstallation> open_installation(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db, std::string(kInstallationColumns) + "WHERE dev_eui = ? AND removed_at IS NULL");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  if (!q.step()) return std::nullopt;
  return installation_from(q);
}

std::optional<DevicePlace> device_place(Database& db, lorawan::Eui64 dev_eui) {
  Statement q(db,
              "SELECT o.name, COALESCE(pr.number, ''), p.name FROM meter_installation i "
              "JOIN metering_point p ON p.id = i.point_id JOIN metering_object o ON o.id = p.object_id "
              "LEFT JOIN premise pr ON pr.id = p.premise_id WHERE i.dev_eui = ? AND i.removed_at IS NULL");
  q.bind(1, lorawan::eui64_to_string(dev_eui));
  if (!q.step()) return std::nullopt;
  return DevicePlace{q.text(0), q.text(1), q.text(2)};
}

std::vector<MeterInstallation> installations_of_point(Database& db, std::int64_t point_id) {
  return installations(db, "WHERE point_id = ?", point_id);
}

std::vector<MeterInstallation> installations_of_device(Database& db, lorawan::Eui64 dev_eui) {
  return installations(db, "WHERE dev_eui = ?", lorawan::eui64_to_string(dev_eui));
}

// ---- manual readings ----

std::int64_t add_manual_reading(Database& db, ManualReading& reading) {
  reading.recorded_at = unix_now();
  Statement insert(
      db,
      "INSERT INTO manual_reading (dev_eui, quantity, measured_at, value, reason, entered_by, recorded_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, lorawan::eui64_to_string(reading.dev_eui))
      .bind(2, reading.quantity)
      .bind(3, reading.measured_at)
      .bind(4, reading.value)
      .bind(5, reading.reason)
      .bind(6, reading.entered_by)
      .bind(7, reading.recorded_at);
  reading.id = inserted_id(insert);
  return reading.id;
}

std::vector<ManualReading> manual_readings(Database& db, lorawan::Eui64 dev_eui, const std::string& quantity,
                                           std::int64_t from, std::int64_t to) {
  Statement q(db, std::string(kManualColumns) +
                      "WHERE dev_eui = ? AND quantity = ? AND measured_at BETWEEN ? AND ? ORDER BY measured_at, id");
  q.bind(1, lorawan::eui64_to_string(dev_eui)).bind(2, quantity).bind(3, from).bind(4, to);
  std::vector<ManualReading> out;
  while (q.step()) {
    ManualReading r;
    r.id = q.int64(0);
    r.dev_eui = eui_from(q, 1);
    r.quantity = q.text(2);
    r.measured_at = q.int64(3);
    r.value = q.real(4);
    r.reason = q.text(5);
    r.entered_by = q.text(6);
    r.recorded_at = q.int64(7);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<std::int64_t> first_installation_at(Database& db, std::int64_t object_id, const std::string& resource) {
  Statement q(db,
              "SELECT MIN(i.installed_at) FROM meter_installation i JOIN metering_point p ON p.id = i.point_id "
              "WHERE p.object_id = ? AND p.resource = ?");
  q.bind(1, object_id).bind(2, resource);
  return q.step() ? q.optional_int64(0) : std::nullopt;
}

namespace {

int count(Database& db, const char* sql, std::int64_t object_id) {
  Statement q(db, sql);
  q.bind(1, object_id);
  return q.step() ? static_cast<int>(q.int64(0)) : 0;
}

}  // namespace

int count_premises(Database& db, std::int64_t object_id) {
  return count(db, "SELECT count(*) FROM premise WHERE object_id = ?", object_id);
}

int count_points(Database& db, std::int64_t object_id) {
  return count(db, "SELECT count(*) FROM metering_point WHERE object_id = ?", object_id);
}

int count_installed_meters(Database& db, std::int64_t object_id) {
  return count(db,
               "SELECT count(*) FROM meter_installation i JOIN metering_point p ON p.id = i.point_id "
               "WHERE p.object_id = ? AND i.removed_at IS NULL",
               object_id);
}

}  // namespace uchet::schema
