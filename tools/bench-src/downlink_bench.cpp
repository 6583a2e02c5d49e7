// uchet-bench-downlink: the synchronised-fleet downlink benchmark (issue 17 item 6), driven by
// tools/bench-downlink (BENCHMARKS.md, "Downlinks of a synchronised fleet").
//
//   uchet-bench-downlink --server 127.0.0.1:1700 --devices 2000 --gateways 3 --window-s 60 ...
//
// ABP meters (provisioned by the script; DevAddr base + i, the keys below) all report once
// within --window-s of the start, half at SF12 and half at SF10 (DR0 / DR2). Every gateway is a
// simulated lora_pkt_fwd judging downlinks with its JIT queue (tools/sim/jit_queue.h) and hears
// every uplink. --clock-share of the meters are owed a clock correction: their report carries
// DeviceTimeReq, asked again on an unconfirmed uplink every --retry-s until a DeviceTimeAns
// arrives (a stand-in for a meter asking at its next report, brought closer so that the run
// stays minutes long; time itself is not compressed: uchetd runs on the real clock).
// --confirmed-share of them report confirmed and retransmit 3–5 s after each unanswered attempt,
// 8 attempts at most; with --until-delivered a meter whose 8 attempts all went unanswered reports
// the reading again, confirmed, every --retry-s (the stand-in for its next report) until an ACK
// arrives, so that every owed ACK can still be delivered. The run ends --follow-s (or
// --until-delivered) after the window, or earlier once nothing is owed.
// Printed: answers owed / delivered at the first attempt / delivered later (deferred) / never;
// what the gateways said (TX_ACK verdicts) and did (on air, lost silently); deliveries per minute;
// the time until every owed clock correction and every owed ACK was delivered or, when the run
// ends first, how many are still owed, the delivery rate over the run's last minute and the time
// the rest would take at that rate (printed as an extrapolation). Delivered means: on air, in the
// device's RX1 or RX2, and accepted by the device (tools/sim/delivery.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>

#include "netserver/lorawan/encoding.h"
#include "tools/sim/delivery.h"
#include "tools/sim/simulated_device.h"
#include "tools/sim/simulated_gateway.h"

using namespace uchet;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr lorawan::Eui64 kGatewayBase = 0x0016c001ff000000;
constexpr lorawan::Key kNwkSKey = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                   0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
constexpr lorawan::Key kAppSKey = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

struct Options {
  std::string server = "127.0.0.1:1700";
  int devices = 2000;
  int gateways = 1;
  double window_s = 60;
  double follow_s = 120;
  double retry_s = 30;
  std::optional<double> until_delivered_s;
  double clock_share = 0.10;
  double confirmed_share = 0.05;
  lorawan::Eui64 dev_eui_base = 0x70b3d57ed00a0000;
  lorawan::DevAddr dev_addr_base = 0x00a00000;
  unsigned seed = 1;
};

struct Meter {
  sim::SimulatedDevice device;
  std::uint8_t dr = 0;
  bool owes_clock = false, confirmed = false;
  Clock::time_point report_at, next_attempt;
  int attempts = 0;        // uplinks sent, the report included
  std::uint32_t fcnt = 0;  // of the pending confirmed uplink
  std::optional<double> clock_delivered_s, ack_delivered_s;
  int clock_asks = 0;
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"uchet-bench-downlink: downlinks for a fleet reporting on the hour, through JIT-judging gateways"};
  app.add_option("--server", o.server, "uchetd's Semtech UDP address host:port");
  app.add_option("--devices", o.devices, "ABP meters (provisioned beforehand)")->check(CLI::Range(1, 100000));
  app.add_option("--gateways", o.gateways, "gateways hearing every uplink")->check(CLI::Range(1, 8));
  app.add_option("--window-s", o.window_s, "every meter reports once within this many seconds");
  app.add_option("--follow-s", o.follow_s, "how long after the window retries go on");
  app.add_option("--retry-s", o.retry_s, "a meter still owed a correction asks again this often");
  app.add_option("--clock-share", o.clock_share, "share of meters owed a clock correction")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--confirmed-share", o.confirmed_share, "share of meters reporting confirmed")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", o.seed, "random seed (report times, retry jitter)");
  app.add_option("--until-delivered", o.until_delivered_s,
                 "retries go on until every owed correction and ACK is delivered or this many seconds after the "
                 "window pass (meters whose 8 confirmed attempts failed report again every --retry-s); replaces "
                 "--follow-s")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (o.until_delivered_s) o.follow_s = *o.until_delivered_s;
  const bool report_again = o.until_delivered_s.has_value();

  const auto colon = o.server.rfind(':');
  const boost::asio::ip::udp::endpoint server(boost::asio::ip::make_address(o.server.substr(0, colon)),
                                              static_cast<unsigned short>(std::stoi(o.server.substr(colon + 1))));
  std::vector<std::unique_ptr<sim::SimulatedGateway>> gateways;
  for (int g = 0; g < o.gateways; ++g) {
    sim::GatewayOptions options;
    options.jit = sim::JitTiming{};
    gateways.push_back(std::make_unique<sim::SimulatedGateway>(kGatewayBase + g, server, options));
    if (!gateways.back()->pull(2s)) {
      std::fprintf(stderr, "gateway %d: no PULL_ACK\n", g);
      return 1;
    }
  }

  std::mt19937 random(o.seed);
  std::uniform_real_distribution<double> in_window(0, o.window_s);
  std::uniform_int_distribution<int> retransmit_ms(3'000, 5'000);
  const auto t0 = Clock::now();
  std::vector<Meter> meters;
  meters.reserve(static_cast<std::size_t>(o.devices));
  sim::DeliveryTracker tracker;
  const int every_clock = o.clock_share > 0 ? static_cast<int>(1.0 / o.clock_share + 0.5) : 0;
  const int every_confirmed = o.confirmed_share > 0 ? static_cast<int>(1.0 / o.confirmed_share + 0.5) : 0;
  for (int i = 0; i < o.devices; ++i) {
    sim::DeviceIdentity identity;
    identity.dev_eui = o.dev_eui_base + static_cast<lorawan::Eui64>(i);
    Meter m{sim::SimulatedDevice(identity)};
    sim::DeviceSession session;
    session.dev_addr = o.dev_addr_base + static_cast<lorawan::DevAddr>(i);
    session.keys = {kNwkSKey, kNwkSKey, kNwkSKey, kAppSKey};
    m.device.activate_abp(session);
    m.dr = i % 2 == 0 ? 0 : 2;
    m.owes_clock = every_clock > 0 && i % every_clock == 0;
    m.confirmed = every_confirmed > 0 && i % every_confirmed == 1 % every_confirmed;
    m.report_at = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(in_window(random)));
    m.next_attempt = m.report_at;
    meters.push_back(std::move(m));
  }
  for (std::size_t i = 0; i < meters.size(); ++i) tracker.track(i, meters[i].device);

  int reports = 0, retransmissions = 0, clock_reasks = 0, acks_given_up = 0, reports_again = 0;
  auto send = [&](std::size_t i, const sim::UplinkOptions& uplink) {
    auto frame = meters[i].device.uplink(uplink);
    if (!frame) {
      std::fprintf(stderr, "meter %zu: %s\n", i, frame.error().c_str());
      std::exit(1);
    }
    for (std::size_t g = 0; g < gateways.size(); ++g) {
      sim::Reception r;
      r.channel = {868'900'000, meters[i].dr};
      r.rssi_dbm = -80 - 6 * static_cast<int>(g) - static_cast<int>(i % 7);
      r.snr_db = 5.0 - 2.0 * static_cast<double>(g);
      const auto sent = gateways[g]->push(*frame, r, 0ms);
      tracker.uplink_sent(i, gateways[g]->eui(), sent.tmst);
    }
  };

  const auto end_of_window =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.window_s));
  const auto end =
      end_of_window + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.follow_s));
  auto owed = [&] {
    for (const auto& m : meters)
      if ((m.owes_clock && !m.clock_delivered_s) ||
          (m.confirmed && !m.ack_delivered_s && (m.attempts < 8 || report_again)))
        return true;
    return false;
  };
  // What the delivered frames carried: an answer owed (first delivery), an answer already
  // delivered once (a repeat), or neither: MAC housekeeping alone (uchet's own requests).
  int frames_first_answer = 0, frames_repeat_answer = 0, frames_housekeeping = 0;
  // What the gateways put on air since the last look, given to the meters.
  auto collect = [&] {
    for (auto& gateway : gateways) {
      for (const auto& d : tracker.collect(*gateway)) {
        Meter& m = meters[d.device];
        bool first = false, answer = false;
        if (d.frame.fctrl.ack) {
          answer = true;
          if (!m.ack_delivered_s) {
            m.ack_delivered_s = seconds_since(t0);
            first = true;
          }
        }
        for (const auto& command : d.frame.mac_commands) {
          if (!std::holds_alternative<lorawan::DeviceTimeAns>(command)) continue;
          answer = true;
          if (!m.clock_delivered_s) {
            m.clock_delivered_s = seconds_since(t0);
            first = true;
          }
        }
        (first ? frames_first_answer : answer ? frames_repeat_answer : frames_housekeeping)++;
      }
    }
  };
  while (Clock::now() < end) {
    const auto now = Clock::now();
    for (std::size_t i = 0; i < meters.size(); ++i) {
      Meter& m = meters[i];
      if (now < m.next_attempt) continue;
      sim::UplinkOptions uplink{.fport = 2, .payload = {0x11, 0x22, 0x33, 0x44}};
      uplink.channel = {868'900'000, m.dr};
      if (m.attempts == 0) {  // the hourly report
        uplink.confirmed = m.confirmed;
        if (m.owes_clock) {
          uplink.mac_commands = {lorawan::DeviceTimeReq{}};
          ++m.clock_asks;
        }
        m.fcnt = m.device.next_fcnt_up();
        ++reports;
      } else if (m.confirmed && !m.ack_delivered_s && m.attempts < 8) {
        uplink.confirmed = true;
        uplink.fcnt = m.fcnt;
        if (m.owes_clock && !m.clock_delivered_s) uplink.mac_commands = {lorawan::DeviceTimeReq{}};
        ++retransmissions;
      } else if (report_again && m.confirmed && !m.ack_delivered_s) {  // the next report, confirmed again
        uplink.confirmed = true;
        if (m.owes_clock && !m.clock_delivered_s) {
          uplink.mac_commands = {lorawan::DeviceTimeReq{}};
          ++m.clock_asks;
        }
        m.fcnt = m.device.next_fcnt_up();
        ++reports_again;
      } else if (m.owes_clock && !m.clock_delivered_s) {
        uplink.mac_commands = {lorawan::DeviceTimeReq{}};
        ++m.clock_asks;
        ++clock_reasks;
      } else {
        if (m.confirmed && !m.ack_delivered_s) ++acks_given_up;
        m.next_attempt = Clock::time_point::max();
        continue;
      }
      send(i, uplink);
      ++m.attempts;
      const bool awaiting_ack = m.confirmed && !m.ack_delivered_s && m.attempts < 8;
      m.next_attempt =
          now + (awaiting_ack ? std::chrono::milliseconds(retransmit_ms(random))
                              : std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.retry_s)));
    }
    collect();
    if (now > end_of_window + 5s && !owed()) break;
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(3500ms);  // the windows of the last uplinks
  collect();

  const double end_s = seconds_since(t0);
  int clock_owed = 0, clock_first = 0, clock_later = 0, ack_owed = 0, ack_first = 0, ack_later = 0;
  std::vector<double> clock_times, ack_times;  // seconds after the start, one per delivered answer
  for (const auto& m : meters) {
    const double reported_s = std::chrono::duration<double>(m.report_at - t0).count();
    if (m.owes_clock) {
      ++clock_owed;
      if (m.clock_delivered_s) {
        (m.clock_delivered_s.value() - reported_s < 3.5 ? clock_first : clock_later)++;
        clock_times.push_back(*m.clock_delivered_s);
      }
    }
    if (m.confirmed) {
      ++ack_owed;
      if (m.ack_delivered_s) {
        (m.ack_delivered_s.value() - reported_s < 3.5 ? ack_first : ack_later)++;
        ack_times.push_back(*m.ack_delivered_s);
      }
    }
  }
  sim::GatewayCounters total;
  std::uint64_t airtime_us = 0;
  for (std::size_t g = 0; g < gateways.size(); ++g) {
    const auto c = gateways[g]->counters();
    std::uint64_t on_air_us = 0;
    for (const auto& t : gateways[g]->transmissions())
      if (t.on_air()) on_air_us += t.emission.airtime_us;
    airtime_us += on_air_us;
    std::printf(
        "gateway %zu: downlinks given %llu: scheduled %llu, COLLISION_PACKET %llu, TOO_LATE %llu, TOO_EARLY %llu; "
        "on air %llu (%.1f s of airtime), lost silently %llu (radio emitting %llu, overwritten %llu)\n",
        g, static_cast<unsigned long long>(c.downlinks), static_cast<unsigned long long>(c.scheduled),
        static_cast<unsigned long long>(c.collision_packet), static_cast<unsigned long long>(c.too_late),
        static_cast<unsigned long long>(c.too_early), static_cast<unsigned long long>(c.on_air), on_air_us / 1e6,
        static_cast<unsigned long long>(c.lost_silently()), static_cast<unsigned long long>(c.dropped_busy),
        static_cast<unsigned long long>(c.overwritten));
    total.downlinks += c.downlinks;
    total.collision_packet += c.collision_packet;
    total.too_late += c.too_late;
    total.on_air += c.on_air;
    total.dropped_busy += c.dropped_busy;
    total.overwritten += c.overwritten;
  }
  std::printf(
      "uplinks: %d reports, %d retransmissions of confirmed ones, %d confirmed reports sent again after 8 "
      "unanswered attempts, %d clock requests repeated\n",
      reports, retransmissions, reports_again, clock_reasks);
  std::printf("clock corrections: owed %d, delivered at the first request %d, later (deferred) %d, never %d\n",
              clock_owed, clock_first, clock_later, clock_owed - clock_first - clock_later);
  std::printf(
      "ACKs of confirmed reports: owed %d, delivered at the first attempt %d, later %d, never %d (meters that gave "
      "up after 8 attempts: %d)\n",
      ack_owed, ack_first, ack_later, ack_owed - ack_first - ack_later, acks_given_up);
  std::printf(
      "downlinks delivered to the meters: %d carrying an owed answer (first delivery), %d repeating one already "
      "delivered, %d with MAC housekeeping only\n",
      frames_first_answer, frames_repeat_answer, frames_housekeeping);
  // Deliveries per minute since the start: how the rate falls once the window and the budget pass.
  std::printf("delivered per minute since the start (clock corrections/ACKs):");
  for (int minute = 0; minute * 60.0 < end_s; ++minute) {
    auto in_minute = [minute](const std::vector<double>& times) {
      return std::ranges::count_if(times, [minute](double t) { return t >= minute * 60.0 && t < minute * 60.0 + 60; });
    };
    std::printf(" %d:%td/%td", minute, in_minute(clock_times), in_minute(ack_times));
  }
  std::printf("\n");
  // The time until every owed answer of one kind was delivered or, when the run ended first, what
  // is left and the time it would take at the rate of the run's last minute: an extrapolation,
  // which a rolling-hour duty cycle makes optimistic or pessimistic depending on where the budget
  // stands (it frees up only as the hour moves on).
  auto until_delivered = [&](const char* what, int owed_count, const std::vector<double>& times) {
    if (static_cast<int>(times.size()) == owed_count) {
      const double last_s = times.empty() ? 0 : std::ranges::max(times);
      std::printf("%s: every owed one (%d) delivered %.1f s after the start (%.1f s after the %.0f s window)\n", what,
                  owed_count, last_s, last_s - o.window_s, o.window_s);
      return;
    }
    const auto left = owed_count - static_cast<int>(times.size());
    const double rate_window_s = std::min(60.0, end_s);
    const auto recent = std::ranges::count_if(times, [&](double t) { return t >= end_s - rate_window_s; });
    std::printf("%s: %d of %d still owed when the run ended %.1f s after the start; delivered in its last %.0f s: %td",
                what, left, owed_count, end_s, rate_window_s, recent);
    if (recent > 0) {
      const double per_s = static_cast<double>(recent) / rate_window_s;
      std::printf(" (%.2f a minute); at that rate the rest would take %.0f s more (extrapolated, not measured)\n",
                  per_s * 60, left / per_s);
    } else {
      std::printf(" (no rate to extrapolate from)\n");
    }
  };
  until_delivered("clock corrections", clock_owed, clock_times);
  until_delivered("ACKs", ack_owed, ack_times);
  std::printf(
      "all gateways: downlinks given %llu, on air %llu (%.1f s, %.2f s each on average), COLLISION_PACKET %llu, "
      "TOO_LATE %llu, lost silently %llu; on air but not for a listening device: %zu out of its windows, %zu refused "
      "by it, %zu other frames\n",
      static_cast<unsigned long long>(total.downlinks), static_cast<unsigned long long>(total.on_air), airtime_us / 1e6,
      total.on_air > 0 ? airtime_us / 1e6 / static_cast<double>(total.on_air) : 0.0,
      static_cast<unsigned long long>(total.collision_packet), static_cast<unsigned long long>(total.too_late),
      static_cast<unsigned long long>(total.lost_silently()), tracker.out_of_window, tracker.refused_by_device,
      tracker.not_for_a_device);
  return 0;
}
