// rxpk -> UplinkRx, the value the network server receives.
#include <catch2/catch.hpp>

#include "gateway-bridge/bridge.h"
#include "tests/bridge/bridge_test_support.h"

using namespace uchet::bridge;
using namespace uchet::bridge::test;

TEST_CASE("an rxpk becomes an UplinkRx in the network server's words") {
  auto object = json_fields::parse_object(
      lorawan::ByteView(reinterpret_cast<const std::uint8_t*>(kLoraRxpk.data()), kLoraRxpk.size()));
  REQUIRE(object);
  auto packet = parse_rxpk(*object);
  REQUIRE(packet);
  const auto expected_time = packet->time;
  const auto up = to_uplink(kGatewayEui, std::move(*packet), std::chrono::steady_clock::time_point{});
  CHECK(up.gateway_eui == kGatewayEui);
  CHECK(up.counter_us == 3512348611u);
  CHECK(up.gps_time == GpsTime{1459009295528});
  CHECK(up.utc_time == expected_time);
  CHECK(up.frequency_hz == 868100000u);
  CHECK(up.rssi_dbm == -35);
  CHECK(up.snr_db == Approx(9.5));
  CHECK(up.channel == 2);
  CHECK(up.rf_chain == 0);
  CHECK(std::get<LoraRate>(up.data_rate) == LoraRate{7, 125});
  CHECK(up.coding_rate == CodingRate::k4_5);
  CHECK(up.phy_payload == kPayload);
}
