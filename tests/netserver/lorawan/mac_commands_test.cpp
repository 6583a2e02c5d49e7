// MAC command encoding and decoding in both directions.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/mac_commands.h"

using namespace uchet::lorawan;
using namespace std::chrono_literals;

namespace {

Bytes hex(std::string_view text) { return *parse_hex(text); }

const std::vector<UplinkMacCommand> kEveryUplinkCommand = {
    ResetInd{1},
    LinkCheckReq{},
    LinkADRAns{true, false, true},
    DutyCycleAns{},
    RXParamSetupAns{true, true, false},
    DevStatusAns{200, -5},
    NewChannelAns{true, false},
    RXTimingSetupAns{},
    TxParamSetupAns{},
    DlChannelAns{false, true},
    RekeyInd{1},
    ADRParamSetupAns{},
    DeviceTimeReq{},
    RejoinParamSetupAns{true},
    PingSlotInfoReq{5},
    PingSlotChannelAns{true, true},
    BeaconTimingReq{},
    BeaconFreqAns{true},
    DeviceModeInd{DeviceClass::C},
};

const std::vector<DownlinkMacCommand> kEveryDownlinkCommand = {
    ResetConf{1},
    LinkCheckAns{20, 3},
    LinkADRReq{5, 2, 0x00FF, 6, 1},
    DutyCycleReq{7},
    RXParamSetupReq{2, 3, 869'100'000},
    DevStatusReq{},
    NewChannelReq{2, 864'100'000, 0, 5},
    RXTimingSetupReq{3},
    TxParamSetupReq{true, false, 5},
    DlChannelReq{2, 868'700'000},
    RekeyConf{1},
    ADRParamSetupReq{6, 5},
    DeviceTimeAns{1'436'486'418, 128},
    ForceRejoinReq{3, 2, 2, 5},
    RejoinParamSetupReq{4, 6},
    PingSlotInfoAns{},
    PingSlotChannelReq{869'100'000, 3},
    BeaconTimingAns{1000, 2},
    BeaconFreqReq{869'525'000},
    DeviceModeConf{DeviceClass::C},
};

}  // namespace

TEST_CASE("Every uplink MAC command survives encode and decode") {
  const Bytes bytes = encode_mac_commands(kEveryUplinkCommand);
  std::size_t expected_size = 0;
  for (const auto& c : kEveryUplinkCommand) expected_size += encoded_size(c);
  CHECK(bytes.size() == expected_size);
  auto decoded = decode_uplink_mac_commands(bytes);
  CHECK(decoded.unparsed_bytes == 0);
  CHECK(decoded.commands == kEveryUplinkCommand);
}

TEST_CASE("Every downlink MAC command survives encode and decode") {
  const Bytes bytes = encode_mac_commands(kEveryDownlinkCommand);
  auto decoded = decode_downlink_mac_commands(bytes);
  CHECK(decoded.unparsed_bytes == 0);
  CHECK(decoded.commands == kEveryDownlinkCommand);
}

TEST_CASE("The same CID has different lengths uplink and downlink") {
  // 03 is a 1-byte LinkADRAns uplink but a 4-byte LinkADRReq downlink.
  const Bytes bytes = hex("0307");
  auto up = decode_uplink_mac_commands(bytes);
  REQUIRE(up.commands.size() == 1);
  CHECK(std::get<LinkADRAns>(up.commands[0]) == LinkADRAns{true, true, true});
  auto down = decode_downlink_mac_commands(bytes);
  CHECK(down.commands.empty());
  CHECK(down.unparsed_bytes == 2);
}

TEST_CASE("MAC command payloads have the on-air layout of the specification") {
  const std::vector<DownlinkMacCommand> down = {
      LinkADRReq{5, 2, 0x0007, 0, 1},                                    // 03 52 0700 01
      RXParamSetupReq{1, 0, 869'100'000},                                // 05 10 then 8 691 000 (×100 Hz) LE
      NewChannelReq{3, 867'100'000, 0, 5},                               // 07 03 freq 50
      DeviceTimeAns{0x01020304, 0x80},     ForceRejoinReq{7, 7, 2, 15},  // 0x3F2F
  };
  CHECK(to_hex(encode_mac_commands(down)) ==
        "0352070001"
        "0510389d84"
        "0703184f8450"
        "0d0403020180"
        "0e2f3f");
  const std::vector<UplinkMacCommand> up = {DevStatusAns{255, -32}, DevStatusAns{0, 31}, LinkADRAns{true, true, true}};
  CHECK(to_hex(encode_mac_commands(up)) ==
        "06ff20"
        "06001f"
        "0307");
}

TEST_CASE("DevStatusAns margin is a 6-bit signed value") {
  auto decoded =
      decode_uplink_mac_commands(hex("06fe3f"
                                     "06fe20"
                                     "06fe1f"));
  REQUIRE(decoded.commands.size() == 3);
  CHECK(std::get<DevStatusAns>(decoded.commands[0]).margin == -1);
  CHECK(std::get<DevStatusAns>(decoded.commands[1]).margin == -32);
  CHECK(std::get<DevStatusAns>(decoded.commands[2]).margin == 31);
}

TEST_CASE("Decoding stops at an unknown CID and reports the rest as unparsed") {
  auto decoded =
      decode_uplink_mac_commands(hex("02"
                                     "0d"
                                     "7f0102"
                                     "02"));
  REQUIRE(decoded.commands.size() == 2);
  CHECK(std::holds_alternative<LinkCheckReq>(decoded.commands[0]));
  CHECK(std::holds_alternative<DeviceTimeReq>(decoded.commands[1]));
  CHECK(decoded.unparsed_bytes == 4);
  // Proprietary CIDs have no known length either.
  CHECK(decode_downlink_mac_commands(hex("80aa")).unparsed_bytes == 2);
  // ForceRejoinReq exists only downlink.
  CHECK(decode_uplink_mac_commands(hex("0e0000")).unparsed_bytes == 3);
}

TEST_CASE("DeviceModeInd and DeviceModeConf with a reserved class are refused, not cast") {
  auto decoded =
      decode_uplink_mac_commands(hex("2000"
                                     "2002"
                                     "2001"
                                     "02"));
  REQUIRE(decoded.commands.size() == 2);
  CHECK(std::get<DeviceModeInd>(decoded.commands[0]).device_class == DeviceClass::A);
  CHECK(std::get<DeviceModeInd>(decoded.commands[1]).device_class == DeviceClass::C);
  CHECK(decoded.unparsed_bytes == 3);  // from the class-B (reserved) indication on
  CHECK(decode_uplink_mac_commands(hex("20ff")).unparsed_bytes == 2);
  CHECK(decode_uplink_mac_commands(hex("2003")).commands.empty());
  CHECK(decode_downlink_mac_commands(hex("2001")).unparsed_bytes == 2);
  CHECK(decode_downlink_mac_commands(hex("2002")).unparsed_bytes == 0);
}

TEST_CASE("Decoding stops at a truncated command without failing") {
  auto decoded = decode_downlink_mac_commands(hex("0207010d8a4c2b"));
  REQUIRE(decoded.commands.size() == 1);
  CHECK(std::get<LinkCheckAns>(decoded.commands[0]) == LinkCheckAns{7, 1});
  CHECK(decoded.unparsed_bytes == 4);
  CHECK(decode_downlink_mac_commands({}).commands.empty());
}

TEST_CASE("MAC commands report their CID and name") {
  CHECK(cid_of(UplinkMacCommand{DeviceModeInd{}}) == 0x20);
  CHECK(cid_of(DownlinkMacCommand{ForceRejoinReq{}}) == 0x0E);
  CHECK(name_of(UplinkMacCommand{LinkADRAns{}}) == "LinkADRAns");
  CHECK(name_of(DownlinkMacCommand{LinkADRReq{}}) == "LinkADRReq");
  CHECK(encoded_size(DownlinkMacCommand{NewChannelReq{}}) == 6);
}

TEST_CASE("DeviceTimeAns carries GPS seconds and a 1/256 s fraction") {
  auto ans = DeviceTimeAns::from_gps_time(std::chrono::seconds(1'139'322'288) + 500ms);
  CHECK(ans.gps_seconds == 1'139'322'288);
  CHECK(ans.fraction == 128);
  CHECK(DeviceTimeAns::from_gps_time(std::chrono::nanoseconds(3'906'249)).fraction == 0);
  CHECK(DeviceTimeAns::from_gps_time(std::chrono::nanoseconds(3'906'250)).fraction == 1);
  CHECK(DeviceTimeAns::from_gps_time(std::chrono::nanoseconds(999'999'999)).fraction == 255);
  CHECK(ans.gps_time() == std::chrono::seconds(1'139'322'288) + 500ms);
}

TEST_CASE("Encoding masks fields to their on-air widths") {
  const std::vector<DownlinkMacCommand> down = {LinkADRReq{0x1F, 0x2F, 0, 0xF, 0x1F}};
  CHECK(to_hex(encode_mac_commands(down)) ==
        "03ff0000"
        "7f");
}
