// Every entry of tests/data/lorawan/lorawan-vectors.json (generated with lora-packet 0.9.3):
// identifiers there are values (big-endian text), phy_payload is on-air hex.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/join_accept.h"
#include "netserver/lorawan/join_request.h"
#include "netserver/lorawan/keys.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/payload_crypto.h"

using namespace uchet::lorawan;
using nlohmann::json;

namespace {

const json& vectors() {
  static const json data = [] {
    std::ifstream in(std::string(UCHET_TEST_DATA) + "/lorawan/lorawan-vectors.json");
    REQUIRE(in);
    return json::parse(in);
  }();
  return data;
}

Bytes hex(const json& field) { return *parse_hex(field.get<std::string>()); }
Key key(const json& field) { return *parse_key(field.get<std::string>()); }
std::uint64_t value(const json& field) { return std::stoull(field.get<std::string>(), nullptr, 16); }
std::string hex_of(ByteView bytes) { return to_hex(bytes); }

MType mtype_named(const std::string& name) {
  if (name == "Unconfirmed Data Up") return MType::UnconfirmedDataUp;
  if (name == "Confirmed Data Up") return MType::ConfirmedDataUp;
  if (name == "Unconfirmed Data Down") return MType::UnconfirmedDataDown;
  if (name == "Confirmed Data Down") return MType::ConfirmedDataDown;
  FAIL("unknown mtype " << name);
  return MType::Proprietary;
}

}  // namespace

TEST_CASE("Every join-request vector parses, verifies its MIC and rebuilds identically") {
  REQUIRE(vectors()["join_requests"].size() == 6);
  for (const auto& v : vectors()["join_requests"]) {
    INFO(v.dump());
    const Bytes phy = hex(v["phy_payload"]);
    auto request = parse_join_request(phy);
    REQUIRE(request);
    CHECK(request->join_eui == value(v["join_eui"]));
    CHECK(request->dev_eui == value(v["dev_eui"]));
    CHECK(request->dev_nonce == value(v["dev_nonce"]));
    CHECK(hex_of(join_mic(key(v["app_key"]), mic_message(phy))) == v["mic"].get<std::string>());
    CHECK(build_join_request(*request) == phy);
  }
}

TEST_CASE("Every join-accept vector is built, signed, encrypted and keyed as lora-packet does") {
  REQUIRE(vectors()["join_accepts"].size() == 6);
  for (const auto& v : vectors()["join_accepts"]) {
    INFO(v.dump());
    const Key app_key = key(v["app_key"]);
    JoinAccept accept;
    accept.join_nonce = static_cast<std::uint32_t>(value(v["join_nonce"]));
    accept.net_id = static_cast<NetId>(value(v["net_id"]));
    accept.dev_addr = static_cast<DevAddr>(value(v["dev_addr"]));
    accept.dl_settings = DlSettings::from_byte(v["dl_settings"].get<std::uint8_t>());
    accept.rx_delay = v["rx_delay"].get<std::uint8_t>();
    if (const Bytes cf = hex(v["cf_list"]); !cf.empty()) {
      REQUIRE(cf.size() == 16);
      accept.cf_list.emplace();
      std::copy(cf.begin(), cf.end(), accept.cf_list->begin());
    }
    Bytes plain = build_join_accept(accept);
    set_mic(plain, join_mic(app_key, mic_message(plain)));
    CHECK(hex_of(mic_of(plain)) == v["mic"].get<std::string>());
    CHECK(hex_of(plain) == v["plaintext_phy_payload"].get<std::string>());

    auto on_air = encrypt_join_accept(plain, app_key);
    REQUIRE(on_air);
    CHECK(hex_of(*on_air) == v["phy_payload"].get<std::string>());
    auto decrypted = decrypt_join_accept(hex(v["phy_payload"]), app_key);
    REQUIRE(decrypted);
    auto parsed = parse_join_accept(*decrypted);
    REQUIRE(parsed);
    accept.mic = mic_of(plain);
    CHECK(*parsed == accept);

    const auto keys = derive_session_keys_10(app_key, accept.join_nonce, accept.net_id,
                                             static_cast<std::uint16_t>(value(v["dev_nonce"])));
    CHECK(key_to_string(keys.nwk_s_key()) == v["nwk_s_key"].get<std::string>());
    CHECK(key_to_string(keys.app_s_key) == v["app_s_key"].get<std::string>());
  }
}

TEST_CASE("Every data-frame vector parses, verifies its 32-bit-FCnt MIC, decrypts and rebuilds") {
  REQUIRE(vectors()["data_frames"].size() == 24);
  for (const auto& v : vectors()["data_frames"]) {
    INFO(v.dump());
    const Bytes phy = hex(v["phy_payload"]);
    auto frame = parse_data_frame(phy);
    REQUIRE(frame);
    const auto fcnt = static_cast<std::uint32_t>(v["fcnt"].get<std::uint64_t>());
    const auto dev_addr = static_cast<DevAddr>(value(v["dev_addr"]));
    CHECK(frame->mhdr.mtype == mtype_named(v["mtype"]));
    CHECK(frame->dev_addr == dev_addr);
    CHECK(frame->fcnt16 == static_cast<std::uint16_t>(fcnt));
    CHECK(frame->fctrl.adr == v["fctrl"]["ADR"].get<bool>());
    CHECK(frame->fctrl.ack == v["fctrl"]["ACK"].get<bool>());
    if (frame->direction() == Direction::Uplink) {
      CHECK(frame->fctrl.adr_ack_req == v["fctrl"]["ADRACKReq"].get<bool>());
    } else {
      CHECK(frame->fctrl.class_b_or_f_pending == v["fctrl"]["FPending"].get<bool>());
    }
    CHECK(hex_of(frame->fopts) == v["fopts"].get<std::string>());
    CHECK(frame->fport == v["fport"].get<int>());
    CHECK(hex_of(frame->mic) == v["mic"].get<std::string>());

    CHECK(data_mic_10(key(v["nwk_s_key"]), frame->direction(), dev_addr, fcnt, mic_message(phy)) == frame->mic);

    const Key payload_key = key(v[v["frm_payload_key"].get<std::string>()]);
    CHECK(hex_of(decrypt_frm_payload(payload_key, frame->direction(), dev_addr, fcnt, frame->frm_payload)) ==
          v["frm_payload_plain"].get<std::string>());

    // Build from the plain values, as a network server would for a downlink.
    DataFrame built;
    built.mhdr = {mtype_named(v["mtype"]), 0};
    built.dev_addr = dev_addr;
    built.fctrl = {
        v["fctrl"]["ADR"].get<bool>(), frame->direction() == Direction::Uplink && v["fctrl"]["ADRACKReq"].get<bool>(),
        v["fctrl"]["ACK"].get<bool>(), frame->direction() == Direction::Downlink && v["fctrl"]["FPending"].get<bool>()};
    built.fcnt16 = static_cast<std::uint16_t>(fcnt);
    built.fopts = hex(v["fopts"]);
    built.fport = v["fport"].get<std::uint8_t>();
    built.frm_payload =
        encrypt_frm_payload(payload_key, built.direction(), dev_addr, fcnt, hex(v["frm_payload_plain"]));
    auto bytes = build_data_frame(built);
    REQUIRE(bytes);
    set_mic(*bytes, data_mic_10(key(v["nwk_s_key"]), built.direction(), dev_addr, fcnt, mic_message(*bytes)));
    CHECK(hex_of(*bytes) == v["phy_payload"].get<std::string>());
    CHECK(build_data_frame(*frame) == phy);
  }
}
