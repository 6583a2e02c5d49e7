#include "netserver/radio_conversion.h"

#include <algorithm>
#include <variant>

namespace uchet::netserver {

namespace {

bool hears_better(const gateway_bridge::Reception& a, const gateway_bridge::Reception& b) {
  const double snr_a = a.snr_db.value_or(-100), snr_b = b.snr_db.value_or(-100);
  return snr_a > snr_b || (snr_a == snr_b && a.rssi_dbm > b.rssi_dbm);
}

}  // namespace

const gateway_bridge::Reception& best_reception(const std::vector<gateway_bridge::Reception>& receptions) {
  const gateway_bridge::Reception* best = &receptions.front();
  for (const auto& rx : receptions) {
    if (hears_better(rx, *best)) best = &rx;
  }
  return *best;
}

const gateway_bridge::Reception* runner_up(const std::vector<gateway_bridge::Reception>& receptions,
                                           const gateway_bridge::Reception& chosen) {
  const gateway_bridge::Reception* second = nullptr;
  for (const auto& rx : receptions) {
    if (rx.gateway_eui != chosen.gateway_eui && (!second || hears_better(rx, *second))) second = &rx;
  }
  return second;
}

std::vector<std::pair<lorawan::Eui64, gateway_bridge::CounterTime>> other_gateways(
    const std::vector<gateway_bridge::Reception>& receptions, const gateway_bridge::Reception& chosen) {
  std::vector<const gateway_bridge::Reception*> others;
  for (const auto& rx : receptions) {
    if (rx.gateway_eui != chosen.gateway_eui) others.push_back(&rx);
  }
  std::stable_sort(others.begin(), others.end(), [](const auto* a, const auto* b) { return hears_better(*a, *b); });
  std::vector<std::pair<lorawan::Eui64, gateway_bridge::CounterTime>> out;
  for (const auto* rx : others) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](const auto& o) { return o.first == rx->gateway_eui; });
    if (!seen) out.emplace_back(rx->gateway_eui, rx->counter);
  }
  return out;
}

lorawan::Result<gateway_bridge::Transmission> tx_packet(const lorawan::Region& region, std::uint32_t frequency_hz,
                                                        std::uint8_t dr, gateway_bridge::TxTiming timing,
                                                        lorawan::Bytes phy_payload) {
  auto rate = region.data_rate(dr);
  if (!rate) return std::unexpected(rate.error());
  gateway_bridge::Transmission packet;
  packet.timing = timing;
  packet.frequency_hz = frequency_hz;
  packet.power_dbm = static_cast<std::int8_t>(region.downlink_tx_power_eirp_dbm(frequency_hz));
  packet.data_rate = to_bridge_rate(*rate);
  if (rate->modulation == lorawan::Modulation::Fsk) {
    packet.coding_rate.reset();
    packet.fsk_deviation_hz = 25'000;
  }
  packet.phy_payload = std::move(phy_payload);
  return packet;
}

}  // namespace uchet::netserver
