// The station's half of the Basics Station LNS protocol: known answers taken from what a
// 2.0.6 station writes (lora.c, s2e.c, uj.c) and what it refuses.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tools/sim/station_protocol.h"

using namespace uchet::sim::station;
using nlohmann::json;

namespace {

const std::string kConfigEU868 = R"({"msgtype":"router_config","region":"EU868","hwspec":"sx1301/1",
  "freq_range":[863000000,870000000],"DRs":[[12,125,0],[11,125,0],[10,125,0],[9,125,0],[8,125,0],[7,125,0],
  [7,250,0],[0,0,0],[-1,0,0],[-1,0,0],[-1,0,0],[-1,0,0],[-1,0,0],[-1,0,0],[-1,0,0],[-1,0,0]],
  "sx1301_conf":[{}],"NetID":null,"JoinEui":null,"MuxTime":1700000000.5})";

RouterConfig config_eu868() {
  auto c = parse_router_config(kConfigEU868);
  REQUIRE(c);
  return *c;
}

}  // namespace

TEST_CASE("EUIs are written as the station writes them: dashed upper-case hex, ID6 for the router") {
  CHECK(eui_text(0x0016c001ff1e0b51) == "00-16-C0-01-FF-1E-0B-51");
  CHECK(id6_text(0x0016c001ff1e0b51) == "16:c001:ff1e:b51");
  CHECK(id6_text(0x0000000000000001) == "::1");
  CHECK(id6_text(0x00000000000a0001) == "::a:1");
  CHECK(id6_text(0x0001000000000000) == "1::");
  CHECK(id6_text(0x0001000200000000) == "1:2::");
  CHECK(id6_text(0x0001000000000005) == "1::5");
  CHECK(build_router_info_request(0x0016c001ff1e0b51) == R"({"router":"16:c001:ff1e:b51"})");
}

TEST_CASE("xtime packs the radio unit, the session and a 48-bit counter beyond 2^53") {
  const auto x = make_xtime(1, 0x2a, 0x0000'1234'5678'9abcULL);
  CHECK(static_cast<std::uint64_t>(x) == 0x012a'1234'5678'9abcULL);
  CHECK(xtime_radio_unit(x) == 1);
  CHECK(xtime_session(x) == 0x2a);
  CHECK(xtime_counter_us(x) == 0x1234'5678'9abcULL);
  CHECK(xtime_counter_us(make_xtime(0, 1, 0xFFFF'FFFF'FFFF'FFFFULL)) == 0xFFFF'FFFF'FFFFULL);
}

TEST_CASE("a data uplink is split into fields: DevAddr and MIC signed 32-bit, FPort -1 when absent") {
  const std::vector<std::uint8_t> frame = {0x40, 0xDA, 0x1B, 0x01, 0x26, 0x01, 0x05, 0x01,
                                           0x06, 0x02, 0xAA, 0xBB, 0xF0, 0xE1, 0xD2, 0xC3};
  UplinkReception r{.data_rate = 5, .frequency_hz = 868'900'000};
  r.xtime = make_xtime(0, 7, 123'456'789);
  r.gpstime = 1'400'000'000'000'000;
  r.rssi_dbm = -71;
  r.snr_db = 8.25;
  r.rxtime = 1700000000.25;
  auto text = build_uplink(frame, r);
  REQUIRE(text);
  // The field order is the station's (lora.c, then s2e.c's RefTime, DR, Freq, upinfo).
  CHECK(*text == R"({"msgtype":"updf","MHdr":64,"DevAddr":637606874,"FCtrl":1,"FCnt":261,"FOpts":"06","FPort":2,)"
                 R"("FRMPayload":"AABB","MIC":-1009589776,"RefTime":0.000000,"DR":5,"Freq":868900000,)"
                 R"("upinfo":{"rctx":0,"xtime":1970324960431381,"gpstime":1400000000000000,"fts":-1,"rssi":-71,)"
                 R"("snr":8.25,"rxtime":1700000000.250000}})");

  // High bit of DevAddr set, no FPort, no FRMPayload.
  const std::vector<std::uint8_t> bare = {0x80, 0x01, 0x00, 0x00, 0xFE, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44};
  auto bare_text = build_uplink(bare, r);
  REQUIRE(bare_text);
  auto j = json::parse(*bare_text);
  CHECK(j["DevAddr"] == -33554431);
  CHECK(j["FPort"] == -1);
  CHECK(j["FRMPayload"] == "");
  CHECK(j["FOpts"] == "");
  CHECK(j["MIC"] == 1144201745);
}

TEST_CASE("an xtime above 2^53 is written as an exact integer") {
  const std::vector<std::uint8_t> bare = {0x40, 0x01, 0x00, 0x00, 0x26, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44};
  UplinkReception r;
  r.xtime = make_xtime(0x20, 0xFF, 0xFFFF'FFFF'FFFFULL);  // 0x20FFFFFFFFFFFFFF
  auto text = build_uplink(bare, r);
  REQUIRE(text);
  CHECK(text->find(R"("xtime":2377900603251621887)") != std::string::npos);
}

TEST_CASE("a join-request becomes jreq with JoinEui, DevEui, DevNonce and a signed MIC") {
  // MHDR 00, JoinEUI 70b3d57ed0000001 and DevEUI 70b3d57ed0000a01 little-endian, DevNonce 0x0102.
  std::vector<std::uint8_t> frame = {0x00, 0x01, 0x00, 0x00, 0xd0, 0x7e, 0xd5, 0xb3, 0x70, 0x01, 0x0a, 0x00,
                                     0xd0, 0x7e, 0xd5, 0xb3, 0x70, 0x02, 0x01, 0xFF, 0xFF, 0xFF, 0xFF};
  auto text = build_uplink(frame, {});
  REQUIRE(text);
  auto j = json::parse(*text);
  CHECK(j["msgtype"] == "jreq");
  CHECK(j["MHdr"] == 0);
  CHECK(j["JoinEui"] == "70-B3-D5-7E-D0-00-00-01");
  CHECK(j["DevEui"] == "70-B3-D5-7E-D0-00-0A-01");
  CHECK(j["DevNonce"] == 0x0102);
  CHECK(j["MIC"] == -1);

  frame.push_back(0);
  CHECK_FALSE(build_uplink(frame, {}));  // a join-request must be 23 bytes
}

TEST_CASE("proprietary frames go whole as propdf; what the station drops is an error") {
  auto text = build_uplink(std::vector<std::uint8_t>{0xE0, 0x01, 0x02}, {});
  REQUIRE(text);
  auto j = json::parse(*text);
  CHECK(j["msgtype"] == "propdf");
  CHECK(j["FRMPayload"] == "E00102");
  CHECK_FALSE(build_uplink(std::vector<std::uint8_t>{}, {}));
  CHECK_FALSE(build_uplink(std::vector<std::uint8_t>{0x40, 1, 2, 3}, {}));  // shorter than 12
  std::vector<std::uint8_t> major1(12, 0);
  major1[0] = 0x41;  // LoRaWAN major version 1: not R1
  CHECK_FALSE(build_uplink(major1, {}));
  std::vector<std::uint8_t> long_fopts(12, 0);
  long_fopts[0] = 0x40;
  long_fopts[5] = 0x0F;  // 15 bytes of FOpts in a 12-byte frame
  CHECK_FALSE(build_uplink(long_fopts, {}));
}

TEST_CASE("version, dntxed and timesync carry the station's fields") {
  auto v = json::parse(build_version());
  CHECK(v["msgtype"] == "version");
  CHECK(v["protocol"] == 2);
  Dntxed d{.diid = 42, .data_rate = 5, .frequency_hz = 869'100'000, .dev_eui = 0x70b3d57ed0000a01};
  d.xtime = make_xtime(0, 1, 5'000'000);
  auto t = json::parse(build_dntxed(d));
  CHECK(t["msgtype"] == "dntxed");
  CHECK(t["diid"] == 42);
  CHECK(t["seqno"] == 42);
  CHECK(t["DevEui"] == "70-B3-D5-7E-D0-00-0A-01");
  CHECK(t["xtime"] == d.xtime);
  CHECK(build_timesync_request(123456) == R"({"msgtype":"timesync","txtime":123456})");
}

TEST_CASE("router-info: a traffic URI needs ws or wss, an explicit port and a path") {
  auto ok = parse_router_info(R"({"router":"16:c001:ff1e:b51","muxs":"uchet","uri":"wss://localhost:6887/traffic/x"})");
  REQUIRE(ok);
  CHECK(ok->uri == "wss://localhost:6887/traffic/x");
  CHECK(ok->error.empty());
  auto refused = parse_router_info(R"({"router":"16:c001:ff1e:b51","error":"unknown gateway"})");
  REQUIRE(refused);
  CHECK(refused->error == "unknown gateway");
  CHECK_FALSE(parse_router_info(R"({"router":"1","uri":"wss://localhost/traffic"})"));   // no port
  CHECK_FALSE(parse_router_info(R"({"router":"1","uri":"wss://localhost:6887"})"));      // no path
  CHECK_FALSE(parse_router_info(R"({"router":"1","uri":"https://localhost:6887/x"})"));  // not ws
  CHECK_FALSE(parse_router_info(R"({"router":"1"})"));
  CHECK_FALSE(parse_router_info("[1]"));
}

TEST_CASE("router_config: hwspec and a concentrator config are required and the region sets the power") {
  auto c = config_eu868();
  CHECK(c.region == "EU868");
  CHECK(c.region_known);
  CHECK(c.region_duty_cycle);
  CHECK(c.tx_power_dbm == 16);
  CHECK(c.min_frequency_hz == 863'000'000);
  CHECK(c.max_frequency_hz == 870'000'000);
  CHECK(c.data_rates[0].spreading_factor == 12);
  CHECK(c.data_rates[6].bandwidth_khz == 250);
  CHECK(c.data_rates[7].spreading_factor == 0);  // FSK
  CHECK_FALSE(c.data_rates[8].defined());
  CHECK_FALSE(c.net_ids);
  REQUIRE(c.mux_time);

  auto no_hwspec = json::parse(kConfigEU868);
  no_hwspec.erase("hwspec");
  CHECK(parse_router_config(no_hwspec.dump()).error() == "No 'hwspec' in 'router_config' message");
  auto no_conf = json::parse(kConfigEU868);
  no_conf.erase("sx1301_conf");
  CHECK_FALSE(parse_router_config(no_conf.dump()));

  // US915 (26 dBm) lowered by max_eirp 16, no duty-cycle model: RU864 through a 2.0.6 station.
  auto us = json::parse(kConfigEU868);
  us["region"] = "US915";
  us["max_eirp"] = 16;
  auto us_config = parse_router_config(us.dump());
  REQUIRE(us_config);
  CHECK(us_config->region_known);
  CHECK_FALSE(us_config->region_duty_cycle);
  CHECK(us_config->tx_power_dbm == 16);

  // "RU864" is no region to 2.0.6: accepted, but the station is left without one.
  auto ru = json::parse(kConfigEU868);
  ru["region"] = "RU864";
  auto ru_config = parse_router_config(ru.dump());
  REQUIRE(ru_config);
  CHECK_FALSE(ru_config->region_known);
  CHECK(ru_config->tx_power_dbm == 14);
}

TEST_CASE("dnmsg: the mandatory fields of handle_dnmsg, RX1 and RX2 pairs, DR and frequency checks") {
  const auto config = config_eu868();
  const json base = json::parse(R"({"msgtype":"dnmsg","DevEui":"70-B3-D5-7E-D0-00-0A-01","dC":0,"diid":7,
    "pdu":"20AABB","RxDelay":5,"RX1DR":5,"RX1Freq":868100000,"RX2DR":0,"RX2Freq":869525000,"priority":1,
    "xtime":2377900603251621887,"rctx":3})");
  auto m = parse_dnmsg(base.dump(), config);
  REQUIRE(m);
  CHECK(m->dev_eui == 0x70b3d57ed0000a01);
  CHECK(m->diid == 7);
  CHECK(m->pdu == std::vector<std::uint8_t>{0x20, 0xAA, 0xBB});
  CHECK(m->rx_delay_s == 5);
  CHECK(m->xtime == 2377900603251621887);  // exact: never through a double
  CHECK(m->rctx == 3);
  REQUIRE(m->rx1);
  CHECK(m->rx1->frequency_hz == 868'100'000);
  REQUIRE(m->rx2);
  CHECK(m->rx2->data_rate == 0);
  CHECK(rx1_transmit_xtime(*m) == 2377900603251621887 + 5'000'000);
  CHECK(rx2_transmit_xtime(*m) == 2377900603251621887 + 6'000'000);

  for (const char* mandatory : {"DevEui", "dC", "diid", "pdu"}) {
    auto without = base;
    without.erase(mandatory);
    INFO(mandatory);
    CHECK_FALSE(parse_dnmsg(without.dump(), config));
  }
  for (const char* half : {"RX1DR", "RX1Freq", "RX2DR", "RX2Freq"}) {
    auto without = base;
    without.erase(half);
    INFO(half);
    CHECK_FALSE(parse_dnmsg(without.dump(), config));
  }
  auto only_rx2 = base;
  only_rx2.erase("RX1DR");
  only_rx2.erase("RX1Freq");
  REQUIRE(parse_dnmsg(only_rx2.dump(), config));
  auto neither = only_rx2;
  neither.erase("RX2DR");
  neither.erase("RX2Freq");
  CHECK_FALSE(parse_dnmsg(neither.dump(), config));

  auto no_delay = base;
  no_delay.erase("RxDelay");
  CHECK(parse_dnmsg(no_delay.dump(), config)->rx_delay_s == 1);  // the station maps it to 1
  auto zero_delay = base;
  zero_delay["RxDelay"] = 0;
  CHECK(parse_dnmsg(zero_delay.dump(), config)->rx_delay_s == 1);
  auto bad_delay = base;
  bad_delay["RxDelay"] = 16;
  CHECK_FALSE(parse_dnmsg(bad_delay.dump(), config));

  auto undefined_dr = base;
  undefined_dr["RX1DR"] = 9;
  CHECK_FALSE(parse_dnmsg(undefined_dr.dump(), config));
  auto out_of_range = base;
  out_of_range["RX2Freq"] = 915'000'000;
  CHECK_FALSE(parse_dnmsg(out_of_range.dump(), config));
  auto bad_class = base;
  bad_class["dC"] = 3;
  CHECK_FALSE(parse_dnmsg(bad_class.dump(), config));
  auto big = base;
  big["pdu"] = std::string(512, 'A');
  CHECK_FALSE(parse_dnmsg(big.dump(), config));

  // The absolute form: DR and Freq, transmitted at xtime itself.
  const json absolute = json::parse(R"({"msgtype":"dnmsg","DevEui":"70B3D57ED0000A01","dC":2,"diid":8,
    "pdu":"60","DR":0,"Freq":869525000,"xtime":5000000,"rctx":0})");
  auto a = parse_dnmsg(absolute.dump(), config);
  REQUIRE(a);
  CHECK(a->absolute);
  CHECK(a->dev_eui == 0x70b3d57ed0000a01);
  CHECK(rx1_transmit_xtime(*a) == 5'000'000);

  // Unknown region: every dnmsg is dropped.
  auto ru = json::parse(kConfigEU868);
  ru["region"] = "RU864";
  auto ru_config = parse_router_config(ru.dump());
  REQUIRE(ru_config);
  CHECK(parse_dnmsg(base.dump(), *ru_config).error() == "Received 'dnmsg' before 'router_config' - dropped");
}

TEST_CASE("timesync answers carry the GPS time with the echoed txtime or an xtime") {
  auto a = parse_timesync(R"({"msgtype":"timesync","txtime":123456,"gpstime":1400000000000000})");
  REQUIRE(a);
  CHECK(a->txtime == 123456);
  CHECK(a->gpstime == 1'400'000'000'000'000);
  auto b = parse_timesync(R"({"msgtype":"timesync","xtime":2377900603251621887,"gpstime":1400000000000001})");
  REQUIRE(b);
  CHECK(b->xtime == 2377900603251621887);
  CHECK_FALSE(parse_timesync(R"({"msgtype":"timesync","txtime":1})"));
  CHECK_FALSE(parse_timesync(R"({"msgtype":"timesync","gpstime":1})"));
  CHECK(message_type(R"({"msgtype":"dnmsg"})") == "dnmsg");
  CHECK_FALSE(message_type("garbage"));
  CHECK_FALSE(message_type(R"({"x":1})"));
}
