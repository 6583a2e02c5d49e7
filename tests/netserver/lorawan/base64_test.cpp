// Base64 as the Semtech protocol and MQTT commands carry payloads: the canonical text and its
// unpadded form are accepted; white space around it and non-zero bits beyond the data in the last
// character (other spellings of the same bytes) are refused.
#include <catch2/catch.hpp>

#include "netserver/lorawan/encoding.h"

using namespace uchet::lorawan;

TEST_CASE("canonical Base64 decodes, with or without padding") {
  CHECK(*parse_base64("AQID") == Bytes{1, 2, 3});
  CHECK(*parse_base64("AQI=") == Bytes{1, 2});
  CHECK(*parse_base64("AQI") == Bytes{1, 2});
  CHECK(*parse_base64("AQ==") == Bytes{1});
  CHECK(*parse_base64("AQ") == Bytes{1});
  CHECK(parse_base64("")->empty());
  for (std::size_t n = 0; n < 40; ++n) {
    Bytes bytes(n);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>(37 * i + 11);
    CHECK(*parse_base64(to_base64(bytes)) == bytes);
  }
}

TEST_CASE("Base64 with surrounding white space is refused") {
  // Padded to a multiple of four with white space, which OpenSSL's decoder skipped.
  for (auto text : {"    AQID", "AQID    ", "  AQID  ", "\t\t\t\tAQID", "AQID\n\n\n\n", "AQID\r\n\r\n"}) {
    INFO(text);
    auto parsed = parse_base64(text);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.error(), Catch::Contains("canonical"));
  }
}

TEST_CASE("Base64 whose last character sets bits beyond the data is refused") {
  // "AQI=" is {1, 2}; "AQJ=" and "AQL=" differ only in the two unused bits. "AR==" likewise
  // for "AQ==" (four unused bits).
  for (auto text : {"AQJ=", "AQL=", "AQJ", "AR==", "AR", "AQIDBB=="}) {
    INFO(text);
    CHECK_FALSE(parse_base64(text));
  }
}
