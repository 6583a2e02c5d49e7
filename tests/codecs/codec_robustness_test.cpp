// Every registered codec meets hostile payloads: truncations of valid packets and pseudo-random
// bytes steered towards each packet type. A codec must answer with a value or a reason, never
// crash, read outside the payload (visible under tools/test --sanitize) or hand the `up` event a
// JSON object that cannot be serialised.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "codec_test_util.h"
#include "codecs/codec.h"

using namespace uchet::codecs;

namespace {

struct Outcome {
  int decoded = 0, refused = 0;
};

void decode_and_dump(const std::string& codec, std::uint8_t fport, const std::vector<std::uint8_t>& payload,
                     Outcome& outcome) {
  auto result = decode(codec, fport, payload);
  if (!result) {
    CHECK_FALSE(result.error().empty());  // a refusal always says why
    ++outcome.refused;
    return;
  }
  ++outcome.decoded;
  CHECK(result->codec == codec);
  // dump() throws on invalid UTF-8: text taken from a device must have been sanitised.
  CHECK_NOTHROW(to_json(*result).dump());
}

// A KARAT-926LW current packet (layout in docs/karat-payloads.md) and two real M-Bus telegrams.
const std::vector<std::uint8_t> kKaratCurrent{0x01, 87, 0x20, 0xA9, 0x02, 0x6B, 0x02, 0x00,
                                              21,   1,  0x01, 0x40, 0xE2, 0x01, 0x00};

std::vector<std::vector<std::uint8_t>> valid_packets() {
  return {kKaratCurrent, test::hex_file("mbus/frame2.hex"), test::hex_file("mbus/engelmann_sensostar2c.hex")};
}

}  // namespace

TEST_CASE("every truncation of a valid packet is decoded or refused by every codec", "[robustness]") {
  Outcome outcome;
  for (const auto& codec : known_codecs()) {
    for (const auto& packet : valid_packets()) {
      for (std::size_t n = 0; n <= packet.size(); ++n) {
        // Exact-size copies: a read past the end lands outside the allocation.
        const std::vector<std::uint8_t> prefix(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(n));
        for (std::uint8_t fport : {0, 1, 2, 3, 10, 223}) decode_and_dump(codec, fport, prefix, outcome);
      }
    }
  }
  CHECK(outcome.decoded > 0);  // the whole packets are valid for their codecs
  CHECK(outcome.refused > 0);
}

TEST_CASE("pseudo-random payloads are decoded or refused by every codec", "[robustness]") {
  std::mt19937 rng(20261204);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(0, 120);
  Outcome outcome;
  for (const auto& codec : known_codecs()) {
    for (int i = 0; i < 5'000; ++i) {
      std::vector<std::uint8_t> payload(length(rng));
      for (auto& b : payload) b = static_cast<std::uint8_t>(byte(rng));
      // Steer most inputs past the first check: a known packet type, or an M-Bus start.
      if (!payload.empty() && i % 4 != 0) {
        payload[0] = static_cast<std::uint8_t>(i % 4 == 1 ? 1 + byte(rng) % 5 : (i % 4 == 2 ? 0x68 : 0x72));
      }
      const auto fport = static_cast<std::uint8_t>(i % 3 == 0 ? byte(rng) : 2);
      decode_and_dump(codec, fport, payload, outcome);
    }
  }
  CHECK(outcome.refused > 0);
}

TEST_CASE("mutations of valid packets are decoded or refused by every codec", "[robustness]") {
  std::mt19937 rng(4242);
  Outcome outcome;
  for (const auto& codec : known_codecs()) {
    for (const auto& packet : valid_packets()) {
      for (int round = 0; round < 1'000; ++round) {
        auto mutated = packet;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i) mutated[rng() % mutated.size()] = static_cast<std::uint8_t>(rng());
        decode_and_dump(codec, 2, mutated, outcome);
      }
    }
  }
  CHECK(outcome.decoded > 0);
  CHECK(outcome.refused > 0);
}
