// LoRa time on air against the fact-sheet table (§7).
#include <catch2/catch.hpp>

#include "netserver/lorawan/airtime.h"

using namespace uchet::lorawan;
using namespace std::chrono_literals;

namespace {

double uplink_ms(std::uint8_t sf, std::size_t phy_payload_size, std::uint32_t bw_khz = 125) {
  const auto toa = time_on_air(DataRate::lora(sf, bw_khz), phy_payload_size, true);
  return static_cast<double>(toa.count()) / 1000.0;
}

}  // namespace

TEST_CASE("Uplink time on air matches the table for 20-byte PHYPayloads") {
  CHECK(uplink_ms(7, 20) == Approx(56.6).margin(0.05));
  CHECK(uplink_ms(8, 20) == Approx(102.9).margin(0.05));
  CHECK(uplink_ms(9, 20) == Approx(185.3).margin(0.05));
  CHECK(uplink_ms(10, 20) == Approx(370.7).margin(0.05));
  CHECK(uplink_ms(11, 20) == Approx(741.4).margin(0.05));
  CHECK(uplink_ms(12, 20) == Approx(1318.9).margin(0.05));
}

TEST_CASE("Uplink time on air matches the table for 33-byte PHYPayloads") {
  CHECK(uplink_ms(7, 33) == Approx(71.9).margin(0.05));
  CHECK(uplink_ms(8, 33) == Approx(133.6).margin(0.05));
  CHECK(uplink_ms(9, 33) == Approx(246.8).margin(0.05));
  CHECK(uplink_ms(10, 33) == Approx(452.6).margin(0.05));
  CHECK(uplink_ms(11, 33) == Approx(987.1).margin(0.05));
  CHECK(uplink_ms(12, 33) == Approx(1810.4).margin(0.05));
  CHECK(uplink_ms(7, 33, 250) == Approx(36.0).margin(0.05));
  CHECK(uplink_ms(7, 23) == Approx(61.7).margin(0.05));  // 10-byte application payload
}

TEST_CASE("Time on air is exact in microseconds for 125 kHz") {
  CHECK(time_on_air(DataRate::lora(7, 125), 20, true) == 56'576us);  // (12.25 + 43) · 1.024 ms
  CHECK(time_on_air(DataRate::lora(12, 125), 20, true) == 1'318'912us);
}

TEST_CASE("Downlinks without CRC are shorter or equal on air") {
  CHECK(time_on_air(DataRate::lora(7, 125), 33, false) <= time_on_air(DataRate::lora(7, 125), 33, true));
  CHECK(time_on_air(DataRate::lora(12, 125), 13, false) < time_on_air(DataRate::lora(12, 125), 13, true) + 1us);
}

TEST_CASE("The low-data-rate optimisation applies from 16 ms symbols") {
  // SF12/250 kHz has 16.384 ms symbols: LDRO on, so fewer bits per symbol than SF11/125 kHz gets.
  const LoRaTxParams sf12_250{.spreading_factor = 12, .bandwidth_khz = 250};
  const LoRaTxParams sf11_125{.spreading_factor = 11, .bandwidth_khz = 125};
  CHECK(lora_time_on_air(sf12_250, 33) == lora_time_on_air(LoRaTxParams{.spreading_factor = 12}, 33) / 2);
  CHECK(lora_time_on_air(sf11_125, 33) == 987'136us);
}

TEST_CASE("FSK time on air counts preamble, sync word, length, payload and CRC bytes at 50 kbit/s") {
  CHECK(time_on_air(DataRate::fsk(50'000), 20, true) == 4'960us);
}
