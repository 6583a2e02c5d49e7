// RXTimingSetupReq / RXTimingSetupAns: asked when the session's RX1 delay is not the
// configured one; the answer applies the delay asked.
#include <catch2/catch.hpp>

#include "netserver/maccommand/rx_timing_setup.h"

using namespace uchet;
using namespace uchet::netserver;

TEST_CASE("RXTimingSetupReq is asked only for a session off the configured RX1 delay, and its answer applies it") {
  schema::DeviceSession session;
  session.rx1_delay = 1;
  MacState mac;
  CHECK_FALSE(maccommand::rx_timing_setup_request(session, 1, mac));
  CHECK_FALSE(mac.pending_rx_timing);
  auto req = maccommand::rx_timing_setup_request(session, 5, mac);
  REQUIRE(req);
  CHECK(req->delay == 5);
  CHECK(mac.pending_rx_timing == 5);
  maccommand::on_rx_timing_setup_ans(mac, session);
  CHECK(session.rx1_delay == 5);
  CHECK_FALSE(mac.pending_rx_timing);
  maccommand::on_rx_timing_setup_ans(mac, session);  // repeated (sticky): nothing pending, nothing changes
  CHECK(session.rx1_delay == 5);
}
