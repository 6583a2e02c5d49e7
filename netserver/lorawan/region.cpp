#include "netserver/lorawan/region.h"

#include <algorithm>
#include <array>
#include <string>

namespace uchet::lorawan {

struct Region::Tables {
  std::string_view name;
  std::array<Channel, 3> channel_storage;
  std::size_t default_channel_count;
  std::size_t first_cf_list_channel;
  std::uint32_t band_min_hz;
  std::uint32_t band_max_hz;
  ReceiveWindow rx2;
  ReceiveWindow beacon;
  ReceiveWindow ping_slot;
  int max_eirp_dbm;
  // Sub-band with a higher downlink power allowance (EU868 869.4–869.65 MHz), if any.
  std::uint32_t high_power_min_hz;
  std::uint32_t high_power_max_hz;
  int high_power_eirp_dbm;
  std::span<const SubBand> sub_bands;
};

namespace {

constexpr std::size_t kMaxChannels = 16;
constexpr std::uint8_t kMaxAdrDataRate = 5;
constexpr std::uint8_t kMaxRx1DrOffset = 5;
constexpr int kDefaultDownlinkEirpDbm = 16;

// Identical in RU864 and EU868 for DR0–7.
constexpr std::array<DataRate, 8> kDataRates = {
    DataRate::lora(12, 125), DataRate::lora(11, 125), DataRate::lora(10, 125), DataRate::lora(9, 125),
    DataRate::lora(8, 125),  DataRate::lora(7, 125),  DataRate::lora(7, 250),  DataRate::fsk(50'000),
};
// M per DR (not the repeater-compatible variant); N = M − 8 (FHDR without FOpts + FPort).
constexpr std::array<std::size_t, 8> kMaxMacPayload = {59, 59, 59, 123, 250, 250, 250, 250};
constexpr std::size_t kFhdrAndFPortSize = 8;

// RU864: the Russian rules for non-specialised short-range devices (GKRCh decision 07-20-03-001,
// annex 12 as amended by 18-46-03-1, 2018) allow only these three ranges, at 0.1 %, 1 % and 10 %;
// RP002's RU864 says 1 % for the whole band. Each range takes the stricter of the two, so the
// default channels and RX2 (868.9, 869.1 MHz) keep 1 % and RX1 answers on extra channels at
// 864-865 MHz get the national 0.1 %. 865-866, 868-868.7 and 869.2-870 MHz are outside every
// range: nothing is transmitted there (docs/downlink-scheduling.md).
constexpr std::array<SubBand, 3> kRu864SubBands = {
    SubBand{"864.0-865.0", 864'000'000, 865'000'000, 0.001},
    SubBand{"866.0-868.0", 866'000'000, 868'000'000, 0.01},
    SubBand{"868.7-869.2", 868'700'000, 869'200'000, 0.01},
};
constexpr std::array<SubBand, 6> kEu868SubBands = {
    SubBand{"863.0-865.0", 863'000'000, 865'000'000, 0.001}, SubBand{"865.0-868.0", 865'000'000, 868'000'000, 0.01},
    SubBand{"868.0-868.6", 868'000'000, 868'600'000, 0.01},  SubBand{"868.7-869.2", 868'700'000, 869'200'000, 0.001},
    SubBand{"869.4-869.65", 869'400'000, 869'650'000, 0.10}, SubBand{"869.7-870.0", 869'700'000, 870'000'000, 0.01},
};

constexpr Region::Tables kRu864{
    .name = "RU864",
    .channel_storage = {Channel{868'900'000, 0, 5}, Channel{869'100'000, 0, 5}, Channel{}},
    .default_channel_count = 2,
    .first_cf_list_channel = 2,
    .band_min_hz = 864'000'000,
    .band_max_hz = 870'000'000,
    .rx2 = {869'100'000, 0},
    .beacon = {869'100'000, 3},
    .ping_slot = {868'900'000, 3},
    .max_eirp_dbm = 16,
    .high_power_min_hz = 0,
    .high_power_max_hz = 0,
    .high_power_eirp_dbm = kDefaultDownlinkEirpDbm,
    .sub_bands = kRu864SubBands,
};

constexpr Region::Tables kEu868{
    .name = "EU868",
    .channel_storage = {Channel{868'100'000, 0, 5}, Channel{868'300'000, 0, 5}, Channel{868'500'000, 0, 5}},
    .default_channel_count = 3,
    .first_cf_list_channel = 3,
    .band_min_hz = 863'000'000,
    .band_max_hz = 870'000'000,
    .rx2 = {869'525'000, 0},
    .beacon = {869'525'000, 3},
    .ping_slot = {869'525'000, 3},
    .max_eirp_dbm = 16,
    .high_power_min_hz = 869'400'000,
    .high_power_max_hz = 869'650'000,
    .high_power_eirp_dbm = 29,  // 27 dBm ERP + 2.15 dBi
    .sub_bands = kEu868SubBands,
};

Result<std::size_t> check_dr(std::uint8_t dr) {
  if (dr >= kDataRates.size()) return std::unexpected("unknown data rate DR" + std::to_string(dr));
  return dr;
}

}  // namespace

std::string_view Region::name() const { return tables_->name; }

std::span<const Channel> Region::default_channels() const {
  return std::span(tables_->channel_storage).first(tables_->default_channel_count);
}

std::size_t Region::max_channels() const { return kMaxChannels; }
std::size_t Region::first_cf_list_channel() const { return tables_->first_cf_list_channel; }

std::uint32_t Region::band_min_hz() const { return tables_->band_min_hz; }
std::uint32_t Region::band_max_hz() const { return tables_->band_max_hz; }

bool Region::frequency_in_band(std::uint32_t hz) const {
  return hz >= tables_->band_min_hz && hz <= tables_->band_max_hz;
}

Result<CfList> Region::build_cf_list(std::span<const std::uint32_t> frequencies_hz) const {
  for (auto hz : frequencies_hz) {
    if (!frequency_in_band(hz)) {
      return std::unexpected("frequency " + std::to_string(hz) + " Hz is outside the " + std::string(tables_->name) +
                             " band");
    }
  }
  return lorawan::build_cf_list(frequencies_hz);
}

Result<DataRate> Region::data_rate(std::uint8_t dr) const {
  auto i = check_dr(dr);
  if (!i) return std::unexpected(i.error());
  return kDataRates[*i];
}

Result<std::uint8_t> Region::data_rate_index(const DataRate& rate) const {
  auto it = std::find(kDataRates.begin(), kDataRates.end(), rate);
  if (it == kDataRates.end()) {
    return std::unexpected(to_datr(rate) + " is not a data rate of " + std::string(tables_->name));
  }
  return static_cast<std::uint8_t>(it - kDataRates.begin());
}

std::uint8_t Region::max_adr_data_rate() const { return kMaxAdrDataRate; }

Result<std::size_t> Region::max_mac_payload_size(std::uint8_t dr) const {
  auto i = check_dr(dr);
  if (!i) return std::unexpected(i.error());
  return kMaxMacPayload[*i];
}

Result<std::size_t> Region::max_frm_payload_size(std::uint8_t dr) const {
  auto m = max_mac_payload_size(dr);
  if (!m) return m;
  return *m - kFhdrAndFPortSize;
}

Result<std::uint8_t> Region::rx1_data_rate(std::uint8_t uplink_dr, std::uint8_t rx1_dr_offset) const {
  if (auto dr = check_dr(uplink_dr); !dr) return std::unexpected(dr.error());
  if (rx1_dr_offset > kMaxRx1DrOffset) {
    return std::unexpected("RX1DROffset " + std::to_string(rx1_dr_offset) + " is not in 0..5");
  }
  return static_cast<std::uint8_t>(std::max(int{uplink_dr} - int{rx1_dr_offset}, 0));
}

std::uint32_t Region::rx1_frequency(std::uint32_t uplink_frequency_hz) const { return uplink_frequency_hz; }
ReceiveWindow Region::rx2_default() const { return tables_->rx2; }
RxTiming Region::default_timing() const { return {}; }
ReceiveWindow Region::beacon_default() const { return tables_->beacon; }
ReceiveWindow Region::ping_slot_default() const { return tables_->ping_slot; }
std::span<const SubBand> Region::sub_bands() const { return tables_->sub_bands; }

const SubBand* Region::sub_band(std::uint32_t frequency_hz) const {
  for (const auto& band : tables_->sub_bands) {
    if (frequency_hz >= band.min_hz && frequency_hz < band.max_hz) return &band;
  }
  return nullptr;
}

int Region::max_eirp_dbm() const { return tables_->max_eirp_dbm; }

Result<int> Region::tx_power_eirp_dbm(std::uint8_t tx_power) const {
  if (tx_power == 15) return std::unexpected("TXPower 15 means keep the current power");
  if (tx_power > 7) return std::unexpected("TXPower " + std::to_string(tx_power) + " is RFU");
  return tables_->max_eirp_dbm - 2 * tx_power;
}

int Region::downlink_tx_power_eirp_dbm(std::uint32_t frequency_hz) const {
  if (frequency_hz >= tables_->high_power_min_hz && frequency_hz <= tables_->high_power_max_hz) {
    return tables_->high_power_eirp_dbm;
  }
  return kDefaultDownlinkEirpDbm;
}

std::string Region::sub_band_names() const {
  std::string names;
  for (const auto& band : sub_bands()) names += (names.empty() ? "" : ", ") + std::string(band.name);
  return names;
}

Result<std::vector<SubBand>> sub_bands_with_limits(const Region& region,
                                                   std::span<const std::pair<std::string, double>> limits) {
  std::vector<SubBand> bands(region.sub_bands().begin(), region.sub_bands().end());
  for (const auto& [name, share] : limits) {
    auto band = std::find_if(bands.begin(), bands.end(), [&](const auto& b) { return b.name == name; });
    if (band == bands.end())
      return std::unexpected("\"" + name + "\" is not a sub-band of " + std::string(region.name()) + " (" +
                             region.sub_band_names() + ")");
    if (!(share >= 0 && share <= 1)) return std::unexpected("the duty cycle of " + name + " must be 0..100 %");
    band->duty_cycle = share;
  }
  return bands;
}

Result<Region> region_by_name(std::string_view name) {
  if (name == kRu864.name) return Region(kRu864);
  if (name == kEu868.name) return Region(kEu868);
  return std::unexpected("unsupported region \"" + std::string(name) + "\" (supported: RU864, EU868)");
}

}  // namespace uchet::lorawan
