// Regional parameters RU864 and EU868, and data-rate text forms.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/region.h"

using namespace uchet::lorawan;
using namespace std::chrono_literals;

namespace {

Region region(std::string_view name) { return *region_by_name(name); }

}  // namespace

TEST_CASE("Regions are selected by their exact name") {
  CHECK(region_by_name("RU864")->name() == "RU864");
  CHECK(region_by_name("EU868")->name() == "EU868");
  auto unknown = region_by_name("US915");
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error(), Catch::Contains("RU864"));
  CHECK_FALSE(region_by_name("ru864"));
}

TEST_CASE("RU864 starts with two join channels at 868.9 and 869.1 MHz") {
  const auto ru = region("RU864");
  REQUIRE(ru.default_channels().size() == 2);
  CHECK(ru.default_channels()[0] == Channel{868'900'000, 0, 5});
  CHECK(ru.default_channels()[1] == Channel{869'100'000, 0, 5});
  CHECK(ru.max_channels() == 16);
  CHECK(ru.first_cf_list_channel() == 2);
}

TEST_CASE("EU868 starts with three join channels at 868.1, 868.3 and 868.5 MHz") {
  const auto eu = region("EU868");
  REQUIRE(eu.default_channels().size() == 3);
  CHECK(eu.default_channels()[0].frequency_hz == 868'100'000);
  CHECK(eu.default_channels()[1].frequency_hz == 868'300'000);
  CHECK(eu.default_channels()[2] == Channel{868'500'000, 0, 5});
  CHECK(eu.max_channels() == 16);
  CHECK(eu.first_cf_list_channel() == 3);
}

TEST_CASE("Both regions map DR0-7 to SF12..SF7 at 125 kHz, SF7 at 250 kHz and FSK") {
  for (auto name : {"RU864", "EU868"}) {
    const auto r = region(name);
    CHECK(to_datr(*r.data_rate(0)) == "SF12BW125");
    CHECK(to_datr(*r.data_rate(1)) == "SF11BW125");
    CHECK(to_datr(*r.data_rate(2)) == "SF10BW125");
    CHECK(to_datr(*r.data_rate(3)) == "SF9BW125");
    CHECK(to_datr(*r.data_rate(4)) == "SF8BW125");
    CHECK(to_datr(*r.data_rate(5)) == "SF7BW125");
    CHECK(to_datr(*r.data_rate(6)) == "SF7BW250");
    CHECK(*r.data_rate(7) == DataRate::fsk(50'000));
    CHECK_FALSE(r.data_rate(8));
    CHECK(*r.data_rate_index(DataRate::lora(7, 125)) == 5);
    CHECK(*r.data_rate_index(DataRate::lora(12, 125)) == 0);
    CHECK(*r.data_rate_index(DataRate::lora(7, 250)) == 6);
    CHECK(*r.data_rate_index(DataRate::fsk(50'000)) == 7);
    CHECK_FALSE(r.data_rate_index(DataRate::lora(7, 500)));
    CHECK(r.max_adr_data_rate() == 5);
  }
}

TEST_CASE("data rates print as the Semtech UDP datr text") {
  CHECK(to_datr(DataRate::lora(9, 125)) == "SF9BW125");
  CHECK(to_datr(DataRate::fsk(50'000)) == "50000");
}

TEST_CASE("Maximum payload sizes per data rate follow RP002") {
  const auto ru = region("RU864");
  const std::array<std::size_t, 8> m = {59, 59, 59, 123, 250, 250, 250, 250};
  const std::array<std::size_t, 8> n = {51, 51, 51, 115, 242, 242, 242, 242};
  for (std::uint8_t dr = 0; dr < 8; ++dr) {
    CHECK(*ru.max_mac_payload_size(dr) == m[dr]);
    CHECK(*ru.max_frm_payload_size(dr) == n[dr]);
    CHECK(*region("EU868").max_frm_payload_size(dr) == n[dr]);
  }
  CHECK_FALSE(ru.max_mac_payload_size(8));
  CHECK_FALSE(ru.max_frm_payload_size(15));
}

TEST_CASE("RX1 uses the uplink frequency and the uplink DR lowered by RX1DROffset") {
  const auto ru = region("RU864");
  CHECK(*ru.rx1_data_rate(5, 2) == 3);
  CHECK(*ru.rx1_data_rate(5, 0) == 5);
  CHECK(*ru.rx1_data_rate(1, 5) == 0);
  CHECK(*ru.rx1_data_rate(0, 0) == 0);
  CHECK_FALSE(ru.rx1_data_rate(5, 6));
  CHECK_FALSE(ru.rx1_data_rate(8, 0));
  CHECK(ru.rx1_frequency(868'900'000) == 868'900'000);
}

TEST_CASE("RX2 defaults to 869.1 MHz DR0 in RU864 and 869.525 MHz DR0 in EU868") {
  CHECK(region("RU864").rx2_default() == ReceiveWindow{869'100'000, 0});
  CHECK(region("EU868").rx2_default() == ReceiveWindow{869'525'000, 0});
  CHECK(region("RU864").beacon_default() == ReceiveWindow{869'100'000, 3});
  CHECK(region("RU864").ping_slot_default() == ReceiveWindow{868'900'000, 3});
  CHECK(region("EU868").ping_slot_default() == ReceiveWindow{869'525'000, 3});
}

TEST_CASE("Receive windows open 1 and 2 s after an uplink and 5 and 6 s after a join-request") {
  const auto timing = region("RU864").default_timing();
  CHECK(timing.receive_delay1 == 1s);
  CHECK(timing.receive_delay2 == 2s);
  CHECK(timing.join_accept_delay1 == 5s);
  CHECK(timing.join_accept_delay2 == 6s);
}

TEST_CASE("TXPower n means MaxEIRP minus 2n dB, up to n = 7") {
  const auto ru = region("RU864");
  CHECK(ru.max_eirp_dbm() == 16);
  for (std::uint8_t n = 0; n <= 7; ++n) CHECK(*ru.tx_power_eirp_dbm(n) == 16 - 2 * n);
  CHECK_FALSE(ru.tx_power_eirp_dbm(8));
  CHECK_FALSE(ru.tx_power_eirp_dbm(14));
  CHECK_THAT(ru.tx_power_eirp_dbm(15).error(), Catch::Contains("keep"));
}

TEST_CASE("Gateways transmit downlinks at 16 dBm EIRP, 29 dBm in EU868's 869.4-869.65 MHz sub-band") {
  CHECK(region("RU864").downlink_tx_power_eirp_dbm(869'100'000) == 16);
  CHECK(region("EU868").downlink_tx_power_eirp_dbm(868'100'000) == 16);
  CHECK(region("EU868").downlink_tx_power_eirp_dbm(869'525'000) == 29);
}

TEST_CASE("A CFList carries five 24-bit frequencies in 100 Hz steps and type 0") {
  const std::array<std::uint32_t, 5> freqs = {867'100'000, 867'300'000, 867'500'000, 867'700'000, 867'900'000};
  auto cf_list = region("EU868").build_cf_list(freqs);
  REQUIRE(cf_list);
  CHECK(to_hex(*cf_list) == "184f84e85684b85e84886684586e8400");
  auto parsed = parse_cf_list(*cf_list);
  REQUIRE(parsed);
  CHECK(*parsed == freqs);
  CHECK((*cf_list)[15] == 0);
}

TEST_CASE("A CFList with fewer frequencies leaves the remaining slots at zero") {
  const std::array<std::uint32_t, 2> freqs = {864'100'000, 864'300'000};
  auto cf_list = region("RU864").build_cf_list(freqs);
  REQUIRE(cf_list);
  CHECK(*parse_cf_list(*cf_list) == std::array<std::uint32_t, 5>{864'100'000, 864'300'000, 0, 0, 0});
}

TEST_CASE("CFList building refuses too many, out-of-band or unrepresentable frequencies") {
  const auto ru = region("RU864");
  CHECK_FALSE(ru.build_cf_list(
      std::array<std::uint32_t, 6>{864'100'000, 864'300'000, 864'500'000, 864'700'000, 864'900'000, 865'100'000}));
  CHECK_FALSE(ru.build_cf_list(std::array<std::uint32_t, 1>{863'500'000}));  // EU868 only
  CHECK(region("EU868").build_cf_list(std::array<std::uint32_t, 1>{863'500'000}));
  CHECK_FALSE(ru.build_cf_list(std::array<std::uint32_t, 1>{864'100'050}));
  CfList other_type{};
  other_type[15] = 1;
  CHECK_FALSE(parse_cf_list(other_type));
}

TEST_CASE("LoRa demodulation floors fall by 2.5 dB per spreading factor from SF7 to SF12") {
  CHECK(*required_snr_db(7) == -7.5);
  CHECK(*required_snr_db(8) == -10.0);
  CHECK(*required_snr_db(9) == -12.5);
  CHECK(*required_snr_db(10) == -15.0);
  CHECK(*required_snr_db(11) == -17.5);
  CHECK(*required_snr_db(12) == -20.0);
  CHECK_FALSE(required_snr_db(6));
  CHECK_FALSE(required_snr_db(13));
}
