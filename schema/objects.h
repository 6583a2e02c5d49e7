#pragma once
// Storage of the metering domain (migration 0006): objects (buildings), premises, metering points,
// the meter installation history and manual readings (billing norms and rules are in
// schema/billing_rules.h, object alarms in schema/alarms.h, published balance days in
// schema/balances.h). Thin: checks of meaning (UUID format, resource names, overlapping
// installations) are made by the callers before writing; constraint violations surface as
// StorageError.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct MeteringObject {
  std::int64_t id = 0;
  std::string name;
  std::string address;
  std::string fias_house_guid;  // lower-case UUID or empty
  std::string time_zone;        // empty: the configuration's
  std::optional<double> latitude, longitude;
  std::int64_t created_at = 0;
  // What the common-property share and heating averages need (migration 0014).
  std::optional<double> common_area_m2;                        // area of the common property, m²
  bool owners_above_norm = false;                              // the owners decided to distribute ОДН above the norm
  std::optional<int> heating_first_month, heating_last_month;  // 1..12, may wrap the year
};

struct Premise {
  std::int64_t id = 0;
  std::int64_t object_id = 0;
  std::string number;
  std::string kind;  // residential | non_residential
  std::optional<double> area_m2;
  std::string account;
};

struct MeteringPoint {
  std::int64_t id = 0;
  std::int64_t object_id = 0;
  std::string name;
  std::string resource;  // cold_water | hot_water | heat | electricity
  std::string level;     // building | premise
  std::optional<std::int64_t> premise_id;
};

struct MeterInstallation {
  std::int64_t id = 0;
  std::int64_t point_id = 0;
  lorawan::Eui64 dev_eui = 0;
  std::int64_t installed_at = 0;
  double installed_reading = 0;
  std::optional<std::int64_t> removed_at;
  std::optional<double> removed_reading;
  std::string seal;
};

struct ManualReading {
  std::int64_t id = 0;
  lorawan::Eui64 dev_eui = 0;
  std::string quantity;
  std::int64_t measured_at = 0;
  double value = 0;
  std::string reason;
  std::string entered_by;
  std::int64_t recorded_at = 0;
};

// Objects. Adding sets id and created_at; names are unique.
std::int64_t add_object(Database& db, MeteringObject& object);
std::optional<MeteringObject> find_object(Database& db, const std::string& name);
std::optional<MeteringObject> find_object(Database& db, std::int64_t id);
std::vector<MeteringObject> list_objects(Database& db);  // by name
// Removes the object with its premises, points, installations, norms, alarms; false if unknown.
bool remove_object(Database& db, std::int64_t id);

// Writes common_area_m2, owners_above_norm and the heating season of the object with its id.
void set_object_billing(Database& db, const MeteringObject& object);

std::int64_t add_premise(Database& db, Premise& premise);
// Rewrites number, kind, area and account of the premise with premise.id.
void update_premise(Database& db, const Premise& premise);
// Deletes the premise (its calculated volumes go with it); the caller refuses while points remain.
bool remove_premise(Database& db, std::int64_t id);
std::vector<MeteringPoint> points_of_premise(Database& db, std::int64_t premise_id);  // by name
std::optional<Premise> find_premise(Database& db, std::int64_t object_id, const std::string& number);
std::optional<Premise> find_premise(Database& db, std::int64_t id);
std::vector<Premise> list_premises(Database& db, std::int64_t object_id);  // by number, numeric-aware

std::int64_t add_point(Database& db, MeteringPoint& point);
std::optional<MeteringPoint> find_point(Database& db, std::int64_t object_id, const std::string& name);
std::optional<MeteringPoint> find_point(Database& db, std::int64_t id);
// The object's points, optionally of one resource, building points first, then by name.
std::vector<MeteringPoint> list_points(Database& db, std::int64_t object_id, const std::string& resource = {});

// Rewrites name, resource, level and premise of the point with point.id.
void update_point(Database& db, const MeteringPoint& point);
// Deletes the point; the caller refuses while installations refer to it.
bool remove_point(Database& db, std::int64_t id);

std::int64_t add_installation(Database& db, MeterInstallation& installation);
// Sets removed_at/removed_reading of the device's open installation; false if it has none.
bool close_installation(Database& db, lorawan::Eui64 dev_eui, std::int64_t removed_at, double removed_reading);
std::optional<MeterInstallation> open_installation(Database& db, lorawan::Eui64 dev_eui);
// Where a device is installed now (its open installation): object name, premise number (empty
// for a building-level point) and metering point name; nullopt when it is not installed.
struct DevicePlace {
  std::string object, premise, point;
};
std::optional<DevicePlace> device_place(Database& db, lorawan::Eui64 dev_eui);
std::vector<MeterInstallation> installations_of_point(Database& db, std::int64_t point_id);  // by installed_at
// The first installation of a meter at any point of the object measuring `resource`, if any.
std::optional<std::int64_t> first_installation_at(Database& db, std::int64_t object_id, const std::string& resource);

// What an object holds, for listings.
int count_premises(Database& db, std::int64_t object_id);
int count_points(Database& db, std::int64_t object_id);
int count_installed_meters(Database& db, std::int64_t object_id);  // installations not removed
std::vector<MeterInstallation> installations_of_device(Database& db, lorawan::Eui64 dev_eui);  // by installed_at

std::int64_t add_manual_reading(Database& db, ManualReading& reading);
std::vector<ManualReading> manual_readings(Database& db, lorawan::Eui64 dev_eui, const std::string& quantity,
                                           std::int64_t from, std::int64_t to);  // inclusive, by time
}  // namespace uchet::schema
