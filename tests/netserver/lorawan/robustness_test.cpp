// Parsers meet hostile input: every truncation of valid frames and pseudo-random garbage must
// come back as a value or an error, never as a crash or an out-of-bounds read (run under
// -fsanitize=address,undefined to make the latter visible).
#include <catch2/catch.hpp>

#include <random>

#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/join_accept.h"
#include "netserver/lorawan/join_request.h"
#include "netserver/lorawan/mac_commands.h"
#include "netserver/lorawan/rejoin_request.h"

using namespace uchet::lorawan;

namespace {

// Runs every parser; returns how many accepted the input.
int parse_everything(ByteView input) {
  int accepted = 0;
  accepted += parse_mhdr(input).has_value();
  accepted += parse_data_frame(input).has_value();
  accepted += parse_join_request(input).has_value();
  accepted += parse_join_accept(input).has_value();
  accepted += decrypt_join_accept(input, Key{}).has_value();
  accepted += parse_rejoin_request(input).has_value();
  accepted += parse_proprietary_frame(input).has_value();
  decode_uplink_mac_commands(input);
  decode_downlink_mac_commands(input);
  return accepted;
}

}  // namespace

TEST_CASE("Every truncation of a valid frame is parsed or rejected without crashing") {
  for (auto text : {"40f17dbe490004000155332de41a11adc072553544429ce7787707d1c316e027e7e5e334263376affb8aa17ad3",
                    "0039363463336913AA05693574323831330489C65B1304",
                    "206cc721fb07b2e93cb372a44a5f22bbd14bb7ddc73a2fb1e4db76fc6407f8bb3d",
                    "c001010000d07ed5b37030051c000ba30400020101020304", "a0da5518a20600000d8a4c2b4a400a49dadae2"}) {
    const Bytes frame = *parse_hex(text);
    for (std::size_t n = 0; n <= frame.size(); ++n) {
      // Exact-size copies so that a read past the end lands outside the allocation.
      const Bytes prefix(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
      parse_everything(prefix);
    }
  }
  SUCCEED();
}

TEST_CASE("Pseudo-random bytes are parsed or rejected without crashing") {
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(0, 300);
  for (int i = 0; i < 20'000; ++i) {
    Bytes input(length(rng));
    for (auto& b : input) b = static_cast<std::uint8_t>(byte(rng));
    // Steer half of the inputs towards valid MHDRs so the per-MType code runs too.
    if (!input.empty() && i % 2 == 0) input[0] &= 0xE0;
    const int accepted = parse_everything(input);
    if (input.size() > kMaxPhyPayloadSize) CHECK(accepted == 0);
  }
}

TEST_CASE("Every FOptsLen against every frame length either fits or is rejected") {
  for (std::size_t size = 12; size <= 30; ++size) {
    for (std::uint8_t fopts_len = 0; fopts_len <= 15; ++fopts_len) {
      Bytes phy(size, 0);
      phy[0] = 0x40;
      phy[5] = fopts_len;
      phy[8 + std::min<std::size_t>(fopts_len, size - 9)] = 1;  // a non-zero FPort where one may be
      auto frame = parse_data_frame(phy);
      if (std::size_t{8} + fopts_len + 4 > size) {
        CHECK_FALSE(frame);
      } else if (frame) {
        CHECK(frame->fopts.size() == fopts_len);
        CHECK(build_data_frame(*frame) == phy);
      }
    }
  }
}
