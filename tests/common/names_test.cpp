// The name rule shared by uchetctl (which creates names) and the MQTT command listener (which
// reads them back from topics any client can send).
#include <catch2/catch.hpp>

#include "common/byte_reader.h"
#include "common/names.h"
#include "common/uuid.h"

using namespace uchet::common;

TEST_CASE("names that can be an MQTT topic level are accepted, others refused with a reason") {
  for (std::string_view ok : {"water", "heat-msk_2", "холодная-вода", "кв.12", "a"}) {
    INFO(ok);
    CHECK_FALSE(name_error(ok));
  }
  CHECK_FALSE(name_error(std::string(100, 'w')));
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"", "empty"},
      {std::string(101, 'w'), "at most 100 bytes"},
      {"a b", "spaces"},
      {"a/b", "'/'"},
      {"a+b", "'+'"},
      {"a#b", "'#'"},
      {"a\tb", "control"},
      {std::string("a\0b", 3), "control"},
      {"a\x7F", "control"},
      {"a\xC2\x85", "control"},                 // U+0085
      {"a\xC2\x9F", "control"},                 // U+009F
      {"a\xEF\xB7\x90", "non-characters"},      // U+FDD0
      {"a\xEF\xBF\xBF", "non-characters"},      // U+FFFF
      {"a\xF4\x8F\xBF\xBE", "non-characters"},  // U+10FFFE
      {"a\xF2", "UTF-8"},
      {"a\xC0\x80", "UTF-8"},      // overlong NUL
      {"a\xED\xBF\xBF", "UTF-8"},  // surrogate
  };
  for (const auto& [name, why] : refused) {
    INFO(name);
    const auto error = name_error(name);
    REQUIRE(error);
    CHECK(error->find(why) != std::string::npos);
  }
}

TEST_CASE("ByteReader never reads past the end and reads big-endian signed integers") {
  const std::vector<std::uint8_t> bytes{0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x01};
  ByteReader in(bytes);
  CHECK(in.be_signed(4) == -2);
  CHECK(in.be_signed(4) == std::nullopt);  // only 2 left: nothing is consumed
  CHECK(in.remaining() == 2);
  CHECK(in.be_signed(2) == 1);
  CHECK(in.at_end());
  CHECK_FALSE(in.u8());
  CHECK(le_uint(bytes, 4, 2) == 0x0100);
  CHECK_FALSE(le_uint(bytes, 5, 2));
}

TEST_CASE("UUIDs are recognised in either case and given back lower-case") {
  CHECK(canonical_uuid("0c5b2444-70a0-4932-980c-b4dc0d3f02b5") == "0c5b2444-70a0-4932-980c-b4dc0d3f02b5");
  CHECK(canonical_uuid("0C5B2444-70A0-4932-980C-B4DC0D3F02B5") == "0c5b2444-70a0-4932-980c-b4dc0d3f02b5");
  for (const char* bad : {"", "1", "0c5b244470a04932980cb4dc0d3f02b5", "0c5b2444-70a0-4932-980c-b4dc0d3f02b",
                          "0c5b2444-70a0-4932-980c-b4dc0d3f02b5a", "0c5b2444_70a0-4932-980c-b4dc0d3f02b5",
                          "0c5b2444-70a0-4932-980c-b4dc0d3f02bg", "{c5b2444-70a0-4932-980c-b4dc0d3f02b}"}) {
    INFO(bad);
    CHECK_FALSE(canonical_uuid(bad));
  }
}
