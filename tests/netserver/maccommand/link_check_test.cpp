// LinkCheckReq: the margin over the spreading factor's floor of the best reception, and the
// number of distinct gateways that heard the frame.
#include <catch2/catch.hpp>

#include "netserver/maccommand/link_check.h"

using namespace uchet;
using namespace uchet::netserver;

TEST_CASE("LinkCheckAns counts distinct gateways and gives the best reception's margin over the SF floor") {
  gateway_bridge::Reception best;
  best.gateway_eui = 1;
  best.data_rate = gateway_bridge::LoraRate{12, 125};  // floor -20 dB
  best.snr_db = -7.5;
  gateway_bridge::Reception other = best;
  other.gateway_eui = 2;
  gateway_bridge::Reception again = best;  // the same gateway twice (two antennas) counts once
  const std::vector<gateway_bridge::Reception> receptions{best, other, again};
  CHECK(maccommand::link_check_answer(receptions, best) == lorawan::LinkCheckAns{12, 2});
}

TEST_CASE("LinkCheckAns margin is never negative and at most 254") {
  gateway_bridge::Reception rx;
  rx.gateway_eui = 1;
  rx.data_rate = gateway_bridge::LoraRate{7, 125};  // floor -7.5 dB
  rx.snr_db = -15;
  CHECK(maccommand::link_check_answer({rx}, rx).margin == 0);
  rx.snr_db = 400;
  CHECK(maccommand::link_check_answer({rx}, rx).margin == 254);
  rx.snr_db.reset();  // no SNR: at the floor
  CHECK(maccommand::link_check_answer({rx}, rx).margin == 0);
}
