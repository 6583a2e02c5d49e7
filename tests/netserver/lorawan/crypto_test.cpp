// AES and AES-CMAC against RFC 4493 §4.
#include <catch2/catch.hpp>

#include "netserver/lorawan/crypto.h"
#include "netserver/lorawan/encoding.h"

using namespace uchet::lorawan;

namespace {

const Key kRfcKey = *parse_key("2b7e151628aed2a6abf7158809cf4f3c");
const Bytes kRfcMessage = *parse_hex(
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");

}  // namespace

TEST_CASE("AES-128 encrypts the zero block of the RFC 4493 key to its L value") {
  CHECK(to_hex(aes128_encrypt(kRfcKey, Block{})) == "7df76b0c1ab899b33e42f047b91b546f");
}

TEST_CASE("AES-128 decrypt undoes encrypt") {
  Block block{};
  std::copy_n(kRfcMessage.begin(), 16, block.begin());
  CHECK(aes128_decrypt(kRfcKey, aes128_encrypt(kRfcKey, block)) == block);
}

TEST_CASE("AES-CMAC matches RFC 4493 for messages of 0, 16, 40 and 64 bytes") {
  auto cmac_of_prefix = [](std::size_t n) { return to_hex(aes_cmac(kRfcKey, ByteView(kRfcMessage).first(n))); };
  CHECK(cmac_of_prefix(0) == "bb1d6929e95937287fa37d129b756746");
  CHECK(cmac_of_prefix(16) == "070a16b46b4d4144f79bdd9dd04a287c");
  CHECK(cmac_of_prefix(40) == "dfa66747de9ae63030ca32611497c827");
  CHECK(cmac_of_prefix(64) == "51f0bebf7e3b9d92fc49741779363cfe");
}
