// libmbus's error-*.hex frames must be rejected with a clear reason, and no telegram -- whole,
// truncated anywhere, or with a byte flipped -- may crash or throw out of decode.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <random>

#include "codec_test_util.h"
#include "codecs/codec.h"
#include "codecs/mbus_codec.h"

using namespace uchet::codecs;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> hex_files(const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(test::data_path("mbus"))) {
    const auto name = e.path().filename().string();
    if (e.path().extension() == ".hex" && name.rfind(prefix, 0) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Decoding must return (value or reason); the JSON of a success must serialise.
void must_not_crash(std::span<const std::uint8_t> bytes) {
  for (const char* codec : {"mbus", "karat-307-mbus", "karat-compact-mbus", "karat-926lw"}) {
    const auto r = decode(codec, 2, bytes);
    if (r) {
      CHECK_NOTHROW(to_json(*r).dump());
    } else {
      CHECK_FALSE(r.error().empty());
    }
  }
}

}  // namespace

TEST_CASE("every libmbus error frame is rejected with its reason", "[mbus][errors]") {
  const std::map<std::string, std::string> reasons{
      {"error-application_busy.hex", "meter reported an application error: application busy"},
      {"error-error.hex", "meter reported an application error: unspecified application error"},
      {"error-premature_end_of_data2.hex", "record 2: premature end of data (needs 3 data bytes, 2 left)"},
      {"error-premature_end_of_dif2.hex", "record 2: premature end of data at DIFE"},
      {"error-premature_end_of_var_vif1.hex", "record 3: premature end of data in plain-text VIF"},
      {"error-too_long_var_vif.hex", "record 3: plain-text VIF too long (length 0xF3 > 0xBF)"},
      {"error-too_many_difes.hex", "meter reported an application error: more than 10 DIFEs"},
      {"error-too_many_records.hex", "meter reported an application error: too many records"},
      {"error-too_many_vifes.hex", "meter reported an application error: more than 10 VIFEs"},
      {"error-unimplemented_ci.hex", "meter reported an application error: unimplemented CI field"},
  };
  const auto files = hex_files("error-");
  REQUIRE(files.size() == reasons.size());
  for (const auto& f : files) {
    INFO(f);
    REQUIRE(reasons.count(f) == 1);
    const auto bytes = test::hex_file("mbus/" + f);
    const auto raw = mbus::decode_raw(bytes);
    REQUIRE_FALSE(raw.has_value());
    CHECK_THAT(raw.error(), Catch::StartsWith(reasons.at(f)));
    const auto via_registry = decode("karat-307-mbus", 2, bytes);
    REQUIRE_FALSE(via_registry.has_value());
    CHECK(via_registry.error() == raw.error());
  }
}

TEST_CASE("every truncation of every telegram returns without crashing", "[mbus][robustness]") {
  for (const auto& f : hex_files("")) {
    INFO(f);
    const auto bytes = test::hex_file("mbus/" + f);
    for (std::size_t n = 0; n <= bytes.size(); ++n) {
      must_not_crash(std::span(bytes.data(), n));
      if (n < bytes.size() && !bytes.empty() && bytes[0] == 0x68) {
        // A cut long frame never passes the length check.
        CHECK_FALSE(mbus::decode_raw(std::span(bytes.data(), n)).has_value());
      }
    }
    // The same for the bare application layer (from CI on) of framed telegrams.
    if (bytes.size() > 8 && bytes[0] == 0x68) {
      const std::span<const std::uint8_t> app(bytes.data() + 6, bytes.size() - 8);
      for (std::size_t n = 0; n <= app.size(); ++n) must_not_crash(app.first(n));
    }
  }
}

TEST_CASE("flipped bytes never crash the decoders", "[mbus][robustness]") {
  std::mt19937 rng(1234);
  for (const auto& f : hex_files("")) {
    const auto bytes = test::hex_file("mbus/" + f);
    if (bytes.size() < 9) continue;
    std::vector<std::uint8_t> app(bytes.begin() + 6, bytes.end() - 2);
    for (int round = 0; round < 200; ++round) {
      auto mutated = app;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < flips; ++i) mutated[rng() % mutated.size()] = static_cast<std::uint8_t>(rng());
      must_not_crash(mutated);
    }
  }
}
