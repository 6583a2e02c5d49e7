// DeviceTimeReq: answered with the GPS time at the end of the uplink, taken from the gateway's
// GPS clock first, its UTC clock next, and this server's clock last.
#include <catch2/catch.hpp>

#include "netserver/lorawan/gps_time.h"
#include "netserver/maccommand/device_time.h"

using namespace uchet;
using namespace uchet::netserver;
using namespace std::chrono_literals;

TEST_CASE("the reception time prefers a gateway's GPS clock over its UTC clock") {
  ReceivedFrame frame;
  frame.first_seen = std::chrono::steady_clock::now();
  gateway_bridge::Reception utc_only;
  utc_only.utc_time = gateway_bridge::UtcTime{std::chrono::seconds(1'800'000'000)};
  gateway_bridge::Reception gps;
  gps.gps_time = gateway_bridge::GpsTime{1'400'000'000s + 500ms};
  frame.receptions = {utc_only, gps};
  auto [time, from_gateway] = maccommand::reception_gps_time(frame);
  CHECK(time == 1'400'000'000s + 500ms);
  CHECK(from_gateway);
  CHECK(maccommand::device_time_answer(time) == lorawan::DeviceTimeAns{1'400'000'000, 128});

  frame.receptions = {utc_only};
  std::tie(time, from_gateway) = maccommand::reception_gps_time(frame);
  CHECK(time == lorawan::gps_time_from_utc(std::chrono::time_point_cast<std::chrono::nanoseconds>(*utc_only.utc_time)));
  CHECK(from_gateway);
}

TEST_CASE("without a gateway clock the reception time is this server's arrival time") {
  ReceivedFrame frame;
  frame.first_seen = std::chrono::steady_clock::now();
  frame.receptions.emplace_back();
  const auto before = lorawan::gps_time_from_utc(
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
  auto [time, from_gateway] = maccommand::reception_gps_time(frame);
  CHECK_FALSE(from_gateway);
  CHECK(time >= before - 1s);
  CHECK(time <= before + 1s);
}
