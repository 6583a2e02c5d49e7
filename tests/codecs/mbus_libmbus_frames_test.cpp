// Every shared M-Bus telegram (tests/data/mbus/*.hex with *.expected.xml, libmbus's test
// frames) must decode to the records libmbus reports: same count and order, function,
// storage number, tariff/subunit where libmbus shows them, quantity/unit meaning and value.
// Where libmbus is wrong, the record is listed in kExceptions with the reason and what
// uchet decodes instead; nothing else is skipped.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "codec_test_util.h"
#include "codecs/mbus_codec.h"

using namespace uchet::codecs;
using namespace uchet::codecs::mbus;
namespace fs = std::filesystem;

namespace {

struct XmlRecord {
  std::map<std::string, std::string> fields;
  bool has(const std::string& k) const { return fields.count(k) != 0; }
  const std::string& at(const std::string& k) const { return fields.at(k); }
};

std::string xml_unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += std::strlen(to)) {
      s.replace(pos, std::strlen(from), to);
    }
  }
  return s;
}

// The libmbus XML is flat and regular: <DataRecord id="n"> with one-line <Tag>value</Tag>.
std::vector<XmlRecord> parse_expected(const std::string& xml) {
  std::vector<XmlRecord> out;
  const std::regex record_re(R"(<DataRecord id="\d+">([\s\S]*?)</DataRecord>)");
  const std::regex field_re(R"(<(\w+)>([^<]*)</\1>)");
  for (std::sregex_iterator it(xml.begin(), xml.end(), record_re), end; it != end; ++it) {
    XmlRecord rec;
    const std::string body = (*it)[1];
    for (std::sregex_iterator f(body.begin(), body.end(), field_re); f != end; ++f) {
      rec.fields[(*f)[1]] = xml_unescape((*f)[2]);
    }
    out.push_back(std::move(rec));
  }
  return out;
}

std::string ascii_only(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) out.push_back(static_cast<char>(c));
  }
  return out;
}

// libmbus quantity/unit labels -> uchet raw quantity/unit; value_uchet = value_libmbus * factor.
struct Meaning {
  std::string quantity;
  std::string unit;
  double factor = 1.0;
};

std::optional<Meaning> libmbus_meaning(const std::string& quantity, const std::string& unit_raw) {
  const std::string unit = ascii_only(unit_raw);  // "°C" arrives in varying encodings
  static const std::map<std::pair<std::string, std::string>, Meaning> table{
      {{"Energy", "Wh"}, {"energy", "Wh"}},
      {{"Energy", "J"}, {"energy", "J"}},
      {{"Volume", "m^3"}, {"volume", "m3"}},
      {{"Mass", "kg"}, {"mass", "kg"}},
      {{"On time", "s"}, {"on_time", "s"}},
      {{"Operating time", "s"}, {"operating_time", "s"}},
      {{"Power", "W"}, {"power", "W"}},
      {{"Power", "J/h"}, {"power", "J/h"}},
      {{"Volume flow", "m^3/h"}, {"volume_flow", "m3/h"}},
      {{"Volume flow", "m^3/min"}, {"volume_flow", "m3/min"}},
      {{"Volume flow", "m^3/s"}, {"volume_flow", "m3/s"}},
      {{"Mass flow", "kg/h"}, {"mass_flow", "kg/h"}},
      {{"Flow temperature", "C"}, {"flow_temperature", "degC"}},
      {{"Return temperature", "C"}, {"return_temperature", "degC"}},
      {{"External temperature", "C"}, {"external_temperature", "degC"}},
      {{"Temperature difference", "K"}, {"temperature_difference", "K"}},
      {{"Pressure", "bar"}, {"pressure", "bar"}},
      {{"Time point (date)", "-"}, {"date", ""}},
      {{"Time point (date & time)", "-"}, {"date_time", ""}},
      {{"H.C.A.", "Units for H.C.A."}, {"hca_units", ""}},
      {{"Averaging Duration", "s"}, {"averaging_duration", "s"}},
      {{"Actuality Duration", "s"}, {"actuality_duration", "s"}},
      {{"Fabrication No", ""}, {"fabrication_number", ""}},
      {{"Manufacturer specific", ""}, {"manufacturer_specific", ""}},
      {{"Error flags", ""}, {"error_flags", ""}},
      {{"Digital Input", ""}, {"digital_input", ""}},
      {{"Firmware version", ""}, {"firmware_version", ""}},
      {{"Software version", ""}, {"software_version", ""}},
      {{"Parameter set identification", ""}, {"parameter_set_id", ""}},
      {{"Model / Version", ""}, {"model_version", ""}},
      {{"Customer location", ""}, {"customer_location", ""}},
      {{"Voltage", "V"}, {"voltage", "V"}},
      {{"Current", "A"}, {"current", "A"}},
      // Codes the standard reserves: libmbus labels them "Reserved", uchet keeps them raw.
      {{"Reserved", "Reserved"}, {"unknown", ""}},
      // EN 1434-3 fixed data structure (no Quantity element; unit only).
      {{"", "kWh"}, {"energy", "Wh", 1000.0}},
      {{"", "l"}, {"volume", "m3", 0.001}},
  };
  const auto it = table.find({quantity, unit});
  if (it == table.end()) return std::nullopt;
  return it->second;
}

bool numbers_match(double expected, double actual) {
  // libmbus prints %f (6 decimals): allow that rounding, else 1e-6 relative.
  return std::fabs(expected - actual) <= std::max(1e-6 * std::fabs(expected), 1e-6);
}

bool is_date_text(const std::string& s) { return std::regex_match(s, std::regex(R"(\d{4}-\d\d-\d\d.*)")); }

// ---- Documented differences from libmbus, case by case. ---------------------------------

struct Exception {
  std::string file;
  std::size_t record;
  std::string reason;
  std::function<void(const Record&)> check;  // what uchet decodes instead
};

void check_invalid_calendar(const Record& r, const std::string& quantity) {
  CHECK(r.quantity == quantity);
  CHECK(r.value_kind == ValueKind::calendar);
  CHECK_FALSE(r.calendar.valid);
}

void check_calendar_qualified(const Record& r, const std::string& quantity, const std::string& qualifier,
                              const std::string& text) {
  CHECK(r.quantity == quantity);
  CHECK(r.changes_meaning);
  REQUIRE(r.qualifiers.size() == 1);
  CHECK(r.qualifiers[0] == qualifier);
  CHECK(r.value_kind == ValueKind::calendar);
  CHECK(r.calendar.text() == text);
}

void check_duration(const Record& r, const std::string& qualifier, double seconds) {
  CHECK(r.quantity == "volume_flow");
  CHECK(r.unit == "s");
  CHECK(r.changes_meaning);
  REQUIRE(r.qualifiers.size() == 1);
  CHECK(r.qualifiers[0] == qualifier);
  CHECK(r.number == Approx(seconds));
}

const std::vector<Exception>& exceptions() {
  static const std::string kZeroDate =
      "type G date 00 00 (day 0, month 0) is no date; libmbus prints the garbage '2000-00-00', "
      "uchet reports an invalid (unset) date";
  static const std::vector<Exception> list{
      {"ACW_Itron-BM-plus-m", 2, kZeroDate, [](const Record& r) { check_invalid_calendar(r, "date"); }},
      {"itron_bm_+m", 2, kZeroDate, [](const Record& r) { check_invalid_calendar(r, "date"); }},
      {"siemens_wfh21", 3, kZeroDate, [](const Record& r) { check_invalid_calendar(r, "date"); }},
      {"REL-Relay-Padpuls2", 1,
       "type F 'A1 15 E9 17' has the IV (time invalid) bit set; libmbus zeroes it and prints "
       "'1900-01-00T00:00:00Z', uchet reports an invalid date/time",
       [](const Record& r) { check_invalid_calendar(r, "date_time"); }},
      {"landis+gyr_ultraheat_t230", 32,
       "type F year field 127 is not a year (0..99; OMS uses 127 as 'every year'); libmbus "
       "prints '2027-01-01T00:00:00Z', uchet reports an invalid date/time",
       [](const Record& r) {
         check_invalid_calendar(r, "date_time");
         CHECK(r.storage == 510);
       }},
      {"landis+gyr_ultraheat_t230", 19,
       "VIF AD + VIFE 6F is 'date/time of end of last' maximum power; libmbus ignores the VIFE "
       "and prints the 32-bit date as 0 W. The date bytes are all zero: an unset date",
       [](const Record& r) {
         CHECK(r.quantity == "power");
         CHECK(r.changes_meaning);
         check_invalid_calendar(r, "power");
       }},
      {"landis+gyr_ultraheat_t230", 20,
       "VIF BB + VIFE 6F is 'date/time of end of last' maximum volume flow; libmbus prints the "
       "zero date as 0 m^3/h. uchet: an unset date",
       [](const Record& r) {
         CHECK(r.changes_meaning);
         check_invalid_calendar(r, "volume_flow");
       }},
      {"landis+gyr_ultraheat_t230", 21,
       "VIF DA + VIFE 6F is the date/time of the last maximum flow temperature; libmbus prints "
       "the type F bytes 32 14 7A 18 as 41065374.6 degC",
       [](const Record& r) { check_calendar_qualified(r, "flow_temperature", "end_last", "2011-08-26T20:50:00"); }},
      {"landis+gyr_ultraheat_t230", 22,
       "VIF DE + VIFE 6F is the date/time of the last maximum return temperature; libmbus prints "
       "the type F bytes 2B 0B 69 18 as 40953732.3 degC",
       [](const Record& r) { check_calendar_qualified(r, "return_temperature", "end_last", "2011-08-09T11:43:00"); }},
      {"SEN_Pollustat", 12,
       "VIF BE + VIFE 50 is 'duration of first lower limit exceed' in seconds; libmbus ignores "
       "the VIFE and calls the 11582321 a volume flow in m^3/h",
       [](const Record& r) { check_duration(r, "duration_first_lower_limit_exceed", 11582321.0); }},
      {"SEN_Pollustat", 13,
       "VIF BE + VIFE 58 is 'duration of first upper limit exceed' in seconds; libmbus calls "
       "the 756 a volume flow in m^3/h",
       [](const Record& r) { check_duration(r, "duration_first_upper_limit_exceed", 756.0); }},
  };
  return list;
}

const Exception* find_exception(const std::string& file, std::size_t index) {
  for (const auto& e : exceptions()) {
    if (e.file == file && e.record == index) return &e;
  }
  return nullptr;
}

void compare_record(const XmlRecord& x, const Record& r) {
  const std::string& fn = x.at("Function");
  if (fn == "Manufacturer specific" || fn == "More records follow") {
    CHECK(r.kind ==
          (fn == "More records follow" ? Record::Kind::more_records_follow : Record::Kind::manufacturer_data));
    CHECK(hex_string(r.data) == x.at("Value"));
    return;
  }
  REQUIRE(r.kind == Record::Kind::data);
  static const std::map<std::string, Function> functions{{"Instantaneous value", Function::instantaneous},
                                                         {"Actual value", Function::instantaneous},
                                                         {"Maximum value", Function::maximum},
                                                         {"Minimum value", Function::minimum},
                                                         {"Value during error state", Function::error}};
  REQUIRE(functions.count(fn) == 1);
  CHECK(r.function == functions.at(fn));
  if (x.has("StorageNumber")) CHECK(std::to_string(r.storage) == x.at("StorageNumber"));
  if (x.has("Tariff")) {
    // libmbus shows tariff/device only when the record has DIFEs.
    CHECK_FALSE(r.difes.empty());
    CHECK(std::to_string(r.tariff) == x.at("Tariff"));
    CHECK(std::to_string(r.subunit) == x.at("Device"));
  } else {
    CHECK(r.difes.empty());
  }

  const std::string quantity = x.has("Quantity") ? x.at("Quantity") : "";
  const std::string unit = x.at("Unit");
  const std::string& value = x.at("Value");
  double factor = 1.0;
  if (const auto m = libmbus_meaning(quantity, unit)) {
    CHECK(r.quantity == m->quantity);
    CHECK(r.unit == m->unit);
    if (m->quantity == "unknown") CHECK_FALSE(r.known);
    factor = m->factor;
  } else {
    // Plain-text VIF: libmbus shows the text as quantity with unit "-".
    INFO("libmbus quantity '" << quantity << "' unit '" << unit << "'");
    REQUIRE(unit == "-");
    CHECK(r.quantity == "plain_text");
    CHECK(r.plain_text_unit == quantity);
  }

  if (is_date_text(value)) {
    REQUIRE(r.value_kind == ValueKind::calendar);
    std::string v = value;
    if (!v.empty() && v.back() == 'Z') v.pop_back();  // libmbus appends Z; M-Bus has no zone
    CHECK(r.calendar.text() == v);
  } else if (r.value_kind == ValueKind::text) {
    CHECK(r.text == value);
  } else {
    REQUIRE(r.value_kind == ValueKind::number);
    const double expected = std::stod(value) * factor;
    INFO("expected " << expected << " got " << r.number);
    CHECK(numbers_match(expected, r.number));
  }
}

std::vector<std::string> expected_files() {
  std::vector<std::string> stems;
  for (const auto& entry : fs::directory_iterator(uchet::codecs::test::data_path("mbus"))) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".expected.xml";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      stems.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(stems.begin(), stems.end());
  return stems;
}

}  // namespace

TEST_CASE("every libmbus telegram decodes to the records libmbus reports", "[mbus][libmbus]") {
  const auto stems = expected_files();
  REQUIRE(stems.size() == 38);
  std::set<std::pair<std::string, std::size_t>> used_exceptions;
  for (const auto& stem : stems) {
    SECTION(stem) {
      const auto bytes = uchet::codecs::test::hex_file("mbus/" + stem + ".hex");
      const auto expected = parse_expected(
          uchet::codecs::test::read_file(uchet::codecs::test::data_path("mbus/" + stem + ".expected.xml")));
      const auto decoded = decode_raw(bytes);
      INFO(stem << (decoded ? "" : ": " + decoded.error()));
      REQUIRE(decoded.has_value());
      REQUIRE(!expected.empty());
      REQUIRE(decoded->records.size() == expected.size());
      for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("record " << i << " " << record_to_json(decoded->records[i]).dump());
        if (const Exception* e = find_exception(stem, i)) {
          INFO("documented exception: " << e->reason);
          e->check(decoded->records[i]);
        } else {
          compare_record(expected[i], decoded->records[i]);
        }
      }
    }
  }
}

TEST_CASE("every documented libmbus exception names a real record", "[mbus][libmbus]") {
  for (const auto& e : exceptions()) {
    INFO(e.file << " record " << e.record);
    const auto expected = parse_expected(
        uchet::codecs::test::read_file(uchet::codecs::test::data_path("mbus/" + e.file + ".expected.xml")));
    CHECK(e.record < expected.size());
    CHECK_FALSE(e.reason.empty());
  }
}
