// LinkADRReq / LinkADRAns: the ADR decision becomes a request once the SNR history is full,
// one at a time; the session takes TX power and NbTrans only when all of it is accepted.
#include <catch2/catch.hpp>

#include "netserver/adr.h"
#include "netserver/maccommand/link_adr.h"

using namespace uchet;
using namespace uchet::netserver;

TEST_CASE("LinkADRReq waits for a full history, then asks for a faster data rate on a strong link") {
  const auto region = *lorawan::region_by_name("RU864");
  schema::DeviceSession session;
  MacState mac;
  const gateway_bridge::DataRate sf12 = gateway_bridge::LoraRate{12, 125};
  for (std::uint32_t f = 0; f + 1 < kAdrHistorySize; ++f) mac.record_uplink(10.0, f);
  CHECK_FALSE(maccommand::link_adr_request(region, 10.0, sf12, 0, session, mac));
  mac.record_uplink(10.0, kAdrHistorySize);
  auto req = maccommand::link_adr_request(region, 10.0, sf12, 0, session, mac);
  REQUIRE(req);
  REQUIRE(mac.pending_link_adr);
  CHECK(req->data_rate == mac.pending_link_adr->data_rate);
  CHECK(req->data_rate > 0);
  CHECK(req->tx_power == mac.pending_link_adr->tx_power_index);
  CHECK(req->nb_trans == mac.pending_link_adr->nb_trans);
  CHECK(req->ch_mask_cntl == 0);
  CHECK_FALSE(maccommand::link_adr_request(region, 10.0, sf12, 0, session, mac));  // one at a time
}

TEST_CASE("LinkADRAns applies TX power and NbTrans only when all is accepted") {
  schema::DeviceSession session;
  session.tx_power_index = 0;
  session.nb_trans = 1;
  MacState mac;
  mac.pending_link_adr = PendingLinkAdr{5, 3, 2};
  maccommand::on_link_adr_ans(lorawan::LinkADRAns{true, false, true}, mac, session);
  CHECK(session.tx_power_index == 0);
  CHECK(session.nb_trans == 1);
  CHECK_FALSE(mac.pending_link_adr);

  mac.pending_link_adr = PendingLinkAdr{5, 3, 2};
  maccommand::on_link_adr_ans(lorawan::LinkADRAns{true, true, true}, mac, session);
  CHECK(session.tx_power_index == 3);
  CHECK(session.nb_trans == 2);
  CHECK_FALSE(mac.pending_link_adr);
  maccommand::on_link_adr_ans(lorawan::LinkADRAns{true, true, true}, mac, session);  // nothing pending
  CHECK(session.tx_power_index == 3);
}
