#pragma once
// MAC commands of LoRaWAN 1.0.4 and 1.1 (CIDs 0x01–0x20), as carried in FOpts or in an FPort-0
// FRMPayload. The same CID means a different command, with a different length, in each
// direction, hence two variants. Lengths are implicit in the CID, so decoding stops at the first
// unknown CID (proprietary 0x80–0xFF included) or truncated command: what was decoded before it
// is kept and the rest is reported as unparsed, never as an error. Encoding masks every field to
// its on-air width; frequencies are in Hz and go on air in 100 Hz steps (24 bits).
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "netserver/lorawan/types.h"

namespace uchet::lorawan {

// ---- 0x01 (1.1) --------------------------------------------------------------------------
struct ResetInd {  // up
  static constexpr std::uint8_t kCid = 0x01;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "ResetInd";
  std::uint8_t minor = 1;  // LoRaWAN 1.minor the device implements
  bool operator==(const ResetInd&) const = default;
};
struct ResetConf {  // down
  static constexpr std::uint8_t kCid = 0x01;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "ResetConf";
  std::uint8_t minor = 1;
  bool operator==(const ResetConf&) const = default;
};

// ---- 0x02 ------------------------------------------------------------------------------------
struct LinkCheckReq {  // up
  static constexpr std::uint8_t kCid = 0x02;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "LinkCheckReq";
  bool operator==(const LinkCheckReq&) const = default;
};
struct LinkCheckAns {  // down
  static constexpr std::uint8_t kCid = 0x02;
  static constexpr std::size_t kPayloadSize = 2;
  static constexpr std::string_view kName = "LinkCheckAns";
  std::uint8_t margin = 0;  // dB above the demodulation floor, 0–254
  std::uint8_t gw_cnt = 0;
  bool operator==(const LinkCheckAns&) const = default;
};

// ---- 0x03 ------------------------------------------------------------------------------------
struct LinkADRReq {  // down
  static constexpr std::uint8_t kCid = 0x03;
  static constexpr std::size_t kPayloadSize = 4;
  static constexpr std::string_view kName = "LinkADRReq";
  std::uint8_t data_rate = 0;  // 4 bits; 0xF = keep current
  std::uint8_t tx_power = 0;   // 4 bits; 0xF = keep current
  std::uint16_t ch_mask = 0;
  std::uint8_t ch_mask_cntl = 0;  // 3 bits
  std::uint8_t nb_trans = 0;      // 4 bits
  bool operator==(const LinkADRReq&) const = default;
};
struct LinkADRAns {  // up
  static constexpr std::uint8_t kCid = 0x03;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "LinkADRAns";
  bool power_ack = false;
  bool data_rate_ack = false;
  bool channel_mask_ack = false;
  bool operator==(const LinkADRAns&) const = default;
};

// ---- 0x04 ------------------------------------------------------------------------------------
struct DutyCycleReq {  // down
  static constexpr std::uint8_t kCid = 0x04;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "DutyCycleReq";
  std::uint8_t max_duty_cycle = 0;  // 4 bits: aggregate duty cycle 1/2^n, 0 = no limit
  bool operator==(const DutyCycleReq&) const = default;
};
struct DutyCycleAns {  // up
  static constexpr std::uint8_t kCid = 0x04;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "DutyCycleAns";
  bool operator==(const DutyCycleAns&) const = default;
};

// ---- 0x05 ------------------------------------------------------------------------------------
struct RXParamSetupReq {  // down
  static constexpr std::uint8_t kCid = 0x05;
  static constexpr std::size_t kPayloadSize = 4;
  static constexpr std::string_view kName = "RXParamSetupReq";
  std::uint8_t rx1_dr_offset = 0;  // 3 bits
  std::uint8_t rx2_data_rate = 0;  // 4 bits
  std::uint32_t frequency_hz = 0;  // RX2
  bool operator==(const RXParamSetupReq&) const = default;
};
struct RXParamSetupAns {  // up, sticky
  static constexpr std::uint8_t kCid = 0x05;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "RXParamSetupAns";
  bool rx1_dr_offset_ack = false;
  bool rx2_data_rate_ack = false;
  bool channel_ack = false;
  bool operator==(const RXParamSetupAns&) const = default;
};

// ---- 0x06 ------------------------------------------------------------------------------------
struct DevStatusReq {  // down
  static constexpr std::uint8_t kCid = 0x06;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "DevStatusReq";
  bool operator==(const DevStatusReq&) const = default;
};
struct DevStatusAns {  // up
  static constexpr std::uint8_t kCid = 0x06;
  static constexpr std::size_t kPayloadSize = 2;
  static constexpr std::string_view kName = "DevStatusAns";
  static constexpr std::uint8_t kExternalPower = 0;
  static constexpr std::uint8_t kBatteryUnknown = 255;
  std::uint8_t battery = kBatteryUnknown;  // 1–254 = level
  std::int8_t margin = 0;                  // SNR of the last DevStatusReq, 6-bit signed −32..31 dB
  bool operator==(const DevStatusAns&) const = default;
};

// ---- 0x07 ------------------------------------------------------------------------------------
struct NewChannelReq {  // down
  static constexpr std::uint8_t kCid = 0x07;
  static constexpr std::size_t kPayloadSize = 5;
  static constexpr std::string_view kName = "NewChannelReq";
  std::uint8_t ch_index = 0;
  std::uint32_t frequency_hz = 0;  // 0 disables the channel
  std::uint8_t min_dr = 0;         // 4 bits
  std::uint8_t max_dr = 0;         // 4 bits
  bool operator==(const NewChannelReq&) const = default;
};
struct NewChannelAns {  // up
  static constexpr std::uint8_t kCid = 0x07;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "NewChannelAns";
  bool data_rate_range_ok = false;
  bool channel_frequency_ok = false;
  bool operator==(const NewChannelAns&) const = default;
};

// ---- 0x08 ------------------------------------------------------------------------------------
struct RXTimingSetupReq {  // down
  static constexpr std::uint8_t kCid = 0x08;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "RXTimingSetupReq";
  std::uint8_t delay = 0;  // 4 bits, seconds; 0 means 1 s
  bool operator==(const RXTimingSetupReq&) const = default;
};
struct RXTimingSetupAns {  // up, sticky
  static constexpr std::uint8_t kCid = 0x08;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "RXTimingSetupAns";
  bool operator==(const RXTimingSetupAns&) const = default;
};

// ---- 0x09 (not used in EU868/RU864) ------------------------------------------------------------
struct TxParamSetupReq {  // down
  static constexpr std::uint8_t kCid = 0x09;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "TxParamSetupReq";
  bool downlink_dwell_time = false;  // true = 400 ms limit
  bool uplink_dwell_time = false;
  std::uint8_t max_eirp = 0;  // 4-bit index into 8,10,12,13,14,16,18,20,21,24,26,27,29,30,33,36 dBm
  bool operator==(const TxParamSetupReq&) const = default;
};
struct TxParamSetupAns {  // up, sticky
  static constexpr std::uint8_t kCid = 0x09;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "TxParamSetupAns";
  bool operator==(const TxParamSetupAns&) const = default;
};

// ---- 0x0A ------------------------------------------------------------------------------------
struct DlChannelReq {  // down
  static constexpr std::uint8_t kCid = 0x0A;
  static constexpr std::size_t kPayloadSize = 4;
  static constexpr std::string_view kName = "DlChannelReq";
  std::uint8_t ch_index = 0;
  std::uint32_t frequency_hz = 0;
  bool operator==(const DlChannelReq&) const = default;
};
struct DlChannelAns {  // up, sticky
  static constexpr std::uint8_t kCid = 0x0A;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "DlChannelAns";
  bool uplink_frequency_exists = false;
  bool channel_frequency_ok = false;
  bool operator==(const DlChannelAns&) const = default;
};

// ---- 0x0B, 0x0C (1.1) ----------------------------------------------------------------------
struct RekeyInd {  // up
  static constexpr std::uint8_t kCid = 0x0B;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "RekeyInd";
  std::uint8_t minor = 1;
  bool operator==(const RekeyInd&) const = default;
};
struct RekeyConf {  // down
  static constexpr std::uint8_t kCid = 0x0B;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "RekeyConf";
  std::uint8_t minor = 1;
  bool operator==(const RekeyConf&) const = default;
};
struct ADRParamSetupReq {  // down
  static constexpr std::uint8_t kCid = 0x0C;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "ADRParamSetupReq";
  std::uint8_t limit_exp = 0;  // 4 bits: ADR_ACK_LIMIT = 2^n
  std::uint8_t delay_exp = 0;  // 4 bits: ADR_ACK_DELAY = 2^n
  bool operator==(const ADRParamSetupReq&) const = default;
};
struct ADRParamSetupAns {  // up
  static constexpr std::uint8_t kCid = 0x0C;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "ADRParamSetupAns";
  bool operator==(const ADRParamSetupAns&) const = default;
};

// ---- 0x0D ------------------------------------------------------------------------------------
struct DeviceTimeReq {  // up
  static constexpr std::uint8_t kCid = 0x0D;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "DeviceTimeReq";
  bool operator==(const DeviceTimeReq&) const = default;
};
struct DeviceTimeAns {  // down
  static constexpr std::uint8_t kCid = 0x0D;
  static constexpr std::size_t kPayloadSize = 5;
  static constexpr std::string_view kName = "DeviceTimeAns";
  std::uint32_t gps_seconds = 0;  // GPS time at the end of the uplink carrying DeviceTimeReq
  std::uint8_t fraction = 0;      // 1/256 s
  bool operator==(const DeviceTimeAns&) const = default;

  // Fraction = floor(sub-second ns / 3 906 250); see gps_time.h for UTC -> GPS.
  static DeviceTimeAns from_gps_time(std::chrono::nanoseconds since_gps_epoch);
  std::chrono::nanoseconds gps_time() const;
};

// ---- 0x0E, 0x0F (1.1) ----------------------------------------------------------------------
struct ForceRejoinReq {  // down
  static constexpr std::uint8_t kCid = 0x0E;
  static constexpr std::size_t kPayloadSize = 2;
  static constexpr std::string_view kName = "ForceRejoinReq";
  std::uint8_t period = 0;       // 3 bits: delay 32 s · 2^period
  std::uint8_t max_retries = 0;  // 3 bits
  std::uint8_t rejoin_type = 0;  // 3 bits: 0 or 2
  std::uint8_t data_rate = 0;    // 4 bits
  bool operator==(const ForceRejoinReq&) const = default;
};
struct RejoinParamSetupReq {  // down
  static constexpr std::uint8_t kCid = 0x0F;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "RejoinParamSetupReq";
  std::uint8_t max_time_n = 0;   // 4 bits: 2^(n+10) s
  std::uint8_t max_count_n = 0;  // 4 bits: 2^(n+4) uplinks
  bool operator==(const RejoinParamSetupReq&) const = default;
};
struct RejoinParamSetupAns {  // up
  static constexpr std::uint8_t kCid = 0x0F;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "RejoinParamSetupAns";
  bool time_ok = false;
  bool operator==(const RejoinParamSetupAns&) const = default;
};

// ---- 0x10–0x13 (Class B) -------------------------------------------------------------------
struct PingSlotInfoReq {  // up
  static constexpr std::uint8_t kCid = 0x10;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "PingSlotInfoReq";
  std::uint8_t periodicity = 0;  // 3 bits: ping every 2^n s
  bool operator==(const PingSlotInfoReq&) const = default;
};
struct PingSlotInfoAns {  // down
  static constexpr std::uint8_t kCid = 0x10;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "PingSlotInfoAns";
  bool operator==(const PingSlotInfoAns&) const = default;
};
struct PingSlotChannelReq {  // down
  static constexpr std::uint8_t kCid = 0x11;
  static constexpr std::size_t kPayloadSize = 4;
  static constexpr std::string_view kName = "PingSlotChannelReq";
  std::uint32_t frequency_hz = 0;  // 0 = region default
  std::uint8_t data_rate = 0;      // 4 bits
  bool operator==(const PingSlotChannelReq&) const = default;
};
struct PingSlotChannelAns {  // up
  static constexpr std::uint8_t kCid = 0x11;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "PingSlotChannelAns";
  bool data_rate_ok = false;
  bool channel_frequency_ok = false;
  bool operator==(const PingSlotChannelAns&) const = default;
};
struct BeaconTimingReq {  // up, deprecated since 1.0.3
  static constexpr std::uint8_t kCid = 0x12;
  static constexpr std::size_t kPayloadSize = 0;
  static constexpr std::string_view kName = "BeaconTimingReq";
  bool operator==(const BeaconTimingReq&) const = default;
};
struct BeaconTimingAns {  // down, deprecated since 1.0.3
  static constexpr std::uint8_t kCid = 0x12;
  static constexpr std::size_t kPayloadSize = 3;
  static constexpr std::string_view kName = "BeaconTimingAns";
  std::uint16_t delay = 0;  // 30 ms units
  std::uint8_t channel = 0;
  bool operator==(const BeaconTimingAns&) const = default;
};
struct BeaconFreqReq {  // down
  static constexpr std::uint8_t kCid = 0x13;
  static constexpr std::size_t kPayloadSize = 3;
  static constexpr std::string_view kName = "BeaconFreqReq";
  std::uint32_t frequency_hz = 0;  // 0 = region default
  bool operator==(const BeaconFreqReq&) const = default;
};
struct BeaconFreqAns {  // up
  static constexpr std::uint8_t kCid = 0x13;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "BeaconFreqAns";
  bool beacon_frequency_ok = false;
  bool operator==(const BeaconFreqAns&) const = default;
};

// ---- 0x20 (1.1, Class C) -------------------------------------------------------------------
enum class DeviceClass : std::uint8_t { A = 0, C = 2 };
struct DeviceModeInd {  // up
  static constexpr std::uint8_t kCid = 0x20;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "DeviceModeInd";
  DeviceClass device_class = DeviceClass::A;
  bool operator==(const DeviceModeInd&) const = default;
};
struct DeviceModeConf {  // down
  static constexpr std::uint8_t kCid = 0x20;
  static constexpr std::size_t kPayloadSize = 1;
  static constexpr std::string_view kName = "DeviceModeConf";
  DeviceClass device_class = DeviceClass::A;
  bool operator==(const DeviceModeConf&) const = default;
};

using UplinkMacCommand = std::variant<ResetInd, LinkCheckReq, LinkADRAns, DutyCycleAns, RXParamSetupAns, DevStatusAns,
                                      NewChannelAns, RXTimingSetupAns, TxParamSetupAns, DlChannelAns, RekeyInd,
                                      ADRParamSetupAns, DeviceTimeReq, RejoinParamSetupAns, PingSlotInfoReq,
                                      PingSlotChannelAns, BeaconTimingReq, BeaconFreqAns, DeviceModeInd>;

using DownlinkMacCommand =
    std::variant<ResetConf, LinkCheckAns, LinkADRReq, DutyCycleReq, RXParamSetupReq, DevStatusReq, NewChannelReq,
                 RXTimingSetupReq, TxParamSetupReq, DlChannelReq, RekeyConf, ADRParamSetupReq, DeviceTimeAns,
                 ForceRejoinReq, RejoinParamSetupReq, PingSlotInfoAns, PingSlotChannelReq, BeaconTimingAns,
                 BeaconFreqReq, DeviceModeConf>;

template <class Command>
struct DecodedMacCommands {
  std::vector<Command> commands;
  // Bytes from the first unknown CID, truncated command or command with a reserved value
  // (DeviceModeInd/Conf with a class other than A or C) to the end; 0 when all was decoded.
  std::size_t unparsed_bytes = 0;
};

DecodedMacCommands<UplinkMacCommand> decode_uplink_mac_commands(ByteView buffer);
DecodedMacCommands<DownlinkMacCommand> decode_downlink_mac_commands(ByteView buffer);

Bytes encode_mac_commands(std::span<const UplinkMacCommand> commands);
Bytes encode_mac_commands(std::span<const DownlinkMacCommand> commands);

std::uint8_t cid_of(const UplinkMacCommand& command);
std::uint8_t cid_of(const DownlinkMacCommand& command);
std::string_view name_of(const UplinkMacCommand& command);
std::string_view name_of(const DownlinkMacCommand& command);
// CID byte plus payload.
std::size_t encoded_size(const UplinkMacCommand& command);
std::size_t encoded_size(const DownlinkMacCommand& command);

}  // namespace uchet::lorawan
