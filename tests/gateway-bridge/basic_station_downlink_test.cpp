// What the server sends a Basics Station: dnmsg in each timing form s2e.c handle_dnmsg accepts
// (class A echoing the uplink's xtime with RxDelay, the absolute form, class C), the timesync
// answer in GPS time, and the discovery answers; with the refusals (class B, unknown DR, sizes).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "gateway-bridge/basic_station/messages.h"
#include "netserver/lorawan/region.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::basic_station;
namespace lorawan = uchet::lorawan;
using namespace std::chrono;

namespace {

lorawan::Region ru864() { return lorawan::region_by_name("RU864").value(); }

// An uplink's xtime above 2^53: radio unit 1, session 0x23, µs counter 0x1234_5679.
constexpr std::uint64_t kXtime = 0x0123'0000'1234'5679ull;
const UtcTime kNow = UtcTime(microseconds(1'764'800'000'250'000));

Transmission transmission(TxTiming timing, std::uint32_t hz = 869'100'000, DataRate rate = LoraRate{12, 125}) {
  Transmission tx;
  tx.timing = timing;
  tx.frequency_hz = hz;
  tx.data_rate = rate;
  tx.power_dbm = 16;
  tx.phy_payload = {0x20, 0x01, 0x02, 0x03};
  return tx;
}

const DownlinkAddressing kAddressing{
    .diid = 9007199254740993ull, .dev_eui = 0x0102030405060708, .rctx = 1, .priority = 7};

nlohmann::json dnmsg(const Transmission& tx, const DownlinkAddressing& addressing = kAddressing) {
  auto text = build_dnmsg(tx, ru864(), addressing, kNow);
  REQUIRE(text);
  return nlohmann::json::parse(*text);
}

std::string refusal(const Transmission& tx) {
  auto text = build_dnmsg(tx, ru864(), kAddressing, kNow);
  REQUIRE_FALSE(text);
  return text.error();
}

}  // namespace

TEST_CASE("a class A answer echoes the uplink's xtime and gives RxDelay") {
  // The network server's CounterTime: the reception's counter plus the join-accept delay.
  const CounterTime heard{kXtime & kXtimeCounterMask, kXtime};
  const auto m = dnmsg(transmission(heard.after(seconds(5))));
  CHECK(m["msgtype"] == "dnmsg");
  CHECK(m["dC"] == 0);
  CHECK(m["xtime"].get<std::uint64_t>() == kXtime);  // exactly, not through a double
  CHECK(m["RxDelay"] == 5);
  CHECK(m["RX1DR"] == 0);
  CHECK(m["RX1Freq"] == 869100000);
  CHECK_FALSE(m.contains("RX2DR"));  // the network server books one window: exactly one is sent
  CHECK_FALSE(m.contains("DR"));
  CHECK(m["rctx"] == 1);
  CHECK(m["DevEui"] == "01-02-03-04-05-06-07-08");
  CHECK(m["diid"].get<std::uint64_t>() == 9007199254740993ull);
  CHECK(m["pdu"] == "20010203");
  CHECK(m["priority"] == 7);
  CHECK(m["MuxTime"].get<double>() == Approx(1764800000.25));
  // The text itself carries the integer digits.
  CHECK(build_dnmsg(transmission(heard.after(seconds(1))), ru864(), kAddressing, kNow)
            .value()
            .find("\"xtime\":81909218528220793") != std::string::npos);
  CHECK(dnmsg(transmission(heard.after(seconds(1))))["RxDelay"] == 1);
  CHECK(dnmsg(transmission(heard.after(seconds(15))))["RxDelay"] == 15);
}

TEST_CASE("other counter times are sent as the moment itself") {
  const CounterTime heard{kXtime & kXtimeCounterMask, kXtime};
  for (const auto delay : {microseconds(16'000'000), microseconds(1'500'000), microseconds(0)}) {
    const auto m = dnmsg(transmission(heard.after(delay), 869'100'000, LoraRate{9, 125}));
    CHECK(m["dC"] == 0);
    CHECK(m["xtime"].get<std::uint64_t>() == kXtime + static_cast<std::uint64_t>(delay.count()));
    CHECK(m["DR"] == 3);
    CHECK(m["Freq"] == 869100000);
    CHECK_FALSE(m.contains("RxDelay"));
    CHECK_FALSE(m.contains("RX1DR"));
  }
  // The counter part wraps inside its 48 bits; the radio unit and session bits stay.
  const CounterTime late{kXtimeCounterMask, kXtime};
  CHECK(dnmsg(transmission(late.after(microseconds(2))))["xtime"].get<std::uint64_t>() == 0x0123'0000'0000'0001ull);
}

TEST_CASE("class C goes out as RX2 parameters only") {
  const auto m = dnmsg(transmission(Immediately{}, 869'100'000, LoraRate{12, 125}),
                       DownlinkAddressing{.diid = 3, .dev_eui = 0x0102030405060708});
  CHECK(m["dC"] == 2);
  CHECK(m["RX2DR"] == 0);
  CHECK(m["RX2Freq"] == 869100000);
  // Without RxDelay a real 2.0.6 station warns "RxDelay mapped to 1 as it was not present!".
  CHECK(m["RxDelay"] == 0);
  CHECK_FALSE(m.contains("RX1DR"));
  CHECK_FALSE(m.contains("xtime"));
  CHECK_FALSE(m.contains("rctx"));
  CHECK(m["diid"] == 3);
  CHECK(m["priority"] == 0);
  // A zero DevEui would get no dntxed from the station: a stand-in is sent.
  CHECK(dnmsg(transmission(Immediately{}), DownlinkAddressing{.diid = 4})["DevEui"] == "01-01-01-01-01-01-01-01");
}

TEST_CASE("downlinks the station cannot be given are refused") {
  CHECK(refusal(transmission(GpsTime(1'000'000))) ==
        "GPS-timed (class B) downlinks are not supported over Basics Station");
  CHECK(refusal(transmission(Immediately{}, 869'100'000, LoraRate{7, 500})) == "SF7BW500 is not a data rate of RU864");
  CHECK(refusal(transmission(Immediately{}, 50'000'000)).find("frequency 50000000 Hz is outside") == 0);
  auto big = transmission(Immediately{});
  big.phy_payload.assign(256, 0x20);
  CHECK(refusal(big) == "payload of 256 bytes is not 1..255");
  big.phy_payload.clear();
  CHECK(refusal(big) == "payload of 0 bytes is not 1..255");
  auto huge_id = kAddressing;
  huge_id.diid = 1ull << 63;
  CHECK_FALSE(build_dnmsg(transmission(Immediately{}), ru864(), huge_id, kNow));
}

TEST_CASE("the timesync answer echoes txtime and gives GPS time") {
  // 2026-12-06T00:00:00Z: GPS = Unix − 315964800 s + 18 leap seconds.
  const UtcTime now = UtcTime(seconds(1'796'515'200));
  const auto m = nlohmann::json::parse(build_timesync_answer(TimesyncRequest{123456789012345}, now));
  CHECK(m["msgtype"] == "timesync");
  CHECK(m["txtime"] == 123456789012345);
  CHECK(m["gpstime"].get<std::int64_t>() == (1'796'515'200ll - 315'964'800 + 18) * 1'000'000);
}

TEST_CASE("discovery: the router in any form, the answer in ID6") {
  CHECK(parse_discovery_request(R"({"router":"b827:ebff:fee1:e39a"})").value() == 0xb827ebfffee1e39a);
  CHECK(parse_discovery_request(R"({"router":"b8-27-eb-ff-fe-e1-e3-9a"})").value() == 0xb827ebfffee1e39a);
  CHECK(parse_discovery_request(R"({"router":"::1"})").value() == 1);
  CHECK(parse_discovery_request(R"({"router":13269834311795860378})").value() == 0xb827ebfffee1e39a);
  CHECK(parse_discovery_request(R"({"router":"nope"})").error().find("router: EUI") == 0);
  CHECK(parse_discovery_request(R"({})").error() == "missing router");
  CHECK(parse_discovery_request(R"({"router":)").error() == "invalid JSON");
  CHECK(parse_discovery_request(R"({"router":"::1","pad":")" + std::string(100, 'x') + "\"}", 64)
            .error()
            .find("exceeds the 64-byte limit") != std::string::npos);

  const auto uri = traffic_uri(true, "lns.example.net", 6039, 0xb827ebfffee1e39a);
  CHECK(uri == "wss://lns.example.net:6039/traffic/b8-27-eb-ff-fe-e1-e3-9a");
  CHECK(traffic_uri(false, "10.0.0.1", 80, 1) == "ws://10.0.0.1:80/traffic/00-00-00-00-00-00-00-01");
  const auto answer = nlohmann::json::parse(build_discovery_answer(0xb827ebfffee1e39a, 0x0016c001ff1e0b51, uri));
  CHECK(answer == nlohmann::json{{"router", "b827:ebff:fee1:e39a"}, {"muxs", "16:c001:ff1e:b51"}, {"uri", uri}});
  const auto error = nlohmann::json::parse(build_discovery_error(1, "unknown gateway \"x\""));
  CHECK(error == nlohmann::json{{"router", "::1"}, {"error", "unknown gateway \"x\""}});
}
