#include "netserver/lorawan/mac_commands.h"

#include <type_traits>
#include <utility>

#include "netserver/lorawan/le.h"

namespace uchet::lorawan {
namespace {

using std::uint8_t;

uint8_t bit(bool value, int position) { return static_cast<uint8_t>(value ? 1u << position : 0u); }
bool bit_set(uint8_t byte, int position) { return (byte >> position & 1u) != 0; }
uint8_t nibbles(uint8_t high, uint8_t low) { return static_cast<uint8_t>((high & 0x0F) << 4 | (low & 0x0F)); }
uint8_t high_nibble(uint8_t byte) { return byte >> 4; }
uint8_t low_nibble(uint8_t byte) { return byte & 0x0F; }

void put_frequency(Bytes& out, std::uint32_t hz) { le::put(out, hz / 100, 3); }
std::uint32_t get_frequency(ByteView in, std::size_t offset) {
  return static_cast<std::uint32_t>(le::get(in, offset, 3)) * 100;
}

// Commands without payload encode and decode to nothing.
template <class T>
requires(T::kPayloadSize == 0) void put(Bytes&, const T&) {}
template <class T>
requires(T::kPayloadSize == 0) void get(ByteView, T&) {}

// One put/get pair per command with a payload; `in` holds exactly kPayloadSize bytes.
void put(Bytes& out, const ResetInd& c) { out.push_back(c.minor & 0x0F); }
void get(ByteView in, ResetInd& c) { c.minor = low_nibble(in[0]); }
void put(Bytes& out, const ResetConf& c) { out.push_back(c.minor & 0x0F); }
void get(ByteView in, ResetConf& c) { c.minor = low_nibble(in[0]); }

void put(Bytes& out, const LinkCheckAns& c) { out.insert(out.end(), {c.margin, c.gw_cnt}); }
void get(ByteView in, LinkCheckAns& c) { c = {in[0], in[1]}; }

void put(Bytes& out, const LinkADRReq& c) {
  out.push_back(nibbles(c.data_rate, c.tx_power));
  le::put(out, c.ch_mask, 2);
  out.push_back(static_cast<uint8_t>((c.ch_mask_cntl & 0x07) << 4 | (c.nb_trans & 0x0F)));
}
void get(ByteView in, LinkADRReq& c) {
  c = {high_nibble(in[0]), low_nibble(in[0]), static_cast<std::uint16_t>(le::get(in, 1, 2)),
       static_cast<uint8_t>(in[3] >> 4 & 0x07), low_nibble(in[3])};
}
void put(Bytes& out, const LinkADRAns& c) {
  out.push_back(bit(c.power_ack, 2) | bit(c.data_rate_ack, 1) | bit(c.channel_mask_ack, 0));
}
void get(ByteView in, LinkADRAns& c) { c = {bit_set(in[0], 2), bit_set(in[0], 1), bit_set(in[0], 0)}; }

void put(Bytes& out, const DutyCycleReq& c) { out.push_back(c.max_duty_cycle & 0x0F); }
void get(ByteView in, DutyCycleReq& c) { c.max_duty_cycle = low_nibble(in[0]); }

void put(Bytes& out, const RXParamSetupReq& c) {
  out.push_back(static_cast<uint8_t>((c.rx1_dr_offset & 0x07) << 4 | (c.rx2_data_rate & 0x0F)));
  put_frequency(out, c.frequency_hz);
}
void get(ByteView in, RXParamSetupReq& c) {
  c = {static_cast<uint8_t>(in[0] >> 4 & 0x07), low_nibble(in[0]), get_frequency(in, 1)};
}
void put(Bytes& out, const RXParamSetupAns& c) {
  out.push_back(bit(c.rx1_dr_offset_ack, 2) | bit(c.rx2_data_rate_ack, 1) | bit(c.channel_ack, 0));
}
void get(ByteView in, RXParamSetupAns& c) { c = {bit_set(in[0], 2), bit_set(in[0], 1), bit_set(in[0], 0)}; }

void put(Bytes& out, const DevStatusAns& c) {
  out.push_back(c.battery);
  out.push_back(static_cast<uint8_t>(c.margin) & 0x3F);
}
void get(ByteView in, DevStatusAns& c) {
  c.battery = in[0];
  // Sign-extend the 6-bit two's-complement margin.
  const int raw = in[1] & 0x3F;
  c.margin = static_cast<std::int8_t>(raw >= 32 ? raw - 64 : raw);
}

void put(Bytes& out, const NewChannelReq& c) {
  out.push_back(c.ch_index);
  put_frequency(out, c.frequency_hz);
  out.push_back(nibbles(c.max_dr, c.min_dr));
}
void get(ByteView in, NewChannelReq& c) { c = {in[0], get_frequency(in, 1), low_nibble(in[4]), high_nibble(in[4])}; }
void put(Bytes& out, const NewChannelAns& c) {
  out.push_back(bit(c.data_rate_range_ok, 1) | bit(c.channel_frequency_ok, 0));
}
void get(ByteView in, NewChannelAns& c) { c = {bit_set(in[0], 1), bit_set(in[0], 0)}; }

void put(Bytes& out, const RXTimingSetupReq& c) { out.push_back(c.delay & 0x0F); }
void get(ByteView in, RXTimingSetupReq& c) { c.delay = low_nibble(in[0]); }

void put(Bytes& out, const TxParamSetupReq& c) {
  out.push_back(bit(c.downlink_dwell_time, 5) | bit(c.uplink_dwell_time, 4) | (c.max_eirp & 0x0F));
}
void get(ByteView in, TxParamSetupReq& c) { c = {bit_set(in[0], 5), bit_set(in[0], 4), low_nibble(in[0])}; }

void put(Bytes& out, const DlChannelReq& c) {
  out.push_back(c.ch_index);
  put_frequency(out, c.frequency_hz);
}
void get(ByteView in, DlChannelReq& c) { c = {in[0], get_frequency(in, 1)}; }
void put(Bytes& out, const DlChannelAns& c) {
  out.push_back(bit(c.uplink_frequency_exists, 1) | bit(c.channel_frequency_ok, 0));
}
void get(ByteView in, DlChannelAns& c) { c = {bit_set(in[0], 1), bit_set(in[0], 0)}; }

void put(Bytes& out, const RekeyInd& c) { out.push_back(c.minor & 0x0F); }
void get(ByteView in, RekeyInd& c) { c.minor = low_nibble(in[0]); }
void put(Bytes& out, const RekeyConf& c) { out.push_back(c.minor & 0x0F); }
void get(ByteView in, RekeyConf& c) { c.minor = low_nibble(in[0]); }

void put(Bytes& out, const ADRParamSetupReq& c) { out.push_back(nibbles(c.limit_exp, c.delay_exp)); }
void get(ByteView in, ADRParamSetupReq& c) { c = {high_nibble(in[0]), low_nibble(in[0])}; }

void put(Bytes& out, const DeviceTimeAns& c) {
  le::put(out, c.gps_seconds, 4);
  out.push_back(c.fraction);
}
void get(ByteView in, DeviceTimeAns& c) { c = {static_cast<std::uint32_t>(le::get(in, 0, 4)), in[4]}; }

void put(Bytes& out, const ForceRejoinReq& c) {
  const unsigned v =
      (c.period & 0x07u) << 11 | (c.max_retries & 0x07u) << 8 | (c.rejoin_type & 0x07u) << 4 | (c.data_rate & 0x0Fu);
  le::put(out, v, 2);
}
void get(ByteView in, ForceRejoinReq& c) {
  const auto v = static_cast<unsigned>(le::get(in, 0, 2));
  c = {static_cast<uint8_t>(v >> 11 & 0x07), static_cast<uint8_t>(v >> 8 & 0x07), static_cast<uint8_t>(v >> 4 & 0x07),
       static_cast<uint8_t>(v & 0x0F)};
}
void put(Bytes& out, const RejoinParamSetupReq& c) { out.push_back(nibbles(c.max_time_n, c.max_count_n)); }
void get(ByteView in, RejoinParamSetupReq& c) { c = {high_nibble(in[0]), low_nibble(in[0])}; }
void put(Bytes& out, const RejoinParamSetupAns& c) { out.push_back(bit(c.time_ok, 0)); }
void get(ByteView in, RejoinParamSetupAns& c) { c.time_ok = bit_set(in[0], 0); }

void put(Bytes& out, const PingSlotInfoReq& c) { out.push_back(c.periodicity & 0x07); }
void get(ByteView in, PingSlotInfoReq& c) { c.periodicity = in[0] & 0x07; }
void put(Bytes& out, const PingSlotChannelReq& c) {
  put_frequency(out, c.frequency_hz);
  out.push_back(c.data_rate & 0x0F);
}
void get(ByteView in, PingSlotChannelReq& c) { c = {get_frequency(in, 0), low_nibble(in[3])}; }
void put(Bytes& out, const PingSlotChannelAns& c) {
  out.push_back(bit(c.data_rate_ok, 1) | bit(c.channel_frequency_ok, 0));
}
void get(ByteView in, PingSlotChannelAns& c) { c = {bit_set(in[0], 1), bit_set(in[0], 0)}; }
void put(Bytes& out, const BeaconTimingAns& c) {
  le::put(out, c.delay, 2);
  out.push_back(c.channel);
}
void get(ByteView in, BeaconTimingAns& c) { c = {static_cast<std::uint16_t>(le::get(in, 0, 2)), in[2]}; }
void put(Bytes& out, const BeaconFreqReq& c) { put_frequency(out, c.frequency_hz); }
void get(ByteView in, BeaconFreqReq& c) { c.frequency_hz = get_frequency(in, 0); }
void put(Bytes& out, const BeaconFreqAns& c) { out.push_back(bit(c.beacon_frequency_ok, 0)); }
void get(ByteView in, BeaconFreqAns& c) { c.beacon_frequency_ok = bit_set(in[0], 0); }

// Only class A (0) and C (2) exist in DeviceModeInd/Conf (LoRaWAN 1.1: 1 and above are RFU): a
// reserved value refuses the command (decoding stops there, as at an unknown CID), not cast
// into a DeviceClass no code expects.
bool device_class_of(uint8_t byte, DeviceClass& out) {
  if (byte != static_cast<uint8_t>(DeviceClass::A) && byte != static_cast<uint8_t>(DeviceClass::C)) return false;
  out = static_cast<DeviceClass>(byte);
  return true;
}
void put(Bytes& out, const DeviceModeInd& c) { out.push_back(static_cast<uint8_t>(c.device_class)); }
bool get(ByteView in, DeviceModeInd& c) { return device_class_of(in[0], c.device_class); }
void put(Bytes& out, const DeviceModeConf& c) { out.push_back(static_cast<uint8_t>(c.device_class)); }
bool get(ByteView in, DeviceModeConf& c) { return device_class_of(in[0], c.device_class); }

// Tries each alternative of the variant whose CID matches; false if none does, the command
// is cut short, or its payload holds a reserved value (a `get` returning false).
template <class Variant>
bool decode_one(ByteView buffer, std::size_t& pos, std::vector<Variant>& out) {
  bool decoded = false;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using T = std::variant_alternative_t<I, Variant>;
          if (decoded || T::kCid != buffer[pos] || pos + 1 + T::kPayloadSize > buffer.size()) return;
          T command{};
          const auto payload = buffer.subspan(pos + 1, T::kPayloadSize);
          if constexpr (std::is_same_v<decltype(get(payload, command)), bool>) {
            if (!get(payload, command)) return;
          } else {
            get(payload, command);
          }
          out.emplace_back(command);
          pos += 1 + T::kPayloadSize;
          decoded = true;
        }(),
        ...);
  }
  (std::make_index_sequence<std::variant_size_v<Variant>>{});
  return decoded;
}

template <class Variant>
DecodedMacCommands<Variant> decode_all(ByteView buffer) {
  DecodedMacCommands<Variant> result;
  std::size_t pos = 0;
  while (pos < buffer.size() && decode_one(buffer, pos, result.commands)) {}
  result.unparsed_bytes = buffer.size() - pos;
  return result;
}

template <class Variant>
Bytes encode_all(std::span<const Variant> commands) {
  Bytes out;
  for (const auto& command : commands) {
    std::visit(
        [&out](const auto& c) {
          out.push_back(c.kCid);
          put(out, c);
        },
        command);
  }
  return out;
}

}  // namespace

DeviceTimeAns DeviceTimeAns::from_gps_time(std::chrono::nanoseconds since_gps_epoch) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_gps_epoch);
  const auto sub_second = since_gps_epoch - seconds;
  return {static_cast<std::uint32_t>(seconds.count()), static_cast<uint8_t>(sub_second.count() / 3'906'250)};
}

std::chrono::nanoseconds DeviceTimeAns::gps_time() const {
  return std::chrono::seconds(gps_seconds) + std::chrono::nanoseconds(std::int64_t{fraction} * 3'906'250);
}

DecodedMacCommands<UplinkMacCommand> decode_uplink_mac_commands(ByteView buffer) {
  return decode_all<UplinkMacCommand>(buffer);
}
DecodedMacCommands<DownlinkMacCommand> decode_downlink_mac_commands(ByteView buffer) {
  return decode_all<DownlinkMacCommand>(buffer);
}

Bytes encode_mac_commands(std::span<const UplinkMacCommand> commands) { return encode_all(commands); }
Bytes encode_mac_commands(std::span<const DownlinkMacCommand> commands) { return encode_all(commands); }

std::uint8_t cid_of(const UplinkMacCommand& command) {
  return std::visit([](const auto& c) { return c.kCid; }, command);
}
std::uint8_t cid_of(const DownlinkMacCommand& command) {
  return std::visit([](const auto& c) { return c.kCid; }, command);
}
std::string_view name_of(const UplinkMacCommand& command) {
  return std::visit([](const auto& c) { return c.kName; }, command);
}
std::string_view name_of(const DownlinkMacCommand& command) {
  return std::visit([](const auto& c) { return c.kName; }, command);
}
std::size_t encoded_size(const UplinkMacCommand& command) {
  return std::visit([](const auto& c) { return 1 + c.kPayloadSize; }, command);
}
std::size_t encoded_size(const DownlinkMacCommand& command) {
  return std::visit([](const auto& c) { return 1 + c.kPayloadSize; }, command);
}

}  // namespace uchet::lorawan
