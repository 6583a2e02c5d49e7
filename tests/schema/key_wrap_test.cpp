// AES key wrap (schema/key_wrap.h) against RFC 3394's own test vectors (sections 4.1 and 4.6),
// and the integrity check that makes a wrong KEK an error instead of wrong key material.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"
#include "schema/key_wrap.h"

using namespace uchet::schema;
using uchet::lorawan::parse_hex;
using uchet::lorawan::to_hex;

namespace {

KeyEncryptionKey kek(const char* hex) { return KeyEncryptionKey{*parse_hex(hex)}; }

// Wraps `plain` with `kek_hex`, expects RFC 3394's ciphertext, and unwraps it back.
void check_vector(const char* kek_hex, const char* plain_hex, const char* wrapped_hex) {
  auto k = kek(kek_hex);
  auto plain = *parse_hex(plain_hex);
  auto wrapped = wrap_key(k, plain);
  REQUIRE(wrapped);
  CHECK(to_hex(*wrapped) == wrapped_hex);
  auto unwrapped = unwrap_key(k, *wrapped);
  REQUIRE(unwrapped);
  CHECK(*unwrapped == plain);
}

}  // namespace

TEST_CASE("RFC 3394 4.1: 128 bits of key data wrapped with a 128-bit KEK") {
  check_vector("000102030405060708090A0B0C0D0E0F", "00112233445566778899AABBCCDDEEFF",
               "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
}

TEST_CASE("RFC 3394 4.6: 256 bits of key data wrapped with a 256-bit KEK") {
  check_vector("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
               "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
               "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21");
}

TEST_CASE("a wrong KEK or an altered wrap does not unwrap") {
  auto right = kek("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  auto wrong = kek("100102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  auto plain = *parse_hex("00112233445566778899AABBCCDDEEFF");
  auto wrapped = *wrap_key(right, plain);
  CHECK_FALSE(unwrap_key(wrong, wrapped));
  auto altered = wrapped;
  altered[5] ^= 0x01;
  CHECK_FALSE(unwrap_key(right, altered));
}

TEST_CASE("key wrap refuses KEKs and data of the wrong size") {
  auto plain = *parse_hex("00112233445566778899AABBCCDDEEFF");
  CHECK_FALSE(wrap_key(kek("0001020304050607"), plain));
  auto k = kek("000102030405060708090A0B0C0D0E0F");
  CHECK_FALSE(wrap_key(k, *parse_hex("0011223344556677")));                    // shorter than 16 bytes
  CHECK_FALSE(wrap_key(k, *parse_hex("00112233445566778899AABBCCDDEEFF00")));  // not a multiple of 8
  CHECK_FALSE(unwrap_key(k, *parse_hex("1fa68b0a8112b447aef34bd8fb5a7b82")));  // shorter than 24 bytes
}
