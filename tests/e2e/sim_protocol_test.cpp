// The simulator's gateway-side protocol against the bridge's own parsers and builders (pure,
// no daemon): what uchet-sim sends is what the bridge reads, and what the bridge writes is what
// uchet-sim reads back.
#include <catch2/catch.hpp>

#include "gateway-bridge/semtech_udp/datagram.h"
#include "gateway-bridge/semtech_udp/txpk.h"
#include "netserver/lorawan/encoding.h"
#include "tools/sim/gateway_protocol.h"

using namespace uchet;

namespace {

constexpr lorawan::Eui64 kGateway = 0xaa555a0000000101;

gateway_bridge::semtech_udp::RxPacket sample_rxpk() {
  gateway_bridge::semtech_udp::RxPacket p;
  p.tmst = 4'000'000'123u;
  p.time = gateway_bridge::UtcTime{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23}.time_since_epoch() +
                                   std::chrono::hours{11} + std::chrono::microseconds{123'456}};
  p.tmms = gateway_bridge::GpsTime{1'447'846'418'123};
  p.freq_hz = 868'900'000;
  p.chan = 1;
  p.rfch = 0;
  p.datr = gateway_bridge::LoraRate{9, 125};
  p.codr = gateway_bridge::CodingRate::k4_6;
  p.rssi_dbm = -97;
  p.lsnr_db = -3.25;
  p.data = {0x40, 0x01, 0x02, 0x03, 0x04, 0x80, 0x00, 0x00, 0x01, 0xaa, 0xbb, 0xcc, 0xdd};
  return p;
}

}  // namespace

TEST_CASE("PUSH_DATA built by the simulator parses in the bridge to the same packet") {
  const auto packet = sample_rxpk();
  const auto datagram = sim::build_push_data(0xbeef, kGateway, std::span(&packet, 1));
  auto parsed = gateway_bridge::semtech_udp::parse_datagram(datagram);
  REQUIRE(parsed);
  const auto* push = std::get_if<gateway_bridge::semtech_udp::PushData>(&*parsed);
  REQUIRE(push);
  CHECK(push->token == 0xbeef);
  CHECK(push->gateway_eui == kGateway);
  CHECK(push->rejected.empty());
  REQUIRE(push->rx_packets.size() == 1);
  const auto& p = push->rx_packets[0];
  CHECK(p.tmst == packet.tmst);
  CHECK(p.time == packet.time);
  CHECK(p.tmms == packet.tmms);
  CHECK(p.freq_hz == 868'900'000);
  CHECK(p.chan == 1);
  CHECK(p.stat == gateway_bridge::semtech_udp::CrcStatus::Ok);
  CHECK(p.datr == gateway_bridge::DataRate{gateway_bridge::LoraRate{9, 125}});
  CHECK(p.codr == gateway_bridge::CodingRate::k4_6);
  CHECK(p.rssi_dbm == -97);
  CHECK(p.lsnr_db == -3.25);
  CHECK(p.data == packet.data);
  CHECK(sim::rxpk_json(packet)["time"] == "2026-11-23T11:00:00.123456Z");
}

TEST_CASE("PULL_DATA and TX_ACK built by the simulator parse in the bridge") {
  auto pull = gateway_bridge::semtech_udp::parse_datagram(sim::build_pull_data(0x0102, kGateway));
  REQUIRE(pull);
  REQUIRE(std::holds_alternative<gateway_bridge::semtech_udp::PullData>(*pull));
  CHECK(std::get<gateway_bridge::semtech_udp::PullData>(*pull).token == 0x0102);
  CHECK(std::get<gateway_bridge::semtech_udp::PullData>(*pull).gateway_eui == kGateway);

  auto scheduled = gateway_bridge::semtech_udp::parse_datagram(sim::build_tx_ack(0x0304, kGateway));
  REQUIRE(scheduled);
  const auto& ok = std::get<gateway_bridge::semtech_udp::TxAck>(*scheduled);
  CHECK(ok.token == 0x0304);
  CHECK(ok.scheduled());

  auto late = gateway_bridge::semtech_udp::parse_datagram(sim::build_tx_ack(0x0305, kGateway, "TOO_LATE"));
  REQUIRE(late);
  const auto& too_late = std::get<gateway_bridge::semtech_udp::TxAck>(*late);
  CHECK_FALSE(too_late.scheduled());
  CHECK(too_late.error == gateway_bridge::semtech_udp::TxAckError::TooLate);
}

TEST_CASE("PULL_RESP built by the bridge parses in the simulator to the same packet") {
  gateway_bridge::Transmission lora;
  lora.timing = gateway_bridge::CounterTime{4'294'000'000u};
  lora.frequency_hz = 869'100'000;
  lora.power_dbm = 14;
  lora.data_rate = gateway_bridge::LoraRate{12, 125};
  lora.phy_payload = {0x60, 0x01, 0x02, 0x03, 0x04, 0x20, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44};

  gateway_bridge::Transmission fsk = lora;
  fsk.timing = gateway_bridge::Immediately{};
  fsk.data_rate = gateway_bridge::FskRate{50'000};
  fsk.coding_rate.reset();
  fsk.fsk_deviation_hz = 25'000;
  fsk.preamble_symbols = 5;

  gateway_bridge::Transmission class_b = lora;
  class_b.timing = gateway_bridge::GpsTime{1'447'846'418'000};
  class_b.disable_crc = false;
  class_b.invert_polarity = false;

  for (const auto& original : {lora, fsk, class_b}) {
    auto datagram = gateway_bridge::semtech_udp::build_pull_resp(0xabcd, original);
    REQUIRE(datagram);
    auto parsed = sim::parse_server_datagram(*datagram);
    INFO(std::string(datagram->begin() + 4, datagram->end()));
    REQUIRE(parsed);
    CHECK(parsed->type == gateway_bridge::semtech_udp::PacketType::PullResp);
    CHECK(parsed->token == 0xabcd);
    REQUIRE(parsed->txpk);
    const auto& p = *parsed->txpk;
    CHECK(p.timing.index() == original.timing.index());
    if (const auto* at = std::get_if<gateway_bridge::CounterTime>(&original.timing)) {
      CHECK(std::get<gateway_bridge::CounterTime>(p.timing).counter_us == at->counter_us);
    }
    if (const auto* gps = std::get_if<gateway_bridge::GpsTime>(&original.timing)) {
      CHECK(std::get<gateway_bridge::GpsTime>(p.timing) == *gps);
    }
    CHECK(p.frequency_hz == original.frequency_hz);
    CHECK(p.power_dbm == original.power_dbm);
    CHECK(p.data_rate == original.data_rate);
    CHECK(p.coding_rate == original.coding_rate);
    CHECK(p.fsk_deviation_hz == original.fsk_deviation_hz);
    CHECK(p.invert_polarity == original.invert_polarity);
    CHECK(p.preamble_symbols == original.preamble_symbols);
    CHECK(p.disable_crc == original.disable_crc);
    CHECK(p.phy_payload == original.phy_payload);
  }
}

TEST_CASE("acknowledgements and bad server datagrams") {
  auto push_ack = gateway_bridge::semtech_udp::build_push_ack(0x1234);
  auto ack = sim::parse_server_datagram(push_ack);
  REQUIRE(ack);
  CHECK(ack->type == gateway_bridge::semtech_udp::PacketType::PushAck);
  CHECK(ack->token == 0x1234);
  auto pull_ack = sim::parse_server_datagram(gateway_bridge::semtech_udp::build_pull_ack(0x4321));
  REQUIRE(pull_ack);
  CHECK(pull_ack->type == gateway_bridge::semtech_udp::PacketType::PullAck);

  CHECK_FALSE(sim::parse_server_datagram(lorawan::Bytes{2, 0, 1}));
  CHECK_FALSE(sim::parse_server_datagram(lorawan::Bytes{1, 0, 1, 1}));         // version 1
  CHECK_FALSE(sim::parse_server_datagram(sim::build_pull_data(1, kGateway)));  // a gateway's packet
  const std::string missing_size =
      R"({"txpk":{"imme":true,"freq":869.1,"modu":"LORA","datr":"SF12BW125","codr":"4/5","data":"QAE="}})";
  lorawan::Bytes resp{2, 0, 1, 3};
  resp.insert(resp.end(), missing_size.begin(), missing_size.end());
  CHECK_FALSE(sim::parse_server_datagram(resp));
  const std::string two_timings =
      R"({"txpk":{"imme":true,"tmst":5,"freq":869.1,"modu":"LORA","datr":"SF12BW125","codr":"4/5","size":2,"data":"QAE="}})";
  lorawan::Bytes resp2{2, 0, 1, 3};
  resp2.insert(resp2.end(), two_timings.begin(), two_timings.end());
  CHECK_FALSE(sim::parse_server_datagram(resp2));
}
