#pragma once
// The metering domain's operator input: the checks that the object/premise/point/meter/norm
// commands and the building import share (so a value refused by one is refused by the other with
// the same words), and the import of whole buildings from CSV. The CSV format is documented in
// docs/metering-model.md. Every check throws UsageError naming the field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "appserver/metering/time_zone.h"
#include "netserver/lorawan/types.h"
#include "schema/objects.h"

namespace uchet::cli {

// A decimal number typed by an operator; "nan", "inf" and trailing text are refused.
double number_arg(const std::string& text, const std::string& what);
// A FIAS/GAR house GUID as 8-4-4-4-12 hex digits; returned lower-case (the stored form).
std::string fias_arg(const std::string& text, const std::string& what);
// An IANA zone name that loads; empty stays empty (the configuration's zone applies).
std::string time_zone_name_arg(const std::string& name, const std::string& what);
void check_coordinates(const std::optional<double>& lat, const std::optional<double>& lon);
void check_resource(const std::string& resource, const std::string& what);  // cold_water, hot_water, heat, electricity
void check_premise_kind(const std::string& kind, const std::string& what);  // residential, non_residential
void check_level(const std::string& level, const std::string& what);        // building, premise
// "12", "12А", "Н-3": not empty, no control characters, no surrounding spaces, at most 50 bytes.
void check_premise_number(const std::string& number, const std::string& what);
void check_area(double area, const std::string& what);        // > 0 m²
void check_reading(double reading, const std::string& what);  // a register value: finite, >= 0
// "10-04" (first and last month of the heating season, may wrap the year) or "none" (nullopt).
std::optional<std::pair<int, int>> heating_season_arg(const std::string& text, const std::string& what);
bool yes_no_arg(const std::string& text, const std::string& what);  // yes | no
// The object's heating season as "10-04", or "" when not configured.
std::string heating_season_text(const schema::MeteringObject& object);

// The zone in which an object's times are read and printed: its own, else the configuration's.
appserver::TimeZone object_zone(const schema::MeteringObject& object, const std::string& fallback_zone);
// "OBJECT/POINT" of an installation, for messages and listings.
std::string installation_place(schema::Database& db, const schema::MeterInstallation& installation);
// Refuses a meter installation that would break the history: the device is installed somewhere,
// or was removed after `at`; the point has a meter, or its previous meter was removed after `at`.
void check_installable(schema::Database& db, const schema::MeteringPoint& point, lorawan::Eui64 dev_eui,
                       std::int64_t at, const appserver::TimeZone& tz);

struct ImportSummary {
  int objects = 0, premises = 0, points = 0, meters = 0;
};

// Creates the objects of the CSV with their premises, points and installed meters. Every line is
// checked before anything is written; any bad line refuses the whole file, with every error of
// every bad line listed by its line number (UsageError).
ImportSummary import_objects(schema::Database& db, std::string_view csv_text, const std::string& default_time_zone);

}  // namespace uchet::cli
