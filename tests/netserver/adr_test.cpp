#include <catch2/catch.hpp>

#include "netserver/adr.h"

using namespace uchet::netserver;

TEST_CASE("ADR spends head-room on data rate first, then on TX power") {
  AdrInput in;
  in.required_snr_db = -20;  // DR0, SF12
  in.installation_margin_db = 10;
  in.recent_snr_db = {-5, 2.5, 1};  // margin = 2.5 + 20 - 10 = 12.5 dB -> 4 steps
  auto d = decide_adr(in);
  CHECK(d.data_rate == 4);
  CHECK(d.tx_power_index == 0);
  in.recent_snr_db = {12};  // margin 22 -> 7 steps: DR0->DR5 uses 5, power 2 steps
  d = decide_adr(in);
  CHECK(d.data_rate == 5);
  CHECK(d.tx_power_index == 2);
  CHECK(d.changes(in));
}

TEST_CASE("ADR never goes beyond the region's limits and never lowers the data rate") {
  AdrInput in;
  in.required_snr_db = -7.5;  // DR5
  in.data_rate = 5;
  in.tx_power_index = 6;
  in.recent_snr_db = {40};
  auto d = decide_adr(in);
  CHECK(d.data_rate == 5);
  CHECK(d.tx_power_index == 7);
  in.recent_snr_db = {-12};  // margin -14.5 -> -5 steps: power back up to index 1, DR unchanged
  d = decide_adr(in);
  CHECK(d.data_rate == 5);
  CHECK(d.tx_power_index == 1);
  in.tx_power_index = 0;
  d = decide_adr(in);
  CHECK(d.tx_power_index == 0);
  CHECK(d.data_rate == 5);
  CHECK_FALSE(d.changes(in));
}

TEST_CASE("NbTrans follows the observed loss") {
  AdrInput in;
  in.recent_snr_db = {-30};
  in.required_snr_db = -20;
  in.loss_ratio = 0.02;
  CHECK(decide_adr(in).nb_trans == 1);
  in.loss_ratio = 0.07;
  CHECK(decide_adr(in).nb_trans == 1);
  in.nb_trans = 2;
  CHECK(decide_adr(in).nb_trans == 2);
  in.loss_ratio = 0.2;
  CHECK(decide_adr(in).nb_trans == 3);
  in.nb_trans = 3;
  in.loss_ratio = 0.0;
  CHECK(decide_adr(in).nb_trans == 2);
}
