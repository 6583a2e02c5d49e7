// RXParamSetupReq / RXParamSetupAns: asked when the session's RX1 offset or RX2 is not the
// configured one; only a full acknowledgement changes the session.
#include <catch2/catch.hpp>

#include "netserver/maccommand/rx_param_setup.h"

using namespace uchet;
using namespace uchet::netserver;

TEST_CASE("RXParamSetupReq asks for the configured RX1 offset and the region's default RX2") {
  const auto region = *lorawan::region_by_name("RU864");
  schema::DeviceSession session;
  MacState mac;
  CHECK_FALSE(maccommand::rx_param_setup_request(session, 0, region, mac));
  session.rx2_frequency = 869'525'000;
  auto req = maccommand::rx_param_setup_request(session, 2, region, mac);
  REQUIRE(req);
  CHECK(*req == lorawan::RXParamSetupReq{2, region.rx2_default().data_rate, region.rx2_default().frequency_hz});
  REQUIRE(mac.pending_rx_param);
  CHECK(mac.pending_rx_param->rx1_dr_offset == 2);
}

TEST_CASE("RXParamSetupAns changes the session only when every part is acknowledged") {
  const auto region = *lorawan::region_by_name("RU864");
  schema::DeviceSession session;
  session.rx2_dr = 3;
  MacState mac;
  REQUIRE(maccommand::rx_param_setup_request(session, 1, region, mac));
  maccommand::on_rx_param_setup_ans(lorawan::RXParamSetupAns{true, false, true}, mac, session);
  CHECK(session.rx1_dr_offset == 0);
  CHECK(session.rx2_dr == 3);
  CHECK_FALSE(mac.pending_rx_param);  // refused: asked again later

  REQUIRE(maccommand::rx_param_setup_request(session, 1, region, mac));
  maccommand::on_rx_param_setup_ans(lorawan::RXParamSetupAns{true, true, true}, mac, session);
  CHECK(session.rx1_dr_offset == 1);
  CHECK_FALSE(session.rx2_dr);
  CHECK_FALSE(session.rx2_frequency);
  CHECK_FALSE(mac.pending_rx_param);
}
