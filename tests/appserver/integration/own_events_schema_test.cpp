// uchet's own events (device alarm, object balance, object alarm) against their JSON Schema in
// docs/events.schema.json, read from the source tree: the payloads are written by the same
// functions uchetd publishes with, and the schema must also refuse what is not such an event.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <nlohmann/json.hpp>

#include "appserver/integration/balance_events.h"
#include "appserver/integration/integration_events.h"

using namespace uchet;

namespace {

// Why `json` is not a valid `definition` of docs/events.schema.json, or "" when it is.
std::string violation(const std::string& definition, const std::string& json) {
  std::ifstream in(std::string(UCHET_SOURCE_DIR) + "/docs/events.schema.json");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto schema = nlohmann::json::parse(text.str());
  REQUIRE(schema["definitions"].contains(definition));
  // The one definition as the document's root, its references resolved within the same file.
  const nlohmann::json root{{"$ref", "#/definitions/" + definition}, {"definitions", schema["definitions"]}};
  rapidjson::Document schema_document;
  REQUIRE_FALSE(schema_document.Parse(root.dump().c_str()).HasParseError());
  rapidjson::SchemaDocument compiled(schema_document);
  rapidjson::Document document;
  if (document.Parse(json.c_str()).HasParseError()) return "not JSON";
  rapidjson::SchemaValidator validator(compiled);
  if (document.Accept(validator)) return "";
  // RapidJSON 1.1 (Debian 12) names the failing keyword and where, in the schema and the event.
  rapidjson::StringBuffer schema_at, document_at;
  validator.GetInvalidSchemaPointer().StringifyUriFragment(schema_at);
  validator.GetInvalidDocumentPointer().StringifyUriFragment(document_at);
  return std::string(validator.GetInvalidSchemaKeyword()) + " at " + schema_at.GetString() + " (event " +
         document_at.GetString() + ")";
}

}  // namespace

TEST_CASE("a device's alarm event follows its schema in docs/events.schema.json") {
  schema::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  d.application_uuid = "6b9f3d4e-1111-4222-8333-444455556666";
  d.name = "кв. 12 ХВС";
  d.codec = "karat-926lw";
  const appserver::EventIdentity identity;
  for (bool opened : {true, false}) {
    const auto event = appserver::alarm_event_json(d, appserver::AlarmChange{"leak", opened, 1763805600, 42}, identity);
    INFO(event);
    CHECK(violation("deviceAlarm", event) == "");
  }
  // The negative cases: the schema is not a rubber stamp.
  auto event = nlohmann::json::parse(
      appserver::alarm_event_json(d, appserver::AlarmChange{"leak", true, 1763805600, 42}, identity));
  event["state"] = "opened";  // the object alarm's word, not the device alarm's
  CHECK(violation("deviceAlarm", event.dump()) != "");
  event["state"] = "open";
  event["extra"] = 1;
  CHECK(violation("deviceAlarm", event.dump()) != "");
  event.erase("extra");
  event["deviceInfo"].erase("devEui");
  CHECK(violation("deviceAlarm", event.dump()) != "");
}

TEST_CASE("an object's balance and imbalance alarm events follow their schemas in docs/events.schema.json") {
  const auto zone = appserver::TimeZone::load("Asia/Yekaterinburg");
  REQUIRE(zone);
  appserver::BalanceRow row;
  row.start = 1763751600;  // 2025-11-22 00:00 +05:00
  row.end = row.start + 86400;
  row.building = 12.5;
  row.premises = 11.25;
  row.imbalance = 1.25;
  row.imbalance_pct = 10;
  row.premise_points = 3;
  row.premise_points_measured = 2;
  row.estimated = {{"кв. 3 ХВС", appserver::ValueSource::Linear}};
  row.missing = {"кв. 7 ХВС"};
  const auto balance = appserver::balance_event_json("дом-1", "cold_water", row, *zone);
  INFO(balance);
  CHECK(violation("objectBalance", balance) == "");
  appserver::BalanceRow empty;  // a day with nothing measured: nulls where there is no value
  empty.start = row.start;
  empty.end = row.end;
  CHECK(violation("objectBalance", appserver::balance_event_json("дом-1", "cold_water", empty, *zone)) == "");

  const auto alarm =
      appserver::imbalance_event_json("дом-1", "cold_water", appserver::ImbalanceChange{true, row.end, 12.5}, 10);
  INFO(alarm);
  CHECK(violation("objectAlarm", alarm) == "");
  CHECK(violation("objectAlarm", balance) != "");  // a balance is not an alarm
  auto broken = nlohmann::json::parse(balance);
  broken["coverage"]["pct"] = "66%";
  CHECK(violation("objectBalance", broken.dump()) != "");
}
