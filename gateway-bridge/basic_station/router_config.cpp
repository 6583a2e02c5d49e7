#include "gateway-bridge/basic_station/router_config.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "common/json_fields.h"  // UCHET_TRY
#include "common/json_writer.h"

namespace uchet::gateway_bridge::basic_station {
namespace {

constexpr std::size_t kStationDrCount = 16;  // DR_CNT of station 2.0.6
constexpr lorawan::NetId kMaxType0NetId = 0x3F;

std::string mhz(std::uint32_t hz) { return fmt::format("{:.3f} MHz", hz / 1e6); }

// [sf, bw_khz, dnonly] as s2e.c reads DRs: FSK is sf 0, an undefined DR sf -1.
void write_data_rates(common::JsonWriter& out, const lorawan::Region& region) {
  out.key("DRs").begin_array();
  for (std::size_t dr = 0; dr < kStationDrCount; ++dr) {
    out.begin_array();
    const auto rate = region.data_rate(static_cast<std::uint8_t>(dr));
    if (!rate) {
      out.number(-1).number(0).number(0);
    } else if (rate->modulation == lorawan::Modulation::Fsk) {
      out.number(0).number(0).number(0);
    } else {
      out.number(rate->spreading_factor).number(rate->bandwidth_khz).number(0);
    }
    out.end_array();
  }
  out.end_array();
}

void write_sx1301_conf(common::JsonWriter& out, const Sx1301Plan& plan) {
  // Only what the channel plan decides. The radio type, RSSI calibration, TX enable and gain
  // table are the board's, in its station.conf, which the station reads first: sending SX1257
  // would break an SX1302/SX1250 board, a generic rssi_offset would spoil a calibrated one.
  out.key("sx1301_conf").begin_array().begin_object();
  for (int radio = 0; radio < 2; ++radio) {
    out.key(fmt::format("radio_{}", radio)).begin_object();
    out.key("enable").boolean(plan.radio_enabled[radio]);
    if (plan.radio_enabled[radio]) out.key("freq").number(plan.radio_centre_hz[radio]);
    out.end_object();
  }
  for (std::size_t i = 0; i < kMaxMultiSfChannels; ++i) {
    out.key(fmt::format("chan_multiSF_{}", i)).begin_object();
    if (i < plan.multi_sf.size()) {
      out.key("enable").boolean(true);
      out.key("radio").number(plan.multi_sf[i].radio);
      out.key("if").number(plan.multi_sf[i].if_hz);
    } else {
      out.key("enable").boolean(false);
    }
    out.end_object();
  }
  // The SF7/250 kHz and FSK (DR6, DR7) demodulators: uchet's channels stop at DR5.
  out.key("chan_Lora_std").begin_object().key("enable").boolean(false).end_object();
  out.key("chan_FSK").begin_object().key("enable").boolean(false).end_object();
  out.end_object().end_array();
}

}  // namespace

lorawan::Result<std::string_view> station_region_name(const lorawan::Region& region) {
  if (region.name() == "EU868") return std::string_view("EU868");
  // Station 2.0.6 does not know RU864; see the header and docs/basic-station.md.
  if (region.name() == "RU864") return std::string_view("US915");
  return std::unexpected("no Basics Station region name for " + std::string(region.name()));
}

lorawan::Result<Sx1301Plan> plan_sx1301(std::span<const std::uint32_t> channels_hz) {
  std::vector<std::uint32_t> sorted(channels_hz.begin(), channels_hz.end());
  std::ranges::sort(sorted);
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (sorted.empty()) return std::unexpected("no uplink channels");
  if (sorted.size() > kMaxMultiSfChannels) {
    return std::unexpected(fmt::format("{} uplink channels, but an SX1301 demodulates at most {} multi-SF channels",
                                       sorted.size(), kMaxMultiSfChannels));
  }
  Sx1301Plan plan;
  std::uint32_t lowest[2] = {0, 0}, highest[2] = {0, 0};
  std::vector<std::uint8_t> radio_of;
  for (const auto hz : sorted) {
    int radio = 0;
    while (radio < 2 && plan.radio_enabled[radio] &&
           static_cast<std::uint64_t>(hz - lowest[radio]) > 2ull * kMaxIfOffsetHz) {
      ++radio;
    }
    if (radio == 2) {
      return std::unexpected(fmt::format(
          "uplink channels {} to {} do not fit two radios of ±{} kHz: {} is more than {} kHz above radio 1's "
          "lowest channel {}",
          mhz(sorted.front()), mhz(sorted.back()), kMaxIfOffsetHz / 1000, mhz(hz), 2 * kMaxIfOffsetHz / 1000,
          mhz(lowest[1])));
    }
    if (!plan.radio_enabled[radio]) lowest[radio] = hz;
    plan.radio_enabled[radio] = true;
    highest[radio] = hz;
    radio_of.push_back(static_cast<std::uint8_t>(radio));
  }
  for (int radio = 0; radio < 2; ++radio) {
    if (plan.radio_enabled[radio]) {
      plan.radio_centre_hz[radio] = static_cast<std::uint32_t>((std::uint64_t{lowest[radio]} + highest[radio]) / 2);
    }
  }
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const auto radio = radio_of[i];
    plan.multi_sf.push_back({sorted[i], radio,
                             static_cast<std::int32_t>(static_cast<std::int64_t>(sorted[i]) -
                                                       static_cast<std::int64_t>(plan.radio_centre_hz[radio]))});
  }
  return plan;
}

lorawan::Result<std::string> build_router_config(const lorawan::Region& region, const RouterConfigOptions& options) {
  std::string_view name;
  UCHET_TRY(name, station_region_name(region));
  for (const auto id : options.net_ids) {
    if (id > kMaxType0NetId) {
      return std::unexpected(fmt::format(
          "NetID {:06x} is not of type 0: a Basics Station filters type-0 NetIDs (000000-00003f) only", id));
    }
  }
  for (const auto& [low, high] : options.join_eui_ranges) {
    if (low > high) return std::unexpected(fmt::format("JoinEUI range {:016x}-{:016x} is empty", low, high));
  }

  // The region's channels with their data rates, then the extra ones (0 = an empty CFList slot).
  std::vector<lorawan::Channel> channels(region.default_channels().begin(), region.default_channels().end());
  for (const auto hz : options.extra_channels_hz) {
    if (hz == 0) continue;
    if (!region.frequency_in_band(hz)) {
      return std::unexpected(
          fmt::format("extra channel {} is outside the {} band", mhz(hz), std::string(region.name())));
    }
    if (std::ranges::any_of(channels, [hz](const auto& c) { return c.frequency_hz == hz; })) continue;
    channels.push_back({hz, 0, region.max_adr_data_rate()});
  }
  std::vector<std::uint32_t> frequencies;
  for (const auto& c : channels) frequencies.push_back(c.frequency_hz);
  Sx1301Plan plan;
  UCHET_TRY(plan, plan_sx1301(frequencies));

  // The region's band (RU864 864-870, EU868 863-870 MHz); which parts of it may carry a downlink
  // is the network server's duty-cycle table, not the station's.
  const std::uint32_t band_min = region.band_min_hz(), band_max = region.band_max_hz();

  common::JsonWriter out;
  out.begin_object();
  out.key("msgtype").string("router_config");
  out.key("region").string(name);
  out.key("hwspec").string("sx1301/1");
  out.key("freq_range").begin_array().number(band_min).number(band_max).end_array();
  write_data_rates(out, region);
  out.key("upchannels").begin_array();
  for (const auto& c : channels) {
    out.begin_array().number(c.frequency_hz).number(c.min_dr).number(c.max_dr).end_array();
  }
  out.end_array();
  write_sx1301_conf(out, plan);
  out.key("NetID");
  if (options.net_ids.empty()) {
    out.null();
  } else {
    out.begin_array();
    for (const auto id : options.net_ids) out.number(id);
    out.end_array();
  }
  out.key("JoinEui");
  if (options.join_eui_ranges.empty()) {
    out.null();
  } else {
    out.begin_array();
    for (const auto& [low, high] : options.join_eui_ranges) out.begin_array().number(low).number(high).end_array();
    out.end_array();
  }
  if (options.max_eirp_dbm) {
    out.key("max_eirp").number(*options.max_eirp_dbm);
  } else if (region.name() == "RU864") {
    out.key("max_eirp").number(region.max_eirp_dbm());
  }
  out.key("MuxTime").number(std::chrono::duration<double>(options.now.time_since_epoch()).count());
  out.end_object();
  return out.str();
}

}  // namespace uchet::gateway_bridge::basic_station
