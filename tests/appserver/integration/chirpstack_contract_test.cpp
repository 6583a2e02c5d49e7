// The strict ChirpStack consumer the event tests rely on must itself be strict: it accepts what
// ChirpStack's definitions allow and rejects an unknown field, a wrong type or an unknown enum.
#include <catch2/catch.hpp>

#include "tests/support/chirpstack_contract.h"

using uchet::test::ChirpStackContract;

TEST_CASE("the strict ChirpStack parser accepts valid events and rejects what a strict consumer rejects") {
  const ChirpStackContract contract;
  const std::string up = R"({"deduplicationId":"5b0f1c1e-0000-4000-8000-000000000001","time":"2025-11-22T10:00:00.123Z",
    "deviceInfo":{"tenantId":"52f14cd4-c6f1-4fbd-8f87-4025e1d49242","tenantName":"uchet","applicationId":
    "0b5f7c3e-9a1d-4d3c-8f2e-111111111111","applicationName":"water","deviceName":"flat 12","devEui":"0011223344556677",
    "tags":{"codec":"karat-926lw"}},"devAddr":"26011bda","dr":5,"fCnt":7,"fPort":2,"data":"AQIDBA==",
    "rxInfo":[{"gatewayId":"aa555a0000000001","rssi":-57,"snr":9.5,"context":"AAHiQA==","crcStatus":"CRC_OK"}],
    "txInfo":{"frequency":868900000,"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":7,"codeRate":"CR_4_5"}}}})";
  CHECK(contract.rejection("integration.UplinkEvent", up) == std::nullopt);

  std::string unknown_field = up;
  unknown_field.replace(unknown_field.find("\"tags\""), 6, "\"codec\":\"x\",\"tags\"");
  const auto rejected = contract.rejection("integration.UplinkEvent", unknown_field);
  REQUIRE(rejected);
  CHECK(rejected->find("codec") != std::string::npos);

  CHECK(contract.rejection("integration.LogEvent",
                           R"({"time":"2025-11-22T10:00:00Z","level":"ERROR","code":"COMMAND"})"));
  CHECK_FALSE(contract.rejection("integration.LogEvent",
                                 R"({"time":"2025-11-22T10:00:00Z","level":"ERROR","code":"EXPIRED"})"));
  CHECK(contract.rejection("integration.AckEvent", R"({"acknowledged":true,"fCntDown":"many"})"));
  CHECK(contract.rejection("gw.GatewayStats", R"({"gatewayId":"aa555a0000000001","pushAckedPercent":100})"));
  CHECK_FALSE(contract.rejection("gw.GatewayStats",
                                 R"({"gatewayId":"aa555a0000000001","rxPacketsReceived":3,"metadata":{"x":"1"}})"));
  CHECK(contract.rejection("integration.NoSuchEvent", "{}"));
  CHECK(ChirpStackContract::message_for_event("up") == "integration.UplinkEvent");
  CHECK_FALSE(ChirpStackContract::message_for_event("alarm"));
}
