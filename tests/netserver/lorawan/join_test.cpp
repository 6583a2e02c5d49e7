// Join-request, join-accept and rejoin-request frames, with the known answers of the fact sheet.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/join_accept.h"
#include "netserver/lorawan/join_request.h"
#include "netserver/lorawan/keys.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/rejoin_request.h"

using namespace uchet::lorawan;

namespace {

Bytes hex(std::string_view text) { return *parse_hex(text); }
Key key(std::string_view text) { return *parse_key(text); }
std::string hex_of(ByteView bytes) { return to_hex(bytes); }

const Key kCsKey = key("0102030405060708090a0b0c0d0e0f10");

template <class R>
std::string error_of(const R& result) {
  return result ? std::string() : result.error();
}

}  // namespace

TEST_CASE("A join-request parses, rebuilds and carries the lora-packet MIC (vector 5)") {
  const Bytes phy = hex("0039363463336913AA05693574323831330489C65B1304");
  auto request = parse_join_request(phy);
  REQUIRE(request);
  CHECK(request->join_eui == 0xAA13693363343639);
  CHECK(request->dev_eui == 0x3331383274356905);
  CHECK(request->dev_nonce == 0x8904);
  CHECK(join_mic(key("98929b92c49edba9676d646d3b612456"), mic_message(phy)) == request->mic);
  CHECK(hex_of(request->mic) == "c65b1304");
  CHECK(build_join_request(*request) == phy);
}

TEST_CASE("A join-request is built and signed as ChirpStack does (vector 12)") {
  JoinRequest request{0x0101010101010101, 0x0202020202020202, 0x0303, {}};
  Bytes phy = build_join_request(request);
  set_mic(phy, join_mic(kCsKey, mic_message(phy)));
  CHECK(hex_of(phy) ==
        "00010101010101010102020202020202020303"
        "09b97b32");
}

TEST_CASE("Malformed join-requests are rejected with a reason") {
  CHECK_THAT(error_of(parse_join_request({})), Catch::Contains("empty"));
  CHECK_THAT(error_of(parse_join_request(hex("0039363463336913AA05693574323831330489C65B13"))),
             Catch::Contains("23 bytes"));
  CHECK_THAT(error_of(parse_join_request(hex("0039363463336913AA05693574323831330489C65B130400"))),
             Catch::Contains("23 bytes"));
  CHECK_THAT(error_of(parse_join_request(hex("4039363463336913AA05693574323831330489C65B1304"))),
             Catch::Contains("expected a join-request"));
  CHECK_THAT(error_of(parse_join_request(hex("0239363463336913AA05693574323831330489C65B1304"))),
             Catch::Contains("Major"));
}

TEST_CASE("A 1.0 join-accept has the lora-packet MIC and encrypts to its on-air form (vector 6)") {
  const Key app_key = key("98929b92c49edba9676d646d3b612456");
  const Bytes plain = hex("20386337CCBBAAE7CD2C010000D9D0A6E7");
  auto accept = parse_join_accept(plain);
  REQUIRE(accept);
  CHECK(accept->join_nonce == 0x376338);
  CHECK(accept->net_id == 0xAABBCC);
  CHECK(accept->dev_addr == 0x012CCDE7);
  CHECK_FALSE(accept->cf_list.has_value());
  CHECK(hex_of(join_mic(app_key, mic_message(plain))) == "d9d0a6e7");
  CHECK(build_join_accept(*accept) == plain);
  auto on_air = encrypt_join_accept(plain, app_key);
  REQUIRE(on_air);
  CHECK(hex_of(*on_air) == "2088f36ae3b21314bc284e314e99257328");
  CHECK(decrypt_join_accept(*on_air, app_key) == plain);
}

TEST_CASE("The all-zero join-accept encrypts to the lora-packet on-air bytes (vector 7)") {
  const Key zero{};
  const Bytes plain = hex("20000000000000000000000000f86f0a91");
  CHECK(join_mic(zero, mic_message(plain)) == mic_of(plain));
  CHECK(hex_of(*encrypt_join_accept(plain, zero)) == "20e3de108795f776b8037610ef7869b5b3");
  CHECK(hex_of(*decrypt_join_accept(hex("20e3de108795f776b8037610ef7869b5b3"), zero)) == hex_of(plain));
}

TEST_CASE("A 1.0 join-accept is built, signed and encrypted as ChirpStack does (vector 13)") {
  JoinAccept accept;
  accept.join_nonce = 65793;
  accept.net_id = 0x020202;
  accept.dev_addr = 0x01020304;
  Bytes plain = build_join_accept(accept);
  set_mic(plain, join_mic(kCsKey, mic_message(plain)));
  CHECK(hex_of(mic_of(plain)) == "3449f212");
  CHECK(hex_of(*encrypt_join_accept(plain, kCsKey)) == "2023cf335489aae3183c0be0baa8dee5f3");
}

TEST_CASE("A 1.1 join-accept with OptNeg signs JoinReqType, JoinEUI and DevNonce (vector 14)") {
  JoinAccept accept;
  accept.join_nonce = 65793;
  accept.net_id = 0x020202;
  accept.dev_addr = 0x01020304;
  accept.dl_settings.opt_neg = true;
  Bytes plain = build_join_accept(accept);
  CHECK(plain[11] == 0x80);
  set_mic(plain, join_accept_mic_11(kCsKey, JoinReqType::JoinRequest, 0x0807060504030201, 258, mic_message(plain)));
  CHECK(hex_of(mic_of(plain)) == "93ff9a3a");
  CHECK(hex_of(*encrypt_join_accept(plain, kCsKey)) == "207abeea06b02920f11c02d0348fcf1815");
  // Answering a rejoin instead must not verify on the device.
  CHECK(join_accept_mic_11(kCsKey, JoinReqType::RejoinType0, 0x0807060504030201, 258, mic_message(plain)) !=
        mic_of(plain));
}

TEST_CASE("A join-accept with a CFList is 33 bytes and round-trips through encryption") {
  JoinAccept accept;
  accept.join_nonce = 0xABCDEF;
  accept.net_id = 0x000013;
  accept.dev_addr = 0x26011234;
  accept.dl_settings = {false, 2, 3};
  accept.rx_delay = 1;
  accept.cf_list = *build_cf_list(std::array<std::uint32_t, 2>{867'100'000, 867'300'000});
  Bytes plain = build_join_accept(accept);
  REQUIRE(plain.size() == kJoinAcceptWithCfListSize);
  set_mic(plain, join_mic(kCsKey, mic_message(plain)));
  auto on_air = encrypt_join_accept(plain, kCsKey);
  REQUIRE(on_air);
  auto back = decrypt_join_accept(*on_air, kCsKey);
  REQUIRE(back);
  auto parsed = parse_join_accept(*back);
  REQUIRE(parsed);
  accept.mic = mic_of(plain);
  CHECK(*parsed == accept);
  CHECK(parsed->dl_settings.to_byte() == 0x23);
}

TEST_CASE("DLSettings pack OptNeg, RX1DROffset and RX2 data rate into one byte") {
  CHECK(DlSettings{true, 5, 15}.to_byte() == 0xDF);
  CHECK(DlSettings::from_byte(0xDF) == DlSettings{true, 5, 15});
  CHECK(DlSettings::from_byte(0x12) == DlSettings{false, 1, 2});
}

TEST_CASE("Malformed join-accepts are rejected with a reason") {
  const Key k{};
  CHECK_THAT(error_of(parse_join_accept({})), Catch::Contains("empty"));
  CHECK_THAT(error_of(parse_join_accept(hex("20000000000000000000000000f86f0a"))), Catch::Contains("17 or 33"));
  CHECK_THAT(error_of(parse_join_accept(hex("20000000000000000000000000f86f0a9100"))), Catch::Contains("17 or 33"));
  CHECK_THAT(error_of(parse_join_accept(hex("00000000000000000000000000f86f0a91"))),
             Catch::Contains("expected a join-accept"));
  CHECK_THAT(error_of(decrypt_join_accept(hex("20e3de108795f776b8037610ef7869b5"), k)), Catch::Contains("17 or 33"));
  CHECK_THAT(error_of(encrypt_join_accept(hex("4000"), k)), Catch::Contains("expected a join-accept"));
  CHECK_THAT(error_of(parse_join_accept(hex("21000000000000000000000000f86f0a91"))), Catch::Contains("Major"));
}

TEST_CASE("Rejoin-requests of type 0 and 2 carry NetID and are signed with SNwkSIntKey") {
  const Key s_nwk_s_int_key = key("00112233445566778899aabbccddeeff");
  for (std::uint8_t type : {0, 2}) {
    RejoinRequest request{type, 0x000013, 0, 0x0004A30B001C0530, 7, {}};
    Bytes phy = *build_rejoin_request(request);
    REQUIRE(phy.size() == 19);
    CHECK(phy[0] == 0xC0);
    set_mic(phy, join_mic(s_nwk_s_int_key, mic_message(phy)));
    auto parsed = parse_rejoin_request(phy);
    REQUIRE(parsed);
    request.mic = mic_of(phy);
    CHECK(*parsed == request);
    CHECK(join_mic(s_nwk_s_int_key, mic_message(phy)) == parsed->mic);
  }
}

TEST_CASE("A rejoin-request of type 1 carries JoinEUI and is 24 bytes") {
  RejoinRequest request{1, 0, 0x70B3D57ED0000001, 0x0004A30B001C0530, 0x0102, {1, 2, 3, 4}};
  const Bytes phy = *build_rejoin_request(request);
  CHECK(hex_of(phy) == "c001010000d07ed5b37030051c000ba30400020101020304");
  CHECK(parse_rejoin_request(phy) == request);
}

TEST_CASE("Malformed rejoin-requests are rejected with a reason") {
  CHECK_THAT(error_of(parse_rejoin_request(hex("c0"))), Catch::Contains("truncated"));
  CHECK_THAT(error_of(parse_rejoin_request(hex("c003"))), Catch::Contains("RejoinType"));
  CHECK_THAT(error_of(parse_rejoin_request(hex("c00013000030051c000ba304000700aabbcc"))), Catch::Contains("19"));
  CHECK_THAT(error_of(parse_rejoin_request(hex("c00113000030051c000ba304000700aabbccdd"))), Catch::Contains("24"));
  CHECK_THAT(error_of(parse_rejoin_request(hex("000013000030051c000ba304000700aabbccdd"))),
             Catch::Contains("expected a rejoin-request"));
  CHECK_FALSE(build_rejoin_request(RejoinRequest{.rejoin_type = 3}));
}

TEST_CASE("Proprietary frames keep everything after the MHDR") {
  auto frame = parse_proprietary_frame(hex("e0010203"));
  REQUIRE(frame);
  CHECK(hex_of(frame->payload) == "010203");
  CHECK(hex_of(*build_proprietary_frame(*frame)) == "e0010203");
  CHECK_THAT(error_of(parse_proprietary_frame(hex("40010203"))), Catch::Contains("expected a proprietary"));
  CHECK_THAT(error_of(parse_proprietary_frame({})), Catch::Contains("empty"));
  CHECK_FALSE(build_proprietary_frame(ProprietaryFrame{0, Bytes(255, 0)}));
}

TEST_CASE("The MHDR names every MType and its direction") {
  CHECK(encode_mhdr({MType::Proprietary, 0}) == 0xE0);
  CHECK(parse_mhdr(hex("c0"))->mtype == MType::RejoinRequest);
  CHECK(to_string(MType::ConfirmedDataDown) == "ConfirmedDataDown");
  CHECK(direction_of(MType::JoinAccept) == Direction::Downlink);
  CHECK(direction_of(MType::ConfirmedDataUp) == Direction::Uplink);
  CHECK(is_confirmed(MType::ConfirmedDataDown));
  CHECK_FALSE(is_data_frame(MType::JoinRequest));
}
