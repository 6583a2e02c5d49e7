// Datagrams shaped as gateways outside Semtech's reference forwarder send them: a multi-antenna
// Kerlink iBTS (protocol v2 "rsig", no top-level rssi/lsnr), a stat with the board
// temperature, and a TX_ACK warning from an SX1302-era forwarder.
#include <catch2/catch.hpp>

#include <variant>

#include "gateway-bridge/semtech_udp/datagram.h"
#include "gateway-bridge/semtech_udp/tx_ack.h"
#include "tests/gateway-bridge/bridge_test_support.h"

using namespace uchet;
using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::semtech_udp;
using namespace uchet::gateway_bridge::test;

namespace {

PushData parse_push(const std::string& json) {
  auto parsed = parse_datagram(push_data(0x0102, json));
  REQUIRE(parsed);
  return std::get<PushData>(std::move(*parsed));
}

// As a Kerlink iBTS sends it: the signal per antenna in "rsig", nothing at the top level.
const std::string kIbtsRxpk =
    R"({"tmst":1521210233,"time":"2026-11-20T10:00:00.123456Z","tmms":1447423218123,)"
    R"("freq":868.9,"rfch":0,"stat":1,"modu":"LORA","datr":"SF9BW125","codr":"4/5",)"
    R"("size":4,"data":"QAQDAgE=","rsig":[)"
    R"({"ant":0,"chan":3,"rssic":-109,"rssis":-112,"lsnr":-4.5,"etime":"XzQv6d2Z","foff":-44},)"
    R"({"ant":1,"chan":3,"rssic":-101,"rssis":-103,"lsnr":2.25,"etime":"PzUv6d2Z","foff":-41}]})";

}  // namespace

TEST_CASE("a multi-antenna rxpk (rsig, no top-level rssi or lsnr) is one reception with the best antenna's signal") {
  std::string rxpk = kIbtsRxpk;
  rxpk.replace(rxpk.find(R"("QAQDAgE=")"), 10, R"("AQIDBA==")");
  auto push = parse_push(R"({"rxpk":[)" + rxpk + "]}");
  INFO((push.rejected.empty() ? std::string() : push.rejected[0].reason));
  REQUIRE(push.rx_packets.size() == 1);
  const auto& p = push.rx_packets[0];
  CHECK(p.rssi_dbm == -101);  // antenna 1: the higher SNR
  REQUIRE(p.lsnr_db);
  CHECK(*p.lsnr_db == Approx(2.25));
  CHECK(p.chan == 3);
  REQUIRE(p.antennas.size() == 2);
  CHECK(p.best_antenna == 1);

  auto reception = to_reception(kGatewayEui, RxPacket(p), 1521210233, {});
  CHECK(reception.rssi_dbm == -101);
  CHECK(reception.antenna == 1);
  REQUIRE(reception.metadata.size() == 2);
  CHECK(reception.metadata[0] == std::pair<std::string, std::string>{"antenna_0", "rssi=-109 snr=-4.5 channel=3"});
  CHECK(reception.metadata[1] == std::pair<std::string, std::string>{"antenna_1", "rssi=-101 snr=2.25 channel=3"});
}

TEST_CASE("top-level values win over rsig, and a broken rsig refuses the rxpk with a reason") {
  std::string with_top = kIbtsRxpk;
  with_top.insert(1, R"("rssi":-90,"lsnr":9.5,"chan":5,)");
  with_top.replace(with_top.find(R"("QAQDAgE=")"), 10, R"("AQIDBA==")");
  auto push = parse_push(R"({"rxpk":[)" + with_top + "]}");
  REQUIRE(push.rx_packets.size() == 1);
  CHECK(push.rx_packets[0].rssi_dbm == -90);
  CHECK(*push.rx_packets[0].lsnr_db == Approx(9.5));
  CHECK(push.rx_packets[0].chan == 5);

  const std::vector<std::pair<std::string, std::string>> broken = {
      {R"("rsig":[])", "rsig is empty"},
      {R"("rsig":{})", "rsig is not an array"},
      {R"("rsig":[{"ant":0,"chan":3,"lsnr":1}])", "missing rsig.rssic"},
      {R"("rsig":[{"ant":0,"chan":3,"rssic":-300,"lsnr":1}])", "rsig.rssic -300 dBm is outside"},
      {R"("rsig":[{"ant":0,"chan":3,"rssic":-100}])", "missing rsig.lsnr"},
      {R"("rsig":[{"ant":300,"chan":3,"rssic":-100,"lsnr":1}])", "ant must be an integer 0..255"},
      {R"("rsig":[1])", "rsig element is not an object"},
  };
  for (const auto& [rsig, why] : broken) {
    std::string rxpk = kIbtsRxpk;
    rxpk.replace(rxpk.find(R"("rsig":[)"), std::string::npos, rsig + "}");
    auto bad = parse_push(R"({"rxpk":[)" + rxpk + "]}");
    INFO(rsig);
    REQUIRE(bad.rejected.size() == 1);
    CHECK_THAT(bad.rejected[0].reason, Catch::Contains(why));
  }
  std::string many = R"("rsig":[)";
  for (int i = 0; i < 17; ++i) many += std::string(i ? "," : "") + R"({"ant":0,"chan":3,"rssic":-100,"lsnr":1})";
  std::string rxpk = kIbtsRxpk;
  rxpk.replace(rxpk.find(R"("rsig":[)"), std::string::npos, many + "]}");
  auto bad = parse_push(R"({"rxpk":[)" + rxpk + "]}");
  REQUIRE(bad.rejected.size() == 1);
  CHECK_THAT(bad.rejected[0].reason, Catch::Contains("more than 16 antennas"));
}

TEST_CASE("a stat's board temperature is kept, an absurd one refused") {
  auto push = parse_push(R"({"stat":{"time":"2026-01-12 08:59:28 GMT","rxnb":5,"temp":41.5}})");
  REQUIRE(push.stats);
  REQUIRE(push.stats->temperature_c);
  CHECK(*push.stats->temperature_c == Approx(41.5));
  CHECK_FALSE(parse_push(R"({"stat":{"rxnb":5}})").stats->temperature_c);
  CHECK_THAT(*parse_push(R"({"stat":{"temp":1000}})").stats_error, Catch::Contains("temp"));
}

TEST_CASE("a TX_ACK warning reaches the outcome, which is still a success") {
  auto parsed = parse_datagram(gateway_datagram(0x05, 0x7777, R"({"txpk_ack":{"warn":"TX_POWER","value":14}})"));
  REQUIRE(parsed);
  auto outcome = to_outcome(std::get<TxAck>(*parsed));
  CHECK(outcome.ok());
  CHECK(outcome.warning == "TX_POWER 14");
  auto plain = parse_datagram(gateway_datagram(0x05, 0x7778, ""));
  REQUIRE(plain);
  CHECK(to_outcome(std::get<TxAck>(*plain)).warning.empty());
}
