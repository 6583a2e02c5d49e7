// Session-key derivation, LoRaWAN 1.0.x and 1.1.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/keys.h"

using namespace uchet::lorawan;

namespace {

Key key(std::string_view text) { return *parse_key(text); }
std::string hex_of(const Key& k) { return key_to_string(k); }

}  // namespace

TEST_CASE("1.0 session keys match lora-packet (vector 8)") {
  auto keys = derive_session_keys_10(key("98929b92c49edba9676d646d3b612456"), 0x376338, 0xAABBCC, 0xF18E);
  CHECK(hex_of(keys.nwk_s_key()) == "4e3d6e6afbcc67af2ba3c8e8ec4acf4b");
  CHECK(hex_of(keys.app_s_key) == "610897aa6f1460623443b527d3ac6a9d");
}

TEST_CASE("A 1.0 session uses NwkSKey in all three network-key roles") {
  auto keys = derive_session_keys_10(key("98929b92c49edba9676d646d3b612456"), 0x376338, 0xAABBCC, 0xF18E);
  CHECK(keys.f_nwk_s_int_key == keys.s_nwk_s_int_key);
  CHECK(keys.s_nwk_s_int_key == keys.nwk_s_enc_key);
}

TEST_CASE("1.1 session keys match lora-packet (vector 9)") {
  auto keys = derive_session_keys_11(key("00000000000000000000000000000001"), key("01000000000000000000000000000001"),
                                     0x000003, 0x0000000000000001, 0xE8C2);
  CHECK(hex_of(keys.f_nwk_s_int_key) == "bbd966509be6435f4bcb63acc310466a");
  CHECK(hex_of(keys.s_nwk_s_int_key) == "dea9e621c747af79a65f82dcaed92a99");
  CHECK(hex_of(keys.nwk_s_enc_key) == "c8eefda7400395c94ab072e9c353b29d");
  CHECK(hex_of(keys.app_s_key) == "eb45a0a167b6f1cccb9a678d761c0b03");
}

TEST_CASE("Join-server lifetime keys match lora-packet (vector 10)") {
  const Key nwk_key = key("01010101010101010101010101010101");
  CHECK(hex_of(derive_js_int_key(nwk_key, 1)) == "6b9cc9b000daebb610f1e39758cf69df");
  CHECK(hex_of(derive_js_enc_key(nwk_key, 1)) == "c31fa11abb646ee1c21d5835815528ea");
}

TEST_CASE("Session keys match ChirpStack's key tests for 1.0 and 1.1 (vector 17)") {
  const Key nwk_key = key("01020304050607080102030405060708");
  auto v10 = derive_session_keys_10(nwk_key, 65536, 0x010203, 258);
  CHECK(hex_of(v10.nwk_s_key()) == "df53c35f3034ccced0ff354c70de04df");
  CHECK(hex_of(v10.app_s_key) == "927b9c911183cffe4cb2ff4b75545f6d");

  auto v11 = derive_session_keys_11(nwk_key, Key{}, 65536, 0x0807060504030201, 258);
  CHECK(hex_of(v11.app_s_key) == "01621215d1ca08febf0c602cc2ad90fa");
  CHECK(hex_of(v11.f_nwk_s_int_key) == "537f8aae896c79e015d102d06286354e");
  CHECK(hex_of(v11.s_nwk_s_int_key) == "589498993092cfdb5fd2e02ac7510bf1");
  CHECK(hex_of(v11.nwk_s_enc_key) == "9898283c4f66eb6c6fd5165882046c40");
}

TEST_CASE("A 1.1 device joined with OptNeg 0 derives 1.0 keys from NwkKey") {
  // The same NwkKey gives the ChirpStack 1.0 answers when used as the 1.0 root key.
  auto keys = derive_session_keys_10(key("01020304050607080102030405060708"), 65536, 0x010203, 258);
  CHECK(hex_of(keys.f_nwk_s_int_key) == "df53c35f3034ccced0ff354c70de04df");
  CHECK(hex_of(keys.nwk_s_enc_key) == "df53c35f3034ccced0ff354c70de04df");
  CHECK(hex_of(keys.app_s_key) == "927b9c911183cffe4cb2ff4b75545f6d");
}
