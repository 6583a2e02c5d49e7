// karat-926lw: every uplink type, every length/count boundary, flags, clock-unset handling,
// the spec's example object, and the downlink builders.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "codecs/codec.h"
#include "codecs/karat_926lw.h"

using namespace uchet::codecs;
using Bytes8 = std::vector<std::uint8_t>;

namespace {

constexpr std::uint32_t kT = 1795341600;  // 2026-11-22T10:00:00Z

void put32(Bytes8& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put16(Bytes8& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}

struct Channel {
  std::uint8_t code;
  std::uint32_t reg;
};

Bytes8 snapshot(std::uint8_t type, std::uint8_t battery, std::uint32_t time, std::uint16_t flags, std::uint8_t temp,
                const std::vector<Channel>& channels) {
  Bytes8 b{type, battery};
  put32(b, time);
  put16(b, flags);
  b.push_back(temp);
  b.push_back(static_cast<std::uint8_t>(channels.size()));
  for (const auto& c : channels) {
    b.push_back(c.code);
    put32(b, c.reg);
  }
  return b;
}

Bytes8 archive(std::uint32_t start, std::uint8_t code, std::uint32_t reg, const std::vector<std::uint16_t>& inc) {
  Bytes8 b{0x02};
  put32(b, start);
  b.push_back(code);
  put32(b, reg);
  b.push_back(static_cast<std::uint8_t>(inc.size()));
  for (auto v : inc) put16(b, v);
  return b;
}

DecodedPayload ok(std::uint8_t fport, const Bytes8& b) {
  auto r = decode("karat-926lw", fport, b);
  INFO((r ? std::string("ok") : r.error()));
  REQUIRE(r.has_value());
  return *r;
}

std::string err(std::uint8_t fport, const Bytes8& b) {
  auto r = decode("karat-926lw", fport, b);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

}  // namespace

TEST_CASE("karat-926lw CURRENT reproduces the spec's example object", "[karat926]") {
  const auto p = ok(2, snapshot(0x01, 87, kT, 0x0002, 21, {{0x01, 123456}}));
  const auto expected = nlohmann::json::parse(R"({
      "codec": "karat-926lw", "packet": "current", "time": "2026-11-22T10:00:00Z",
      "battery": 87, "temperature": 21, "flags": ["leak"],
      "readings": [{"quantity": "volume", "resource": "cold_water", "channel": 1,
                    "value": 123.456, "unit": "m3", "time": "2026-11-22T10:00:00Z"}]})");
  CHECK(to_json(p) == expected);
}

TEST_CASE("karat-926lw channel count boundaries", "[karat926]") {
  SECTION("N = 0 is malformed") {
    CHECK_THAT(err(2, snapshot(0x01, 50, kT, 0, 20, {})), Catch::Contains("channel count 0"));
  }
  SECTION("N = 1") { CHECK(ok(2, snapshot(0x01, 50, kT, 0, 20, {{0x02, 1}})).readings.size() == 1); }
  SECTION("N = 4, all resource kinds") {
    const auto p = ok(2, snapshot(0x01, 50, kT, 0, 20, {{0x01, 1000}, {0x02, 2500}, {0x03, 77}, {0x09, 5}}));
    REQUIRE(p.readings.size() == 4);
    CHECK(p.readings[0].resource == "cold_water");
    CHECK(p.readings[0].value == Approx(1.0));
    CHECK(p.readings[1].resource == "hot_water");
    CHECK(p.readings[1].value == Approx(2.5));
    CHECK(p.readings[2].resource == "pulse");
    CHECK(p.readings[2].quantity == "pulses");
    CHECK(p.readings[2].unit == "pulses");
    CHECK(p.readings[2].value == 77);
    CHECK(p.readings[3].resource == "unknown");
    CHECK(p.readings[3].quantity == "register");
    CHECK(p.readings[3].value == 5);
    CHECK(p.readings[3].channel == 4);
    CHECK(p.extra["unknown_resource_codes"][0]["code"] == 9);
  }
  SECTION("N = 5 is malformed") {
    auto b = snapshot(0x01, 50, kT, 0, 20, {{1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}});
    CHECK_THAT(err(2, b), Catch::Contains("out of range 1..4"));
  }
}

TEST_CASE("karat-926lw CURRENT/ALARM lengths are exact", "[karat926]") {
  auto b = snapshot(0x03, 50, kT, 0, 20, {{0x01, 1}, {0x01, 2}});
  CHECK(ok(2, b).packet == "alarm");
  auto longer = b;
  longer.push_back(0);
  CHECK_THAT(err(2, longer), Catch::Contains("must be 20 bytes, got 21"));
  auto shorter = b;
  shorter.pop_back();
  CHECK_THAT(err(2, shorter), Catch::Contains("must be 20 bytes, got 19"));
  for (std::size_t n = 0; n < 10; ++n) {
    CHECK_FALSE(decode("karat-926lw", 2, std::span(b.data(), n)).has_value());
  }
}

TEST_CASE("karat-926lw flags, sentinels and clock 0", "[karat926]") {
  SECTION("all nine flags by name; reserved bits ignored") {
    const auto p = ok(2, snapshot(0x03, 0xFF, kT, 0xFFFF, 0x80, {{0x01, 0}}));
    CHECK(p.flags == std::vector<std::string>{"magnetic_influence", "leak", "burst", "reverse_flow", "sensor_fault",
                                              "low_battery", "clock_not_synchronised", "case_opened", "valve_closed"});
    CHECK_FALSE(p.battery.has_value());      // 0xFF unknown
    CHECK_FALSE(p.temperature.has_value());  // 0x80 no sensor
  }
  SECTION("negative temperature") { CHECK(ok(2, snapshot(0x01, 10, kT, 0, 0xF6, {{1, 0}})).temperature == -10); }
  SECTION("clock 0: no time anywhere, clock_unset flag") {
    const auto p = ok(2, snapshot(0x01, 10, 0, 0, 5, {{1, 1234}}));
    CHECK_FALSE(p.time.has_value());
    CHECK_FALSE(p.readings[0].time.has_value());
    CHECK(p.flags == std::vector<std::string>{"clock_unset"});
    CHECK(p.extra["clock_unset"] == true);
    CHECK_FALSE(to_json(p).contains("time"));
  }
}

TEST_CASE("karat-926lw HOURLY ARCHIVE", "[karat926]") {
  SECTION("K = 0: the start register only") {
    const auto p = ok(2, archive(kT, 0x01, 5000, {}));
    CHECK(p.packet == "hourly_archive");
    REQUIRE(p.readings.size() == 1);
    CHECK(p.readings[0].value == Approx(5.0));
    CHECK(p.readings[0].time == kT);
  }
  SECTION("K = 20: cumulative hourly values") {
    std::vector<std::uint16_t> inc(20, 10);
    const auto p = ok(2, archive(kT, 0x02, 1000, inc));
    REQUIRE(p.readings.size() == 21);
    CHECK(p.readings[20].value == Approx(1.2));
    CHECK(p.readings[20].time == kT + 20 * 3600);
    CHECK(p.readings[20].resource == "hot_water");
  }
  SECTION("K = 21 is malformed") {
    CHECK_THAT(err(2, archive(kT, 0x01, 0, std::vector<std::uint16_t>(21, 1))), Catch::Contains("0..20"));
  }
  SECTION("0xFFFF stops derivation for later hours") {
    const auto p = ok(2, archive(kT, 0x01, 1000, {100, 0xFFFF, 200, 300}));
    REQUIRE(p.readings.size() == 2);
    CHECK(p.readings[1].value == Approx(1.1));
    CHECK(p.readings[1].time == kT + 3600);
    CHECK(p.extra["unavailable_from_hour"] == 2);
    CHECK(p.extra["increments"][1].is_null());
  }
  SECTION("0xFFFF as the first increment") { CHECK(ok(2, archive(kT, 0x01, 1000, {0xFFFF, 1})).readings.size() == 1); }
  SECTION("pulse and unknown resources") {
    CHECK(ok(2, archive(kT, 0x03, 10, {1})).readings[1].quantity == "pulses");
    const auto p = ok(2, archive(kT, 0x42, 10, {1}));
    CHECK(p.readings[1].resource == "unknown");
    CHECK(p.readings[1].value == 11);
  }
  SECTION("clock 0: values kept raw only") {
    const auto p = ok(2, archive(0, 0x01, 10, {1, 2}));
    CHECK(p.readings.empty());
    CHECK(p.extra["clock_unset"] == true);
    CHECK(p.extra["increments"].size() == 2);
  }
  SECTION("wrong length") {
    auto b = archive(kT, 0x01, 10, {1, 2});
    b.pop_back();
    CHECK_THAT(err(2, b), Catch::Contains("must be 15 bytes, got 14"));
  }
}

TEST_CASE("karat-926lw DEVICE INFO and TIME REQUEST", "[karat926]") {
  Bytes8 info{0x10};
  put32(info, 12345678);
  info.push_back(2);
  info.push_back(7);
  put32(info, kT);
  info.push_back(1);
  put16(info, 10);
  SECTION("device info") {
    const auto p = ok(3, info);
    CHECK(p.packet == "device_info");
    CHECK(p.extra["serial"] == 12345678);
    CHECK(p.extra["firmware"] == "2.7");
    CHECK(p.extra["manufacture_date"] == "2026-11-22T10:00:00Z");
    CHECK(p.extra["reporting_period_s"] == 3600);
    CHECK(p.extra["litres_per_pulse"] == 10);
  }
  SECTION("every period code") {
    const std::uint32_t seconds[] = {900, 3600, 21600, 43200, 86400};
    for (std::uint8_t code = 0; code < 5; ++code) {
      auto b = info;
      b[11] = code;
      CHECK(ok(3, b).extra["reporting_period_s"] == seconds[code]);
    }
    auto b = info;
    b[11] = 9;
    CHECK(ok(3, b).extra["reporting_period_s"].is_null());
  }
  SECTION("device info length") {
    auto b = info;
    b.push_back(0);
    CHECK_THAT(err(3, b), Catch::Contains("14 bytes"));
  }
  SECTION("time request") {
    Bytes8 t{0xFF};
    put32(t, kT);
    const auto p = ok(4, t);
    CHECK(p.packet == "time_request");
    CHECK(p.extra["device_time"] == "2026-11-22T10:00:00Z");
    CHECK(p.extra["device_time_unix"] == kT);
    Bytes8 zero{0xFF, 0, 0, 0, 0};
    CHECK(ok(4, zero).extra["clock_unset"] == true);
    t.push_back(0);
    CHECK_THAT(err(4, t), Catch::Contains("5 bytes"));
  }
}

TEST_CASE("karat-926lw rejects unknown types and ports", "[karat926]") {
  CHECK_THAT(err(2, {0x10, 0, 0}), Catch::Contains("unknown packet type 0x10 on fPort 2"));
  CHECK_THAT(err(3, {0x01}), Catch::Contains("unknown packet type 0x01 on fPort 3"));
  CHECK_THAT(err(9, {0x01}), Catch::Contains("fPort 9"));
  CHECK_THAT(err(2, {}), Catch::Contains("empty"));
}

TEST_CASE("karat-926lw downlinks", "[karat926]") {
  using namespace uchet::codecs::karat926;
  CHECK(set_reporting_period(900) == Downlink{3, {0x20, 0x00}});
  CHECK(set_reporting_period(86400) == Downlink{3, {0x20, 0x04}});
  REQUIRE_FALSE(set_reporting_period(1800).has_value());
  CHECK_THAT(set_reporting_period(1800).error(), Catch::Contains("not supported"));
  CHECK(request_device_info() == Downlink{3, {0x21}});
  CHECK(time_correction(-2) == Downlink{4, {0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}});
  CHECK(time_correction(0x0102) == Downlink{4, {0xFF, 0x02, 0x01, 0, 0, 0, 0, 0, 0}});
  CHECK(time_correction_for(1000, 990) == time_correction(10));
  CHECK(time_correction_for(kT, 0) == time_correction(kT));
  CHECK(set_valve(false) == Downlink{5, {0x30, 0x00}});
  CHECK(set_valve(true) == Downlink{5, {0x30, 0x01}});
}
