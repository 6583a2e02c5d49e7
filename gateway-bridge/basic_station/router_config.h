#pragma once
// The router_config message: the server's answer to a station's "version", telling it the
// region, data rates, channels, radio set-up and filters. Pure; called by the Basics Station
// backend (station_backend.h) on its thread; thread-safe.
//
// A 2.0.6 station rejects (and closes the socket on) a router_config without "hwspec" and
// "sx1301_conf"; the radio set-up is computed here from the region's default channels plus the
// configured extra channels: two SX1257 radios, each serving channels within ±~0.4 MHz of its
// centre, eight multi-SF 125 kHz channels at most. A plan that does not fit is an error.
//
// Region names. Station 2.0.6 knows EU868 (EU863), IL915, KR920, AS923-1 (AS923JP), US915
// (US902) and AU915; any other name leaves it without a region and it drops every dnmsg
// ("Received 'dnmsg' before 'router_config'"). RU864 is therefore sent as "US915": that name
// switches on no duty-cycle model and no listen-before-talk in the station, and max_eirp lowers
// its 26 dBm default to the region's 16 dBm; data rates and channels come from DRs/upchannels,
// the band from freq_range. Duty-cycle accounting stays in the network server
// (netserver/scheduling/). EU868 is sent as "EU868": the station then applies its own EU
// duty-cycle bands on top of the network server's. docs/basic-station.md gives the evidence.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway-bridge/backend.h"
#include "netserver/lorawan/region.h"
#include "netserver/lorawan/types.h"

namespace uchet::gateway_bridge::basic_station {

// The "region" value sent to a station for a uchet region: "EU868" or "US915" (RU864, see above).
lorawan::Result<std::string_view> station_region_name(const lorawan::Region& region);

// The radio plan of an SX1301 ("sx1301/1"): two radios at centre frequencies, and each
// channel's radio and IF offset from that radio's centre.
struct Sx1301Channel {
  std::uint32_t frequency_hz = 0;
  std::uint8_t radio = 0;  // 0 or 1
  std::int32_t if_hz = 0;  // frequency − the radio's centre
};
struct Sx1301Plan {
  std::uint32_t radio_centre_hz[2] = {0, 0};
  bool radio_enabled[2] = {false, false};
  std::vector<Sx1301Channel> multi_sf;  // 1..8, ascending frequency: chan_multiSF_0..
};

// Largest |IF| of a channel from its radio's centre: SX130X_RFE_MAXCOFF_125 of station 2.0.6
// (ral.c), the ±400 kHz of Semtech's reference configurations.
inline constexpr std::int32_t kMaxIfOffsetHz = 400'000;
inline constexpr std::size_t kMaxMultiSfChannels = 8;

// The plan for these 125 kHz channel frequencies (duplicates collapse), made as station 2.0.6's
// own allocator makes it from "upchannels" (ral.c ral_challoc, which overrides the radio and IF
// values of sx1301_conf; other stations use them as sent): ascending frequencies fill radio 0
// while they stay within 2 × kMaxIfOffsetHz of its lowest, then radio 1; each radio's centre is
// the middle of its channels. An error names the channels that do not fit.
lorawan::Result<Sx1301Plan> plan_sx1301(std::span<const std::uint32_t> channels_hz);

struct RouterConfigOptions {
  std::vector<std::uint32_t> extra_channels_hz;  // beyond the region's default channels
  // Data frames the station forwards: those whose DevAddr belongs to one of these NetIDs; empty =
  // all. Station 2.0.6 compares a DevAddr's top 7 bits with each NetID's low 7 bits, which is
  // right for type-0 NetIDs (0x000000-0x00003F) only: any other NetID is an error.
  std::vector<lorawan::NetId> net_ids;
  std::vector<std::pair<lorawan::Eui64, lorawan::Eui64>> join_eui_ranges;  // inclusive; empty = all
  // Sent when set. Otherwise RU864 sends the region's max EIRP (16 dBm: it lowers US915's
  // 26 dBm), EU868 sends nothing (the station's EU868 powers: 16 dBm, 27 dBm in 869.4-869.65).
  std::optional<int> max_eirp_dbm;
  UtcTime now{};  // MuxTime
};

// `{"msgtype":"router_config","region":...,"hwspec":"sx1301/1","freq_range":[min,max],
//   "DRs":[[sf,bw_khz,dnonly]x16],"upchannels":[[Hz,minDR,maxDR]...],"sx1301_conf":[{...}],
//   "NetID":[...]|null,"JoinEui":[[lo,hi]...]|null,"max_eirp":dBm,"MuxTime":s}`. sx1301_conf
// carries lorawan_public, the two radios (type SX1257, radio 0 transmits) and the multi-SF
// channels; board details (clksrc, antenna gain, TX gain table) stay in the station's own
// station.conf, which the station reads first. An extra channel outside the region's band, or a
// plan that does not fit (plan_sx1301), is an error.
// DRs lists the region's DR0..7 ([12,125,0] ... FSK as [0,0,0]); DR8..15 as [-1,0,0] (undefined).
lorawan::Result<std::string> build_router_config(const lorawan::Region& region, const RouterConfigOptions& options);

}  // namespace uchet::gateway_bridge::basic_station
