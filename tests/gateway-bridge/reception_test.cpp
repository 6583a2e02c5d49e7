// rxpk -> Reception, the value the network server receives, and the tmst widened to the
// contract's 64-bit counter.
#include <catch2/catch.hpp>

#include "gateway-bridge/semtech_udp/counter_widener.h"
#include "gateway-bridge/semtech_udp/rxpk.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;
using namespace std::chrono_literals;

TEST_CASE("an rxpk becomes a Reception in the network server's words") {
  auto object = uchet::common::json_fields::parse_object(
      lorawan::ByteView(reinterpret_cast<const std::uint8_t*>(kLoraRxpk.data()), kLoraRxpk.size()));
  REQUIRE(object);
  auto packet = parse_rxpk(*object);
  REQUIRE(packet);
  const auto expected_time = packet->time;
  const auto up =
      to_reception(kGatewayEui, std::move(*packet), 7'807'315'907u, std::chrono::steady_clock::time_point{});
  CHECK(up.gateway_eui == kGatewayEui);
  CHECK(up.counter.counter_us == 7'807'315'907u);  // as widened
  CHECK(up.counter.context == 3512348611u);        // the tmst as reported
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

TEST_CASE("tmst is widened per gateway to a counter that does not wrap") {
  CounterWidener widener;
  const std::chrono::steady_clock::time_point t0{};
  constexpr std::uint64_t kWrap = 1ull << 32;
  // A gateway's first tmst is taken as is; the next ones follow it across the wrap.
  CHECK(widener.widen(1, 4'294'000'000u, t0) == 4'294'000'000u);
  CHECK(widener.widen(1, 1'000'000u, t0 + 2s) == kWrap + 1'000'000u);
  // Slightly out of order (an earlier packet of the same fetch): before the last, not a wrap.
  CHECK(widener.widen(1, 4'294'900'000u, t0 + 2s) == 4'294'900'000u);
  CHECK(widener.widen(1, 2'000'000u, t0 + 3s) == kWrap + 2'000'000u);
  // Gateways are independent.
  CHECK(widener.widen(2, 5u, t0 + 3s) == 5u);
  // A silence longer than a wrap (71.6 min) still counts the wraps it spanned.
  CHECK(widener.widen(1, 3'000'000u, t0 + 3s + 3 * 4'294'967'296us) == 4 * kWrap + 3'000'000u);
  // Before the first wrap, a value just below the first one cannot go below 0: the next wrap up.
  CHECK(widener.widen(2, 4'294'967'000u, t0 + 3s) == 4'294'967'000u);
  // The low 32 bits are always the tmst, what a txpk's tmst is made of.
  for (std::uint32_t tmst : {0u, 42u, 2'147'483'648u, 4'294'967'295u}) {
    CHECK(static_cast<std::uint32_t>(widener.widen(3, tmst, t0 + 1s)) == tmst);
  }
}
