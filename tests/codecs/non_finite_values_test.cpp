// A value that is not a finite number (an IEEE NaN or infinity sent by a meter, or a product that
// overflows in a unit conversion) never becomes a reading: readings are stored as REAL NOT NULL
// and SQLite binds NaN as NULL, so one such value used to cost the frame its every reading.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "codecs/codec.h"

using namespace uchet::codecs;
using Bytes8 = std::vector<std::uint8_t>;

namespace {

constexpr const char* kNote = "not a finite number (NaN or infinity)";

DecodedPayload decoded(const Bytes8& payload) {
  auto r = decode("mbus", 2, payload);
  INFO((r ? std::string("ok") : r.error()));
  REQUIRE(r.has_value());
  return *r;
}

}  // namespace

TEST_CASE("a 32-bit real NaN stays a record with a reason and is never a reading") {
  // CI 0x78, DIF 0x15 (32-bit real, maximum), VIF 0x4D (volume flow), data FE FF FF FF (NaN).
  const auto p = decoded({0x78, 0x15, 0x4D, 0xFE, 0xFF, 0xFF, 0xFF});
  CHECK(p.readings.empty());
  REQUIRE(p.extra["records"].size() == 1);
  const auto& record = p.extra["records"][0];
  CHECK(record["note"] == kNote);
  CHECK(record["value"] == "FE FF FF FF");  // the bytes as sent, like an invalid BCD digit
  CHECK(record["function"] == "maximum");
  CHECK(to_json(p).dump().find("null") == std::string::npos);
}

TEST_CASE("one non-finite record costs the telegram none of its other readings") {
  const auto p = decoded({
      0x78, 0x04, 0x13, 0xE8, 0x03, 0x00, 0x00,                    // volume 1000 l (32-bit integer)
      0x15, 0x4D, 0xFE, 0xFF, 0xFF, 0xFF,                          // volume flow maximum: NaN
      0x05, 0x13, 0x00, 0x00, 0x80, 0x7F,                          // volume: +infinity (32-bit real)
      0x0D, 0x13, 0xF4, 0x00, 0x00, 0xC0, 0x7F,                    // volume: NaN as a variable-length real (LVAR 0xF4)
      0x0D, 0x13, 0xF8, 0,    0,    0,    0,    0, 0, 0xF0, 0xFF,  // volume: -infinity, 64-bit real (LVAR 0xF8)
  });
  REQUIRE(p.readings.size() == 1);
  CHECK(p.readings[0].quantity == "volume");
  CHECK(p.readings[0].value == 1.0);
  REQUIRE(p.extra["records"].size() == 4);
  for (const auto& record : p.extra["records"]) CHECK(record["note"] == kNote);
}

TEST_CASE("a value that overflows in the unit conversion is set aside with a note") {
  // VIF 0x4E: volume flow in 1e-3 m3/s; DBL_MAX of those is finite, but not once in m3/h.
  const auto p = decoded({0x78, 0x0D, 0x4E, 0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0x7F});
  CHECK(p.readings.empty());
  REQUIRE(p.extra["rejected_readings"].size() == 1);
  CHECK(p.extra["rejected_readings"][0]["quantity"] == "volume_flow");
  CHECK(p.extra["rejected_readings"][0]["value"].is_null());
  CHECK(p.extra["rejected_readings"][0]["note"] == kNote);
}

TEST_CASE("the registry's guard moves every non-finite reading of any codec aside, in order") {
  DecodedPayload p;
  p.readings = {Reading{.quantity = "volume", .value = 1.5},
                Reading{.quantity = "energy", .value = std::numeric_limits<double>::quiet_NaN()},
                Reading{.quantity = "mass", .value = 2.5},
                Reading{.quantity = "power", .value = -std::numeric_limits<double>::infinity()}};
  keep_finite_readings(p);
  REQUIRE(p.readings.size() == 2);
  CHECK(p.readings[0].quantity == "volume");
  CHECK(p.readings[1].quantity == "mass");
  REQUIRE(p.extra["rejected_readings"].size() == 2);
  CHECK(p.extra["rejected_readings"][0]["quantity"] == "energy");
  CHECK(p.extra["rejected_readings"][1]["quantity"] == "power");

  DecodedPayload clean;
  clean.readings = {Reading{.quantity = "volume", .value = 0.0}};
  keep_finite_readings(clean);
  CHECK(clean.readings.size() == 1);
  CHECK_FALSE(clean.extra.contains("rejected_readings"));
}
