// Data frames: structure, MIC, payload encryption, with the known answers of the fact sheet §6.
#include <catch2/catch.hpp>

#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/payload_crypto.h"

using namespace uchet::lorawan;

namespace {

Bytes hex(std::string_view text) { return *parse_hex(text); }
Key key(std::string_view text) { return *parse_key(text); }
std::string hex_of(ByteView bytes) { return to_hex(bytes); }

const Key kLpNwkSKey = key("44024241ed4ce9a68c6a8bc055233fd3");
const Key kLpAppSKey = key("ec925802ae430ca77fd3dd73cb2cc588");

}  // namespace

TEST_CASE("An unconfirmed uplink parses into its header fields and rebuilds byte for byte") {
  const Bytes phy = hex("40f17dbe4900020001954378762b11ff0d");
  auto frame = parse_data_frame(phy);
  REQUIRE(frame);
  CHECK(frame->mhdr == Mhdr{MType::UnconfirmedDataUp, 0});
  CHECK(frame->dev_addr == 0x49BE7DF1);
  CHECK(frame->fctrl == FCtrl{});
  CHECK(frame->fcnt16 == 2);
  CHECK(frame->fopts.empty());
  CHECK(frame->fport == 1);
  CHECK(hex_of(frame->frm_payload) == "95437876");
  CHECK(hex_of(frame->mic) == "2b11ff0d");
  CHECK(frame->direction() == Direction::Uplink);
  CHECK(build_data_frame(*frame) == phy);
}

TEST_CASE("A 1.0 uplink MIC and FRMPayload match lora-packet (vector 1)") {
  const Bytes phy = hex("40F17DBE4900020001954378762B11FF0D");
  auto frame = parse_data_frame(phy);
  REQUIRE(frame);
  CHECK(data_mic_10(kLpNwkSKey, Direction::Uplink, frame->dev_addr, 2, mic_message(phy)) == frame->mic);
  const Bytes plain = decrypt_frm_payload(kLpAppSKey, Direction::Uplink, frame->dev_addr, 2, frame->frm_payload);
  CHECK(std::string(plain.begin(), plain.end()) == "test");
}

TEST_CASE("A multi-block FRMPayload decrypts with successive A_i blocks (vector 2)") {
  const Bytes phy =
      hex("40f17dbe490004000155332de41a11adc072553544429ce7787707d1c316e027e7e5e334263376affb8aa17ad300752"
          "93f28dea8a20af3c5e7");
  auto frame = parse_data_frame(phy);
  REQUIRE(frame);
  CHECK(data_mic_10(kLpNwkSKey, Direction::Uplink, frame->dev_addr, 4, mic_message(phy)) == frame->mic);
  const Bytes plain = decrypt_frm_payload(kLpAppSKey, Direction::Uplink, frame->dev_addr, 4, frame->frm_payload);
  CHECK(std::string(plain.begin(), plain.end()) == "The quick brown fox jumps over the lazy dog.");
}

TEST_CASE("Frames without FRMPayload and downlink ACKs have the lora-packet MICs (vector 3)") {
  const Bytes up = hex("40F17DBE49000300012A3518AF");
  auto frame = parse_data_frame(up);
  REQUIRE(frame);
  CHECK(data_mic_10(kLpNwkSKey, Direction::Uplink, frame->dev_addr, 3, mic_message(up)) == frame->mic);

  const Bytes down = hex("60f17dbe4920020001f9d65d27");
  auto ack = parse_data_frame(down);
  REQUIRE(ack);
  CHECK(ack->fctrl.ack);
  CHECK(ack->direction() == Direction::Downlink);
  CHECK(ack->fport == 1);
  CHECK(ack->frm_payload.empty());
  CHECK(hex_of(data_mic_10(kLpNwkSKey, Direction::Downlink, ack->dev_addr, 2, mic_message(down))) == "f9d65d27");
}

TEST_CASE("An FPort 0 frame is authenticated and its MAC commands decrypted with NwkSKey (vector 4)") {
  const Key nwk_s_key = key("581c4d08ef04cda30b1fef7a8b2c74b8");
  const Bytes phy = hex("4006DC00FCC07400000244925050");
  auto frame = parse_data_frame(phy);
  REQUIRE(frame);
  CHECK(frame->fport == 0);
  CHECK(frame->fctrl.adr);
  CHECK(frame->fctrl.adr_ack_req);
  CHECK(frame->fcnt16 == 0x74);
  CHECK(hex_of(data_mic_10(nwk_s_key, Direction::Uplink, frame->dev_addr, 0x74, mic_message(phy))) == "44925050");
  const Bytes commands = decrypt_frm_payload(nwk_s_key, Direction::Uplink, frame->dev_addr, 0x74, frame->frm_payload);
  CHECK(hex_of(commands) == "02");
  auto decoded = decode_uplink_mac_commands(commands);
  REQUIRE(decoded.commands.size() == 1);
  CHECK(std::holds_alternative<LinkCheckReq>(decoded.commands[0]));
}

TEST_CASE("A confirmed 1.0 uplink with FOpts is built exactly as ChirpStack builds it (vector 15)") {
  const Key nwk_s_key = key("0102030405060708090a0b0c0d0e0f10");
  const Key app_s_key = key("100f0e0d0c0b0a090807060504030201");
  const DevAddr dev_addr = 0x01020304;
  DataFrame frame;
  frame.mhdr = {MType::ConfirmedDataUp, 0};
  frame.dev_addr = dev_addr;
  const std::vector<UplinkMacCommand> fopts = {DevStatusAns{115, 7}};
  frame.fopts = encode_mac_commands(fopts);
  frame.fport = 10;
  frame.frm_payload = encrypt_frm_payload(app_s_key, Direction::Uplink, dev_addr, 0, hex("01020304"));
  auto bytes = build_data_frame(frame);
  REQUIRE(bytes);
  set_mic(*bytes, data_mic_10(nwk_s_key, Direction::Uplink, dev_addr, 0, mic_message(*bytes)));
  CHECK(hex_of(*bytes) == "80040302010300000673070ae264d4f7e117d2c0");
}

TEST_CASE("A 1.1 downlink encrypts FOpts with the AFCntDown keystream and signs with SNwkSIntKey (vector 16)") {
  const Key s_nwk_s_int_key = key("01010101010101010101010101010100");
  const Key nwk_s_enc_key = key("01010101010101010101010101010200");
  const Key app_s_key = key("100f0e0d0c0b0a090807060504030201");
  const DevAddr dev_addr = 0x01020304;
  DataFrame frame;
  frame.mhdr = {MType::UnconfirmedDataDown, 0};
  frame.dev_addr = dev_addr;
  const std::vector<DownlinkMacCommand> fopts = {LinkCheckAns{7, 1}};
  frame.fopts = encrypt_fopts(nwk_s_enc_key, Direction::Downlink, dev_addr, 0, true, encode_mac_commands(fopts));
  frame.fport = 1;
  frame.frm_payload = encrypt_frm_payload(app_s_key, Direction::Downlink, dev_addr, 0, hex("01020304"));
  auto bytes = build_data_frame(frame);
  REQUIRE(bytes);
  set_mic(*bytes, data_downlink_mic_11(s_nwk_s_int_key, dev_addr, 0, 0, mic_message(*bytes)));
  CHECK(hex_of(*bytes) == "600403020103000022ac0a01f0b468ddaa5ed13a");

  auto parsed = parse_data_frame(*bytes);
  REQUIRE(parsed);
  const Bytes plain_fopts = decrypt_fopts(nwk_s_enc_key, Direction::Downlink, dev_addr, 0, true, parsed->fopts);
  auto commands = decode_downlink_mac_commands(plain_fopts);
  REQUIRE(commands.commands.size() == 1);
  CHECK(std::get<LinkCheckAns>(commands.commands[0]) == LinkCheckAns{7, 1});
}

TEST_CASE("FOpts keystreams differ between NFCntDown and AFCntDown frames") {
  const Key k = key("01010101010101010101010101010200");
  const Bytes fopts = hex("020701");
  CHECK(encrypt_fopts(k, Direction::Downlink, 1, 0, true, fopts) !=
        encrypt_fopts(k, Direction::Downlink, 1, 0, false, fopts));
}

TEST_CASE("A 1.1 uplink MIC combines the SNwkSIntKey and FNwkSIntKey halves (vector 11)") {
  const Bytes phy = hex("40736310e080000000c86c36165131");
  auto frame = parse_data_frame(phy);
  REQUIRE(frame);
  const Mic mic = data_uplink_mic_11(key("e163635133105cc690cb2d57ba9c31b9"), key("05ec7c795b2f0b5bcdfa710db52b9d8f"),
                                     frame->dev_addr, 0, 0, 0, 1, mic_message(phy));
  CHECK(hex_of(mic) == "36165131");
  CHECK(mic == frame->mic);
}

TEST_CASE("A 1.1 uplink MIC depends on ConfFCnt, TxDr and TxCh") {
  const Bytes phy = hex("40736310e080000000c86c36165131");
  const Key f = key("e163635133105cc690cb2d57ba9c31b9");
  const Key s = key("05ec7c795b2f0b5bcdfa710db52b9d8f");
  const Mic reference = data_uplink_mic_11(f, s, 0xE0106373, 0, 0, 0, 1, mic_message(phy));
  CHECK(data_uplink_mic_11(f, s, 0xE0106373, 0, 1, 0, 1, mic_message(phy)) != reference);
  CHECK(data_uplink_mic_11(f, s, 0xE0106373, 0, 0, 1, 1, mic_message(phy)) != reference);
  CHECK(data_uplink_mic_11(f, s, 0xE0106373, 0, 0, 0, 2, mic_message(phy)) != reference);
  // The FNwkSIntKey half is the 1.0 MIC, which a 1.0 device could not tell apart.
  const Mic f_half = data_mic_10(f, Direction::Uplink, 0xE0106373, 0, mic_message(phy));
  CHECK(reference[2] == f_half[0]);
  CHECK(reference[3] == f_half[1]);
}

TEST_CASE("A 1.1 downlink MIC with ConfFCnt 0 equals the 1.0 downlink MIC") {
  const Bytes msg = hex("60f17dbe49200200");
  CHECK(data_downlink_mic_11(kLpNwkSKey, 0x49BE7DF1, 2, 0, msg) ==
        data_mic_10(kLpNwkSKey, Direction::Downlink, 0x49BE7DF1, 2, msg));
  CHECK(data_downlink_mic_11(kLpNwkSKey, 0x49BE7DF1, 2, 5, msg) !=
        data_mic_10(kLpNwkSKey, Direction::Downlink, 0x49BE7DF1, 2, msg));
}

TEST_CASE("FRMPayload encryption uses the full 32-bit FCnt and the direction") {
  const Bytes plain = hex("00112233");
  const Bytes at_1 = encrypt_frm_payload(kLpAppSKey, Direction::Uplink, 1, 1, plain);
  CHECK(at_1 != encrypt_frm_payload(kLpAppSKey, Direction::Uplink, 1, 0x10001, plain));
  CHECK(at_1 != encrypt_frm_payload(kLpAppSKey, Direction::Downlink, 1, 1, plain));
  CHECK(decrypt_frm_payload(kLpAppSKey, Direction::Uplink, 1, 1, at_1) == plain);
  CHECK(encrypt_frm_payload(kLpAppSKey, Direction::Uplink, 1, 1, {}).empty());
}

TEST_CASE("FCtrl flags map to their bits in both directions") {
  CHECK(encode_fctrl({true, false, false, false}, 0) == 0x80);
  CHECK(encode_fctrl({false, true, false, false}, 0) == 0x40);
  CHECK(encode_fctrl({false, false, true, false}, 0) == 0x20);
  CHECK(encode_fctrl({false, false, false, true}, 15) == 0x1F);
  auto down = parse_data_frame(hex("60010000001001000000000000"));
  REQUIRE(down);
  CHECK(down->fctrl.class_b_or_f_pending);
}

TEST_CASE("A data frame with FPort but no FRMPayload keeps its FPort on rebuild") {
  const Bytes phy = hex("409c6437c8e20000020d0132d7ee38");
  auto frame = parse_data_frame(phy);
  REQUIRE(frame);
  CHECK(frame->fport == 1);
  CHECK(frame->frm_payload.empty());
  CHECK(hex_of(frame->fopts) == "020d");
  CHECK(build_data_frame(*frame) == phy);
}

TEST_CASE("A minimal data frame has neither FOpts nor FPort") {
  const Bytes phy = hex("4001020304000100aabbccdd");
  auto frame = parse_data_frame(phy);
  REQUIRE(frame);
  CHECK_FALSE(frame->fport.has_value());
  CHECK(frame->fcnt16 == 1);
  CHECK(build_data_frame(*frame) == phy);
}

TEST_CASE("Malformed data frames are rejected with a reason") {
  auto fails = [](std::string_view text) {
    auto frame = parse_data_frame(*parse_hex(text));
    if (frame) return std::string();
    return frame.error();
  };
  CHECK_THAT(fails(""), Catch::Contains("empty"));
  CHECK_THAT(fails("40"), Catch::Contains("truncated"));
  CHECK_THAT(fails("4001020304000100aabbcc"), Catch::Contains("truncated"));
  CHECK_THAT(fails("00f17dbe4900020001954378762b11ff0d"), Catch::Contains("expected a data frame"));
  CHECK_THAT(fails("e0f17dbe4900020001954378762b11ff0d"), Catch::Contains("expected a data frame"));
  CHECK_THAT(fails("41f17dbe4900020001954378762b11ff0d"), Catch::Contains("Major"));
  CHECK_THAT(fails("4001020304030100aabbccdd"), Catch::Contains("FOptsLen"));       // 3 FOpts, 0 there
  CHECK_THAT(fails("4001020304020100020d00aabbccdd"), Catch::Contains("FPort 0"));  // FOpts + FPort 0
  CHECK_THAT(fails("40" + std::string(2 * 255, '0')), Catch::Contains("255"));      // 256 bytes
  CHECK(fails("40" + std::string(2 * 254, '0')).empty());                           // 255 bytes is fine
}

TEST_CASE("Data frames that could not be parsed back are refused by the builder") {
  DataFrame frame;
  frame.fopts = Bytes(16, 0);
  CHECK_FALSE(build_data_frame(frame));
  frame.fopts = {0x02};
  frame.fport = 0;
  CHECK_FALSE(build_data_frame(frame));
  frame = DataFrame{};
  frame.frm_payload = {1};
  CHECK_FALSE(build_data_frame(frame));
  frame = DataFrame{};
  frame.mhdr.mtype = MType::JoinRequest;
  CHECK_FALSE(build_data_frame(frame));
  frame = DataFrame{};
  frame.fport = 1;
  frame.frm_payload = Bytes(243, 0);  // 12 + 1 + 243 = 256 bytes
  CHECK_FALSE(build_data_frame(frame));
}
