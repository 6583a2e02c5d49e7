// MacState: the ADR history keeps the newest kAdrHistorySize uplinks, the loss ratio follows the
// FCnt gaps inside it, and the JSON form (device_session.mac_state) round-trips every field.
#include <catch2/catch.hpp>

#include <random>

#include "netserver/adr.h"
#include "netserver/mac_state.h"

using namespace uchet::netserver;

TEST_CASE("the ADR history keeps the newest uplinks and measures loss from FCnt gaps") {
  MacState state;
  for (std::uint32_t f = 0; f < 25; ++f) state.record_uplink(static_cast<double>(f) / 4, f * 2);  // every other FCnt
  REQUIRE(state.snr_history.size() == kAdrHistorySize);
  REQUIRE(state.fcnt_history.size() == kAdrHistorySize);
  CHECK(state.snr_history.front() == 5.0 / 4);  // uplinks 5..24 remain
  CHECK(state.snr_history.back() == 24.0 / 4);
  CHECK(state.fcnt_history.front() == 10);
  CHECK(state.fcnt_history.back() == 48);
  // 20 received out of FCnt 10..48 (39 expected).
  CHECK(state.loss_ratio() == Approx(1.0 - 20.0 / 39.0));
}

TEST_CASE("the MAC state survives its JSON form, and unreadable JSON gives an empty state") {
  MacState state;
  state.record_uplink(7.25, 100);
  state.record_uplink(-3.5, 101);
  state.pending_link_adr = PendingLinkAdr{5, 2, 1};
  state.last_dev_status_request = 1'795'000'000;
  state.extra_channels = {864'100'000, 0, 864'500'000};
  state.pending_rx_timing = 1;
  state.pending_rx_param = PendingRxParam{0};
  state.rx_setup_requested_at = 1'795'000'100;
  state.pending_new_channel = PendingNewChannel{1, 864'300'000};
  state.new_channel_requested_at = 1'795'000'200;

  const auto back = parse_mac_state(to_json(state));
  CHECK(back.snr_history == std::vector<double>{7.25, -3.5});
  CHECK(back.fcnt_history == std::vector<std::uint32_t>{100, 101});
  REQUIRE(back.pending_link_adr);
  CHECK(back.pending_link_adr->data_rate == 5);
  CHECK(back.pending_link_adr->tx_power_index == 2);
  CHECK(back.last_dev_status_request == 1'795'000'000);
  CHECK(back.extra_channels == std::vector<std::uint32_t>{864'100'000, 0, 864'500'000});
  CHECK(back.pending_rx_timing == 1);
  REQUIRE(back.pending_rx_param);
  CHECK(back.rx_setup_requested_at == 1'795'000'100);
  REQUIRE(back.pending_new_channel);
  CHECK(back.pending_new_channel->slot == 1);
  CHECK(back.pending_new_channel->frequency_hz == 864'300'000);
  CHECK(back.new_channel_requested_at == 1'795'000'200);

  const auto empty = parse_mac_state("{not json");
  CHECK(empty.snr_history.empty());
  CHECK_FALSE(empty.pending_link_adr);
}

TEST_CASE("members of the wrong type in a stored MAC state read as absent, the rest is kept") {
  const auto state = parse_mac_state(
      R"({"snr":[1.5,"x",-2],"fcnt":[7,-1,8,4294967296],"linkAdr":{"dr":"5","txPower":3},)"
      R"("devStatusAt":"soon","rxTiming":1.5,"rxParam":[],"newChannel":{"slot":2,"hz":-5},"channels":"none"})");
  CHECK(state.snr_history == std::vector<double>{1.5, -2.0});
  CHECK(state.fcnt_history == std::vector<std::uint32_t>{7, 8});
  REQUIRE(state.pending_link_adr);
  CHECK(state.pending_link_adr->data_rate == 0);
  CHECK(state.pending_link_adr->tx_power_index == 3);
  CHECK(state.pending_link_adr->nb_trans == 1);
  CHECK(state.last_dev_status_request == 0);
  CHECK_FALSE(state.pending_rx_timing);
  CHECK_FALSE(state.pending_rx_param);
  REQUIRE(state.pending_new_channel);
  CHECK(state.pending_new_channel->slot == 2);
  CHECK(state.pending_new_channel->frequency_hz == 0);
  CHECK(state.extra_channels.empty());
  CHECK(parse_mac_state("[1,2]").snr_history.empty());
}

TEST_CASE("a damaged stored MAC state reads as whatever is still readable, never a crash") {
  MacState state;
  for (std::uint32_t f = 0; f < 20; ++f) state.record_uplink(-7.25 + f, f);
  state.pending_link_adr = PendingLinkAdr{5, 2, 1};
  state.extra_channels = {864'100'000, 864'300'000};
  state.pending_new_channel = PendingNewChannel{1, 864'500'000};
  const std::string valid = to_json(state);
  REQUIRE(to_json(parse_mac_state(valid)) == valid);
  int readable = 0;
  for (std::size_t n = 0; n <= valid.size(); ++n) readable += !parse_mac_state(valid.substr(0, n)).snr_history.empty();
  CHECK(readable == 1);  // only the whole text is a JSON object
  std::mt19937 rng(77);
  for (int round = 0; round < 5'000; ++round) {
    std::string damaged = valid;
    for (int i = 0; i < 1 + static_cast<int>(rng() % 3); ++i)
      damaged[rng() % damaged.size()] = static_cast<char>(rng());
    // A flipped digit may split or merge numbers; whatever is read must write back as JSON.
    const MacState read = parse_mac_state(damaged);
    CHECK(parse_mac_state(to_json(read)).snr_history == read.snr_history);
  }
}
