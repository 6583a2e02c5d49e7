// M-Bus -> normalised payload (canonical units, quantity names, storage/tariff/subunit/
// function, resource from medium, time from the date-time record) and the codec registry.
#include <catch2/catch.hpp>

#include "codec_test_util.h"
#include "codecs/codec.h"

using namespace uchet::codecs;
using Bytes8 = std::vector<std::uint8_t>;

namespace {

std::string format_utc_for_test(std::int64_t t) { return to_json(Reading{.time = t})["time"]; }

DecodedPayload ok(const std::string& codec, std::uint8_t fport, const Bytes8& b) {
  auto r = decode(codec, fport, b);
  INFO((r ? std::string("ok") : r.error()));
  REQUIRE(r.has_value());
  return *r;
}

const Reading& find(const DecodedPayload& p, const std::string& quantity, std::uint64_t storage = 0,
                    std::uint32_t tariff = 0, std::uint32_t subunit = 0,
                    const std::string& function = "instantaneous") {
  for (const auto& r : p.readings) {
    if (r.quantity == quantity && r.storage == storage && r.tariff == tariff && r.subunit == subunit &&
        r.function == function) {
      return r;
    }
  }
  FAIL("no reading " << quantity << " storage " << storage << " tariff " << tariff);
  throw std::logic_error("unreachable");
}

// Long header for a heat meter (medium 0x04) with the given status, then records.
Bytes8 heat_telegram(std::uint8_t status, const Bytes8& records) {
  Bytes8 b{0x72, 0x78, 0x56, 0x34, 0x12, 0x24, 0x40, 0x01, 0x04, 0x01, status, 0x00, 0x00};
  b.insert(b.end(), records.begin(), records.end());
  return b;
}

}  // namespace

TEST_CASE("registry knows exactly the four codecs", "[registry]") {
  CHECK(known_codecs() == std::vector<std::string>{"karat-926lw", "karat-307-mbus", "karat-compact-mbus", "mbus"});
  CHECK(is_known_codec("mbus"));
  CHECK_FALSE(is_known_codec("karat-926"));
  const Bytes8 any{0x01};
  const auto r = decode("vega-si11", 2, any);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == "unknown codec 'vega-si11'");
}

TEST_CASE("KARAT M-Bus codecs take fPort 2, generic mbus any application port", "[registry][mbus]") {
  const auto frame = test::hex_file("mbus/frame2.hex");
  CHECK(ok("karat-307-mbus", 2, frame).codec == "karat-307-mbus");
  CHECK(ok("karat-compact-mbus", 2, frame).codec == "karat-compact-mbus");
  CHECK_THAT(decode("karat-compact-mbus", 3, frame).error(), Catch::Contains("fPort 2"));
  CHECK(ok("mbus", 10, frame).codec == "mbus");
  CHECK_THAT(decode("mbus", 0, frame).error(), Catch::Contains("fPort 0"));
}

TEST_CASE("frame2: water meter readings in canonical units", "[mbus][normalise]") {
  const auto p = ok("mbus", 2, test::hex_file("mbus/frame2.hex"));
  CHECK(p.packet == "current");
  CHECK_FALSE(p.time.has_value());  // no date-time record
  REQUIRE(p.readings.size() == 3);
  const auto& v = find(p, "volume");
  CHECK(v.resource == "water");
  CHECK(v.value == 12.565);
  CHECK(v.unit == "m3");
  const auto& flow = find(p, "volume_flow", 5, 0, 0, "maximum");
  CHECK(flow.value == Approx(0.113));
  CHECK(flow.unit == "m3/h");
  CHECK_FALSE(flow.time.has_value());  // storage 5 has no date record
  const auto& e = find(p, "energy", 0, 2, 1);
  CHECK(e.value == Approx(218.37));
  CHECK(e.unit == "kWh");
  const auto j = to_json(p);
  CHECK(j["extra"]["mbus"]["id"] == "12345678");
  CHECK(j["extra"]["mbus"]["manufacturer"] == "PAD");
  CHECK(j["readings"][1]["function"] == "maximum");
  CHECK(j["readings"][1]["storage"] == 5);
}

TEST_CASE("engelmann sensostar: heat meter, time, dated storage values, extra", "[mbus][normalise]") {
  const auto p = ok("karat-compact-mbus", 2, test::hex_file("mbus/engelmann_sensostar2c.hex"));
  CHECK(to_json(p)["time"] == "2012-06-06T20:50:00Z");
  const auto& e0 = find(p, "energy");
  CHECK(e0.resource == "heat");
  CHECK(e0.value == 800.0);
  CHECK(e0.time == p.time);
  const auto& e1 = find(p, "energy", 1);
  CHECK(e1.value == 800.0);
  CHECK(format_utc_for_test(*e1.time) == "2011-12-31T00:00:00Z");
  CHECK(find(p, "volume", 2).value == Approx(8.4));
  CHECK(find(p, "flow_temperature").value == 95.0);
  CHECK(find(p, "flow_temperature").unit == "degC");
  CHECK(find(p, "temperature_difference").unit == "K");
  CHECK(find(p, "operating_time").value == Approx(12144.0));  // 506 days in hours
  CHECK(find(p, "operating_time").unit == "h");
  CHECK(find(p, "power").unit == "kW");
  // The pulse weight (VIFE 0x28) is not a volume reading; it stays in extra.
  for (const auto& r : p.readings) CHECK_FALSE((r.quantity == "volume" && r.value == Approx(0.1)));
  bool pulse_weight = false;
  for (const auto& r : p.extra["records"]) {
    if (r.contains("qualifiers") && r["qualifiers"][0] == "per_input_pulse_0") pulse_weight = true;
  }
  CHECK(pulse_weight);
}

TEST_CASE("unit conversions to canonical units", "[mbus][normalise]") {
  const auto p =
      ok("mbus", 2,
         heat_telegram(0x00, {
                                 0x04, 0x0E, 0x02, 0x00, 0x00, 0x00,              // energy 2 MJ
                                 0x04, 0xFB, 0x08, 0x01, 0x00, 0x00, 0x00,        // energy 0.1 GJ
                                 0x84, 0x10, 0xFB, 0x01, 0x03, 0x00, 0x00, 0x00,  // energy 3 MWh, tariff 1
                                 0x02, 0x1E, 0x05, 0x00,                          // mass 5000 kg
                                 0x02, 0x2E, 0x07, 0x00,                          // power 7 kW
                                 0x02, 0x33, 0x10, 0x0E,                          // power 3600000 J/h = 1 kW
                                 0x02, 0x44, 0x02, 0x00,                          // volume flow 0.002 m3/min
                                 0x02, 0x4A, 0x01, 0x00,                          // volume flow 1e-7 m3/s
                                 0x02, 0x53, 0xE8, 0x03,                          // mass flow 1000 kg/h
                                 0x02, 0xFB, 0x5B, 0xD4, 0x00,                    // flow temperature 212 degF
                                 0x02, 0x6B, 0x06, 0x00,                          // pressure 6 bar
                                 0x02, 0x21, 0x78, 0x00,                          // on time 120 min
                                 0x04, 0x86, 0x3C, 0x09, 0x00, 0x00, 0x00,        // energy, negative contributions only
                             }));
  CHECK(find(p, "energy").value == Approx(2.0 / 3.6));
  CHECK(find(p, "energy", 0, 1).value == Approx(3000.0));
  CHECK(find(p, "mass").value == Approx(5.0));
  CHECK(find(p, "mass").unit == "t");
  CHECK(find(p, "volume_flow").value == Approx(0.12));
  CHECK(find(p, "mass_flow").value == Approx(1.0));
  CHECK(find(p, "mass_flow").unit == "t/h");
  CHECK(find(p, "flow_temperature").value == Approx(100.0));
  CHECK(find(p, "pressure").value == 6.0);
  CHECK(find(p, "on_time").value == Approx(2.0));
  CHECK(find(p, "energy_reverse").value == Approx(9.0));
  int energies = 0, powers = 0, flows = 0;
  for (const auto& r : p.readings) {
    energies += r.quantity == "energy" && r.tariff == 0u;
    powers += r.quantity == "power";
    flows += r.quantity == "volume_flow";
  }
  CHECK(energies == 2);  // 2 MJ and 0.1 GJ
  CHECK(powers == 2);
  CHECK(flows == 2);
  for (const auto& r : p.readings) {
    if (r.quantity == "energy" && r.tariff == 0u && r.value > 1.0) CHECK(r.value == Approx(1e8 / 3.6e6));
    if (r.quantity == "power") CHECK(r.value == Approx(r.value > 2 ? 7.0 : 1.0));
  }
}

TEST_CASE("status byte, error flags and more-records-follow become flags", "[mbus][normalise]") {
  const auto p = ok("mbus", 2, heat_telegram(0x1D, {0x01, 0xFD, 0x17, 0x04, 0x1F, 0x01, 0x02}));
  CHECK(p.flags == std::vector<std::string>{"application_busy", "power_low", "permanent_error", "temporary_error",
                                            "meter_error_flags", "more_records_follow"});
  CHECK(p.extra["manufacturer_data"] == "01 02");
  CHECK(p.extra["more_records_follow"] == true);
  CHECK(p.readings.empty());
}

TEST_CASE("unknown VIFs, texts and flagged records go to extra", "[mbus][normalise]") {
  const auto p =
      ok("mbus", 2,
         heat_telegram(0x00, {
                                 0x02, 0x6F, 0x34, 0x12,                    // reserved VIF
                                 0x0D, 0xFD, 0x0B, 0x02, 'B',  'A',         // parameter set "AB"
                                 0x04, 0x93, 0x15, 0x00, 0x00, 0x00, 0x00,  // volume with "no data available"
                                 0x04, 0x13, 0x10, 0x00, 0x00, 0x00,        // volume 0.016 m3
                             }));
  REQUIRE(p.readings.size() == 1);
  CHECK(p.readings[0].value == Approx(0.016));
  const auto& rec = p.extra["records"];
  REQUIRE(rec.size() == 3);
  CHECK(rec[0]["known"] == false);
  CHECK(rec[0]["data"] == "34 12");
  CHECK(rec[1]["value"] == "AB");
  CHECK(rec[2]["record_error"] == "no_data_available");
}

TEST_CASE("fixed data structure (CI 0x73)", "[mbus][normalise]") {
  const auto p = ok("mbus", 2, test::hex_file("mbus/sen_pollusonic_2.hex"));
  REQUIRE(p.readings.size() == 2);
  CHECK(p.readings[0].quantity == "energy");
  CHECK(p.readings[0].value == 6531.0);
  CHECK(p.readings[0].resource == "heat");
  CHECK(p.readings[1].quantity == "volume");
  CHECK(p.readings[1].value == Approx(0.069));
  CHECK(p.extra["mbus"]["id"] == "90919293");
}

TEST_CASE("every shared telegram normalises and serialises", "[mbus][normalise]") {
  for (const char* name : {"EDC", "Elster-F2", "landis+gyr_ultraheat_t230", "minol_minocal_c2",
                           "itron_cyble_m-bus_v1.4_water", "siemens_rvd235", "ELV-Elvaco-CMa10"}) {
    INFO(name);
    const auto p = ok("mbus", 2, test::hex_file(std::string("mbus/") + name + ".hex"));
    const auto j = to_json(p);
    CHECK_NOTHROW(j.dump());
    for (const auto& r : j["readings"]) {
      CHECK(r.contains("storage"));
      CHECK(r.contains("tariff"));
      CHECK(r.contains("subunit"));
      CHECK(r.contains("function"));
    }
  }
  // minol: the maximum flow of storage 1 is dated by the maximum's own date record.
  const auto minol = ok("mbus", 2, test::hex_file("mbus/minol_minocal_c2.hex"));
  CHECK(format_utc_for_test(*find(minol, "volume_flow", 1, 0, 0, "maximum").time) == "2011-09-01T08:30:00Z");
  CHECK(format_utc_for_test(*find(minol, "energy", 32).time) == "2012-01-01T00:00:00Z");
}
