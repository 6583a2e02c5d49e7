#pragma once
// Regional parameters (RP002) of the bands uchet serves: RU864 and EU868. A Region is a cheap
// handle to constant tables, chosen by name. Data rates cover DR0–7 (LoRa SF12..SF7 at 125 kHz,
// SF7 at 250 kHz, FSK 50 kbit/s); EU868's LR-FHSS rates are not supported. Frequencies in Hz.
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

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

  int max_eirp_dbm() const;
  // TXPower index of LinkADRReq: 0..7 -> MaxEIRP − 2·n dBm. 8..14 are RFU and 15 means
  // "keep current", neither of which is a power.
  Result<int> tx_power_eirp_dbm(std::uint8_t tx_power) const;
  // EIRP the gateway should transmit a downlink with on this frequency.
  int downlink_tx_power_eirp_dbm(std::uint32_t frequency_hz) const;

 private:
  const Tables* tables_;
};

// "RU864" or "EU868" (exact spelling); anything else is an error naming the supported ones.
Result<Region> region_by_name(std::string_view name);

}  // namespace uchet::lorawan
