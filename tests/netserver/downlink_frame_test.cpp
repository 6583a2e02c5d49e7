#include <catch2/catch.hpp>

#include "netserver/downlink_frame.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/mac_commands.h"

using namespace uchet;

namespace {

lorawan::Key key(const char* hex) { return *lorawan::parse_key(hex); }

}  // namespace

TEST_CASE("a 1.0 ACK downlink matches the lora-packet known answer") {
  // lorawan-protocol-facts §6 vector 3: 60f17dbe4920020001f9d65d27, NwkSKey 44024241…3fd3.
  schema::DeviceSession s;
  s.mac_version = "1.0.3";
  s.dev_addr = 0x49BE7DF1;
  s.keys.f_nwk_s_int_key = s.keys.s_nwk_s_int_key = s.keys.nwk_s_enc_key = key("44024241ed4ce9a68c6a8bc055233fd3");
  s.keys.app_s_key = key("ec925802ae430ca77fd3dd73cb2cc588");
  s.n_f_cnt_down = 2;
  netserver::DownlinkContent c;
  c.ack = true;
  c.f_port = 1;
  auto built = netserver::build_downlink(s, c);
  REQUIRE(built);
  CHECK(lorawan::to_hex(built->phy_payload) == "60f17dbe4920020001f9d65d27");
  CHECK(built->f_cnt_down == 2);
  netserver::advance_f_cnt_down(s, *built);
  CHECK(s.n_f_cnt_down == 3);
}

TEST_CASE("a 1.1 downlink with encrypted FOpts matches ChirpStack's known answer") {
  // lorawan-protocol-facts §6 vector 16.
  schema::DeviceSession s;
  s.mac_version = "1.1";
  s.dev_addr = 0x01020304;
  s.keys.s_nwk_s_int_key = key("01010101010101010101010101010100");
  s.keys.nwk_s_enc_key = key("01010101010101010101010101010200");
  s.keys.app_s_key = key("100f0e0d0c0b0a090807060504030201");
  s.a_f_cnt_down = 0;
  netserver::DownlinkContent c;
  std::vector<lorawan::DownlinkMacCommand> answers = {lorawan::LinkCheckAns{7, 1}};
  c.mac_commands = lorawan::encode_mac_commands(std::span<const lorawan::DownlinkMacCommand>(answers));
  c.f_port = 1;
  c.application_payload = {0x01, 0x02, 0x03, 0x04};
  auto built = netserver::build_downlink(s, c);
  REQUIRE(built);
  CHECK(built->uses_a_f_cnt_down);
  CHECK(lorawan::to_hex(built->phy_payload) == "600403020103000022ac0a01f0b468ddaa5ed13a");
}

TEST_CASE("more than 15 bytes of MAC commands cannot go into FOpts") {
  schema::DeviceSession s;
  netserver::DownlinkContent c;
  c.mac_commands.assign(16, 0x02);
  CHECK_FALSE(netserver::build_downlink(s, c));
}
