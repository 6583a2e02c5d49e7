#pragma once
// Regional parameters (RP002) of the bands uchet serves: RU864 and EU868. A Region is a cheap
// handle to constant tables, chosen by name. Data rates cover DR0–7 (LoRa SF12..SF7 at 125 kHz,
// SF7 at 250 kHz, FSK 50 kbit/s); EU868's LR-FHSS rates are not supported. Frequencies in Hz.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netserver/lorawan/cf_list.h"
#include "netserver/lorawan/data_rate.h"
#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

struct Channel {
  std::uint32_t frequency_hz = 0;
  std::uint8_t min_dr = 0;
  std::uint8_t max_dr = 0;
  bool operator==(const Channel&) const = default;
};

struct ReceiveWindow {
  std::uint32_t frequency_hz = 0;
  std::uint8_t data_rate = 0;
  bool operator==(const ReceiveWindow&) const = default;
};

// A sub-band of the regulations: a frequency range whose transmissions share one duty-cycle
// limit, the share of any rolling hour a transmitter may be on air in it. Half-open range
// [min_hz, max_hz) so that adjacent sub-bands do not both claim their common edge.
struct SubBand {
  std::string_view name;  // its range in MHz, e.g. "869.4-869.65": what the configuration names
  std::uint32_t min_hz = 0;
  std::uint32_t max_hz = 0;
  double duty_cycle = 0;  // 0.01 = 1 %
};

// Delays from the end of the uplink to the opening of each receive window.
struct RxTiming {
  std::chrono::seconds receive_delay1{1};
  std::chrono::seconds receive_delay2{2};
  std::chrono::seconds join_accept_delay1{5};
  std::chrono::seconds join_accept_delay2{6};
};

class Region {
 public:
  struct Tables;  // defined in region.cpp
  explicit Region(const Tables& tables) : tables_(&tables) {}

  std::string_view name() const;

  // Join channels every device starts with; NewChannelReq and CFList cannot change them.
  std::span<const Channel> default_channels() const;
  std::size_t max_channels() const;
  // Channel index the five CFList frequencies are assigned from.
  std::size_t first_cf_list_channel() const;
  bool frequency_in_band(std::uint32_t frequency_hz) const;
  // The region's band [min, max] in Hz (RU864 864-870 MHz, EU868 863-870 MHz): where its channels
  // may lie, wider than the union of its duty-cycle sub-bands.
  std::uint32_t band_min_hz() const;
  std::uint32_t band_max_hz() const;
  // Type-0 CFList; every frequency must lie in the band.
  Result<CfList> build_cf_list(std::span<const std::uint32_t> frequencies_hz) const;

  Result<DataRate> data_rate(std::uint8_t dr) const;
  // Inverse of data_rate(), e.g. for the datr of a received uplink.
  Result<std::uint8_t> data_rate_index(const DataRate& rate) const;
  std::uint8_t max_adr_data_rate() const;

  // M: largest MACPayload (FHDR + FPort + FRMPayload); N: largest FRMPayload with no FOpts.
  Result<std::size_t> max_mac_payload_size(std::uint8_t dr) const;
  Result<std::size_t> max_frm_payload_size(std::uint8_t dr) const;

  Result<std::uint8_t> rx1_data_rate(std::uint8_t uplink_dr, std::uint8_t rx1_dr_offset) const;
  std::uint32_t rx1_frequency(std::uint32_t uplink_frequency_hz) const;
  ReceiveWindow rx2_default() const;
  RxTiming default_timing() const;
  ReceiveWindow beacon_default() const;     // Class B
  ReceiveWindow ping_slot_default() const;  // Class B

  // The duty-cycle sub-bands a gateway's downlinks are accounted in (netserver/scheduling/).
  // RU864: the ranges the Russian GKRCh rules open to such devices, each at the stricter of
  // their limit and RP002's 1 %: 864–865 MHz 0.1 %, 866–868 MHz 1 %, 868.7–869.2 MHz 1 % (the
  // rules allow 10 % there, which the configuration may choose); nothing elsewhere.
  // EU868: ETSI EN 300 220 / ERC 70-03 as LoRaMac-node's bands: 863–865 0.1 %, 865–868 1 %,
  // 868.0–868.6 1 %, 868.7–869.2 0.1 %, 869.4–869.65 10 %, 869.7–870 1 %.
  std::span<const SubBand> sub_bands() const;
  // The sub-band holding the frequency; nullptr when none does (no transmission allowed there).
  const SubBand* sub_band(std::uint32_t frequency_hz) const;
  // The sub-bands' names joined for an error message: "864.0-865.0, 866.0-868.0, 868.7-869.2".
  std::string sub_band_names() const;

  int max_eirp_dbm() const;
  // TXPower index of LinkADRReq: 0..7 -> MaxEIRP − 2·n dBm. 8..14 are RFU and 15 means
  // "keep current", neither of which is a power.
  Result<int> tx_power_eirp_dbm(std::uint8_t tx_power) const;
  // EIRP the gateway should transmit a downlink with on this frequency.
  int downlink_tx_power_eirp_dbm(std::uint32_t frequency_hz) const;

 private:
  const Tables* tables_;
};

// The region's sub-bands with `limits` (name, share of the hour 0..1) replacing their duty
// cycle ([network] duty_cycle_pct); an error names an unknown sub-band (listing the region's) or
// an impossible share.
Result<std::vector<SubBand>> sub_bands_with_limits(const Region& region,
                                                   std::span<const std::pair<std::string, double>> limits);

// "RU864" or "EU868" (exact spelling); anything else is an error naming the supported ones.
Result<Region> region_by_name(std::string_view name);

}  // namespace uchet::lorawan
