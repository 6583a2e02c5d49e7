// router_config for RU864 and EU868: the fields station 2.0.6 requires (hwspec, sx1301_conf, a
// region name it knows, else it closes the socket or drops every dnmsg), the DR table, channels,
// filters and power; and the SX1301 radio plan as the station's own allocator makes it.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway-bridge/basic_station/router_config.h"
#include "netserver/lorawan/region.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::basic_station;
namespace lorawan = uchet::lorawan;
using nlohmann::json;

namespace {

lorawan::Region region(const char* name) { return lorawan::region_by_name(name).value(); }

// The names s2e.c handle_router_config (station 2.0.6) maps to a region; any other leaves it at 0.
const std::set<std::string> kStationRegions = {"EU863", "EU868",  "IL915", "KR920", "AS923JP",
                                               "AS923-1", "US902", "US915", "AU915"};

json config(const char* region_name, const RouterConfigOptions& options = {}) {
  auto text = build_router_config(region(region_name), options);
  REQUIRE(text);
  return json::parse(*text);
}

std::string refusal(const char* region_name, const RouterConfigOptions& options) {
  auto text = build_router_config(region(region_name), options);
  REQUIRE_FALSE(text);
  return text.error();
}

void check_station_requirements(const json& c) {
  CHECK(c["msgtype"] == "router_config");
  CHECK(c["hwspec"] == "sx1301/1");
  REQUIRE(c["sx1301_conf"].is_array());
  REQUIRE(c["sx1301_conf"].size() == 1);
  CHECK(c["sx1301_conf"][0]["radio_0"]["enable"] == true);
  CHECK(c["sx1301_conf"][0]["radio_0"]["tx_enable"] == true);
  CHECK(kStationRegions.contains(c["region"].get<std::string>()));
  REQUIRE(c["DRs"].size() == 16);
  CHECK(c["DRs"][0] == json::array({12, 125, 0}));
  CHECK(c["DRs"][5] == json::array({7, 125, 0}));
  CHECK(c["DRs"][6] == json::array({7, 250, 0}));
  CHECK(c["DRs"][7] == json::array({0, 0, 0}));  // FSK
  for (int dr = 8; dr < 16; ++dr) CHECK(c["DRs"][dr] == json::array({-1, 0, 0}));
}

}  // namespace

TEST_CASE("RU864 is sent as US915 with 16 dBm and the RU864 band, DRs and channels") {
  RouterConfigOptions options;
  options.now = UtcTime(std::chrono::microseconds(1'764'800'000'500'000));
  const auto c = config("RU864", options);
  check_station_requirements(c);
  CHECK(c["region"] == "US915");
  CHECK(c["max_eirp"] == 16);  // lowers US915's 26 dBm default
  CHECK(c["freq_range"] == json::array({864000000, 870000000}));
  CHECK(c["upchannels"] == json::parse("[[868900000,0,5],[869100000,0,5]]"));
  const auto& sx = c["sx1301_conf"][0];
  CHECK(sx["lorawan_public"] == true);
  CHECK(sx["radio_0"]["freq"] == 869000000);
  CHECK(sx["radio_1"] == json{{"enable", false}});
  CHECK(sx["chan_multiSF_0"] == json{{"enable", true}, {"radio", 0}, {"if", -100000}});
  CHECK(sx["chan_multiSF_1"] == json{{"enable", true}, {"radio", 0}, {"if", 100000}});
  for (int i = 2; i < 8; ++i) CHECK(sx["chan_multiSF_" + std::to_string(i)] == json{{"enable", false}});
  CHECK(sx["chan_Lora_std"]["enable"] == false);
  CHECK(sx["chan_FSK"]["enable"] == false);
  CHECK(c["NetID"].is_null());
  CHECK(c["JoinEui"].is_null());
  CHECK(c["MuxTime"].get<double>() == Approx(1764800000.5));
  CHECK_FALSE(c.contains("nodc"));  // ignored by production stations anyway
  CHECK(station_region_name(region("RU864")).value() == "US915");
}

TEST_CASE("RU864 with extra channels uses both radios") {
  RouterConfigOptions options;
  options.extra_channels_hz = {864'100'000, 864'300'000, 864'500'000, 864'700'000, 864'900'000, 0};
  const auto c = config("RU864", options);
  check_station_requirements(c);
  CHECK(c["upchannels"].size() == 7);
  CHECK(c["upchannels"][2] == json::array({864100000, 0, 5}));
  const auto& sx = c["sx1301_conf"][0];
  CHECK(sx["radio_0"]["freq"] == 864500000);
  CHECK(sx["radio_1"]["freq"] == 869000000);
  CHECK(sx["radio_1"]["enable"] == true);
  CHECK(sx["radio_1"]["tx_enable"] == false);
  CHECK(sx["chan_multiSF_0"] == json{{"enable", true}, {"radio", 0}, {"if", -400000}});
  CHECK(sx["chan_multiSF_4"] == json{{"enable", true}, {"radio", 0}, {"if", 400000}});
  CHECK(sx["chan_multiSF_5"] == json{{"enable", true}, {"radio", 1}, {"if", -100000}});
  CHECK(sx["chan_multiSF_6"] == json{{"enable", true}, {"radio", 1}, {"if", 100000}});
  CHECK(sx["chan_multiSF_7"] == json{{"enable", false}});
}

TEST_CASE("EU868 is sent as EU868 with the usual eight channels") {
  RouterConfigOptions options;
  options.extra_channels_hz = {867'100'000, 867'300'000, 867'500'000, 867'700'000, 867'900'000};
  options.net_ids = {0x000013, 0x000000};
  options.join_eui_ranges = {{0x70B3D57ED0000000, 0x70B3D57ED0FFFFFF}, {0xFFFFFFFFFFFFFFF0, 0xFFFFFFFFFFFFFFFF}};
  const auto c = config("EU868", options);
  check_station_requirements(c);
  CHECK(c["region"] == "EU868");
  CHECK_FALSE(c.contains("max_eirp"));  // the station's EU868 powers (16 dBm, 27 dBm in 869.4-869.65)
  CHECK(c["freq_range"] == json::array({863000000, 870000000}));
  CHECK(c["upchannels"].size() == 8);
  const auto& sx = c["sx1301_conf"][0];
  CHECK(sx["radio_0"]["freq"] == 867500000);
  CHECK(sx["radio_1"]["freq"] == 868300000);
  CHECK(sx["chan_multiSF_0"]["if"] == -400000);
  CHECK(sx["chan_multiSF_4"]["if"] == 400000);
  CHECK(sx["chan_multiSF_5"] == json{{"enable", true}, {"radio", 1}, {"if", -200000}});
  CHECK(c["NetID"] == json::array({0x13, 0}));
  // JoinEUIs above 2^63 stay exact unsigned integers.
  CHECK(c["JoinEui"][1][1].get<std::uint64_t>() == 0xFFFFFFFFFFFFFFFF);
  CHECK(c["JoinEui"][0] == json::array({0x70B3D57ED0000000ull, 0x70B3D57ED0FFFFFFull}));
  options.max_eirp_dbm = 14;
  CHECK(config("EU868", options)["max_eirp"] == 14);
}

TEST_CASE("channel plans and filters the station cannot take are refused") {
  RouterConfigOptions options;
  options.extra_channels_hz = {862'000'000};
  CHECK(refusal("RU864", options) == "extra channel 862.000 MHz is outside the RU864 band");
  options.extra_channels_hz = {864'100'000, 866'500'000};
  CHECK(refusal("RU864", options).find("do not fit two radios of ±400 kHz") != std::string::npos);
  options.extra_channels_hz = {867'100'000, 867'300'000, 867'500'000, 867'700'000, 867'900'000, 868'700'000};
  CHECK(refusal("EU868", options) == "9 uplink channels, but an SX1301 demodulates at most 8 multi-SF channels");
  options = {};
  options.net_ids = {0x600013};
  CHECK(refusal("RU864", options).find("NetID 600013 is not of type 0") == 0);
  options = {};
  options.join_eui_ranges = {{2, 1}};
  CHECK(refusal("RU864", options) == "JoinEUI range 0000000000000002-0000000000000001 is empty");
}

TEST_CASE("the SX1301 plan fills radio 0 up to an 800 kHz span, then radio 1") {
  const std::vector<std::uint32_t> edge = {868'000'000, 868'800'000, 869'000'000};
  const auto plan = plan_sx1301(edge).value();
  CHECK(plan.radio_centre_hz[0] == 868'400'000);
  CHECK(plan.radio_centre_hz[1] == 869'000'000);
  REQUIRE(plan.multi_sf.size() == 3);
  CHECK(plan.multi_sf[1].radio == 0);
  CHECK(plan.multi_sf[1].if_hz == 400'000);
  CHECK(plan.multi_sf[2].radio == 1);
  CHECK(plan.multi_sf[2].if_hz == 0);
  // 1 Hz more and the third channel no longer fits radio 0... nor radio 1 with a fourth.
  const std::vector<std::uint32_t> beyond = {868'000'000, 868'800'001, 869'700'000};
  CHECK_FALSE(plan_sx1301(beyond));
  const std::vector<std::uint32_t> duplicates = {869'100'000, 868'900'000, 869'100'000};
  const auto deduplicated = plan_sx1301(duplicates).value();
  CHECK(deduplicated.multi_sf.size() == 2);
  CHECK(deduplicated.multi_sf[0].frequency_hz == 868'900'000);
  CHECK_FALSE(plan.radio_enabled[0] == false);
  CHECK(plan_sx1301({}).error() == "no uplink channels");
}
