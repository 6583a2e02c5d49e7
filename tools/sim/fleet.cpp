#include "tools/sim/fleet.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/phy_payload.h"
#include "tools/sim/simulated_gateway.h"
#include "tools/sim/simulated_station.h"

namespace uchet::sim {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxProblems = 20;

class Run {
 public:
  explicit Run(const FleetOptions& o) : o_(o) {
    std::vector<boost::asio::ip::udp::endpoint> servers{o.server};
    servers.insert(servers.end(), o.more_servers.begin(), o.more_servers.end());
    for (int g = 0; g < o.gateways; ++g) {
      GatewayOptions gateway_options;
      gateway_options.region = region_;
      for (std::size_t s = 0; s < servers.size(); ++s) {
        if (g >= o.shared_gateways && s != static_cast<std::size_t>(g) % servers.size()) continue;
        gateways_.push_back(std::make_unique<SimulatedGateway>(o.gateway_eui_base + g, servers[s], gateway_options));
        gateway_index_.push_back(g);
      }
    }
    for (int s = 0; s < o.station_gateways; ++s) {
      StationOptions station_options;
      station_options.ca_file = o.station_ca_file;
      if (!o.station_token.empty()) station_options.token = o.station_token;
      station_options.client_cert_file = o.station_client_cert;
      station_options.client_key_file = o.station_client_key;
      stations_.push_back(std::make_unique<SimulatedStation>(o.station_eui_base + s, o.station_uri, station_options));
    }
    for (int i = 0; i < o.devices; ++i) {
      DeviceIdentity id{
          o.dev_eui_base + static_cast<Eui64>(i), o.join_eui, o.app_key, o.nwk_key, o.mac_version, o.first_dev_nonce};
      devices_.emplace_back(id, region_);
    }
    const auto pace = [](double per_second) {
      return std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(1.0 / std::max(0.001, per_second)));
    };
    pace_ = pace(o.uplinks_per_second);
    join_pace_ = o.joins_per_second > 0 ? pace(o.joins_per_second) : pace_;
  }

  FleetReport run() {
    for (auto& gateway : gateways_) {
      if (!gateway->pull(o_.ack_timeout)) {
        ++report_.gateways_unreachable;
        problem(fmt::format("gateway {}: no PULL_ACK", lorawan::eui64_to_string(gateway->eui())));
      }
    }
    for (auto& station : stations_) {
      auto config = station->connect(std::max(o_.ack_timeout, std::chrono::milliseconds(5000)));
      if (!config) {
        ++report_.gateways_unreachable;
        problem(fmt::format("station {}: {}", lorawan::eui64_to_string(station->eui()), config.error()));
      }
    }
    if (report_.gateways_unreachable == o_.gateways + o_.station_gateways) return finish();

    // Joins, paced like uplinks.
    auto next = Clock::now();
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      send_everywhere(devices_[i].join_request(), channel_for(i), {"join", devices_[i].dev_eui(), std::nullopt});
      pending_join_.insert(i);
      next += join_pace_;
      drain_until(next);
    }
    drain_until(Clock::now() + o_.downlink_timeout, [&] { return pending_join_.empty(); });
    report_.joins_failed = static_cast<int>(pending_join_.size());
    for (auto i : pending_join_) {
      problem(fmt::format("device {}: no valid join-accept", lorawan::eui64_to_string(devices_[i].dev_eui())));
    }

    // Uplinks, round-robin over the joined devices.
    int confirmed_sent = 0;
    for (int k = 0; k < o_.uplinks_per_device; ++k) {
      for (std::size_t i = 0; i < devices_.size(); ++i) {
        if (!devices_[i].joined()) continue;
        UplinkOptions up;
        up.confirmed = o_.confirmed;
        up.fport = o_.fport;
        up.payload = o_.payload;
        up.channel = channel_for(i + static_cast<std::size_t>(k));
        const auto f_cnt = devices_[i].next_fcnt_up();
        auto frame = devices_[i].uplink(up);
        if (!frame) {
          problem(fmt::format("device {}: {}", lorawan::eui64_to_string(devices_[i].dev_eui()), frame.error()));
          continue;
        }
        send_everywhere(*frame, up.channel, {"up", devices_[i].dev_eui(), f_cnt});
        ++report_.uplinks_sent;
        if (o_.confirmed) ++confirmed_sent;
        next += pace_;
        drain_until(next);
      }
    }
    drain_until(Clock::now() + o_.downlink_timeout, [&] { return report_.acks_received >= confirmed_sent; });
    report_.acks_missing = std::max(0, confirmed_sent - report_.acks_received);
    if (report_.acks_missing > 0)
      problem(fmt::format("{} confirmed uplinks were not acknowledged", report_.acks_missing));
    return finish();
  }

 private:
  UplinkChannel channel_for(std::size_t n) const {
    auto channels = region_.default_channels();
    std::size_t used = 0;
    while (used < channels.size() && channels[used].frequency_hz != 0) ++used;
    return UplinkChannel{channels[n % std::max<std::size_t>(used, 1)].frequency_hz, 5};
  }

  // What a push carried, for the sent log.
  struct Sent {
    const char* kind = "up";
    Eui64 dev_eui = 0;
    std::optional<std::uint32_t> f_cnt;
  };
  struct Push {
    SimulatedGateway* gateway = nullptr;
    std::uint16_t token = 0;
    Sent sent;
    bool acked = false;
  };

  void send_everywhere(const Bytes& frame, UplinkChannel channel, const Sent& what) {
    for (std::size_t k = 0; k < gateways_.size(); ++k) {
      const int g = gateway_index_[k];
      Reception reception;
      reception.channel = channel;
      reception.rssi_dbm = -60 - 3 * g;
      reception.snr_db = 7.5 - static_cast<double>(g);
      auto sent = gateways_[k]->push(frame, reception, std::chrono::milliseconds(0));
      pushes_.push_back({gateways_[k].get(), sent.token, what});
    }
    for (std::size_t s = 0; s < stations_.size(); ++s) {
      Reception reception;
      reception.channel = channel;
      reception.rssi_dbm = -61 - 3 * static_cast<int>(s);
      reception.snr_db = 7.0 - static_cast<double>(s);
      // A WebSocket message has no acknowledgement: a push that could not be queued counts as
      // an unacknowledged one.
      if (!stations_[s]->push(frame, reception).acked) ++report_.push_unacked;
    }
  }

  template <class Done = bool (*)()>
  void drain_until(
      Clock::time_point until, Done done = [] { return false; }) {
    while (true) {
      for (auto& gateway : gateways_) {
        for (auto& downlink : gateway->take_downlinks()) handle(downlink.txpk.phy_payload);
      }
      for (auto& station : stations_) {
        for (auto& downlink : station->take_downlinks()) {
          if (!downlink.refusal.empty()) {
            ++report_.downlinks_refused;
            problem(fmt::format("station {} dropped a dnmsg: {}", lorawan::eui64_to_string(station->eui()),
                                downlink.refusal));
            continue;
          }
          handle(downlink.phy_payload());
        }
      }
      if (done() || Clock::now() >= until) return;
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(2), until - Clock::now()));
    }
  }

  void handle(const Bytes& phy) {
    ++report_.downlinks_received;
    auto mhdr = lorawan::parse_mhdr(phy);
    if (mhdr && mhdr->mtype == lorawan::MType::JoinAccept) {
      for (auto i : pending_join_) {
        auto session = devices_[i].accept_join(phy);
        if (!session) continue;
        by_dev_addr_[session->dev_addr] = i;
        pending_join_.erase(i);
        ++report_.joins_ok;
        return;
      }
      ++report_.mic_failures;
      problem("a join-accept that no waiting device could verify");
      return;
    }
    auto frame = lorawan::parse_data_frame(phy);
    if (!frame) {
      ++report_.mic_failures;
      problem("unparseable downlink: " + (mhdr ? frame.error() : mhdr.error()));
      return;
    }
    auto device = by_dev_addr_.find(frame->dev_addr);
    if (device == by_dev_addr_.end()) {
      ++report_.mic_failures;
      problem("downlink for unknown DevAddr " + lorawan::dev_addr_to_string(frame->dev_addr));
      return;
    }
    auto received = devices_[device->second].receive_downlink(phy);
    if (!received) {
      ++report_.mic_failures;
      problem(fmt::format("device {}: {}", lorawan::eui64_to_string(devices_[device->second].dev_eui()),
                          received.error().reason));
      return;
    }
    if (received->fctrl.ack) ++report_.acks_received;
  }

  FleetReport finish() {
    const auto deadline = Clock::now() + o_.ack_timeout;
    for (auto& push : pushes_) {
      auto left = std::max(Clock::duration::zero(), deadline - Clock::now());
      push.acked = push.gateway->wait_push_ack(push.token, std::chrono::duration_cast<std::chrono::milliseconds>(left));
      if (!push.acked) ++report_.push_unacked;
    }
    if (report_.push_unacked > 0) problem(fmt::format("{} PUSH_DATA without PUSH_ACK", report_.push_unacked));
    if (!o_.sent_log.empty()) write_sent_log();
    return report_;
  }

  void write_sent_log() {
    std::ofstream out(o_.sent_log, std::ios::trunc);
    out << "kind,dev_eui,f_cnt,gateway_eui,server,acked\n";
    for (const auto& push : pushes_) {
      const auto& server = push.gateway->server();
      out << fmt::format("{},{},{},{},{}:{},{}\n", push.sent.kind, lorawan::eui64_to_string(push.sent.dev_eui),
                         push.sent.f_cnt ? std::to_string(*push.sent.f_cnt) : "",
                         lorawan::eui64_to_string(push.gateway->eui()), server.address().to_string(), server.port(),
                         push.acked ? 1 : 0);
    }
    out.flush();
    if (!out) problem("the sent log " + o_.sent_log + " could not be written");
  }

  void problem(std::string text) {
    if (report_.problems.size() < kMaxProblems) report_.problems.push_back(std::move(text));
  }

  const FleetOptions& o_;
  lorawan::Region region_ = *lorawan::region_by_name("RU864");
  std::vector<std::unique_ptr<SimulatedGateway>> gateways_;  // one per gateway and server it sends to
  std::vector<int> gateway_index_;                           // each one's gateway number i
  std::vector<std::unique_ptr<SimulatedStation>> stations_;
  std::vector<SimulatedDevice> devices_;
  Clock::duration pace_{}, join_pace_{};
  std::set<std::size_t> pending_join_;
  std::map<DevAddr, std::size_t> by_dev_addr_;
  std::vector<Push> pushes_;
  FleetReport report_;
};

}  // namespace

FleetReport run_fleet(const FleetOptions& options) { return Run(options).run(); }

std::vector<std::string> provisioning_commands(const FleetOptions& o, const std::string& app,
                                               const std::string& token_file) {
  std::vector<std::string> out;
  out.push_back("uchetctl application add " + app);
  for (int g = 0; g < o.gateways; ++g) {
    out.push_back(
        fmt::format("uchetctl gateway add {} --name sim-gw-{}", lorawan::eui64_to_string(o.gateway_eui_base + g), g));
  }
  for (int s = 0; s < o.station_gateways; ++s) {
    std::string line = fmt::format("uchetctl gateway add {} --name sim-station-{} --basic-station",
                                   lorawan::eui64_to_string(o.station_eui_base + s), s);
    if (!token_file.empty())
      line += " --token-file " + token_file;
    else if (!o.station_client_cert.empty())
      line += " --client-cert " + o.station_client_cert;
    out.push_back(line);
  }
  for (int i = 0; i < o.devices; ++i) {
    std::string line =
        fmt::format("uchetctl device add {} --app {} --join-eui {} --app-key {} --mac-version {}",
                    lorawan::eui64_to_string(o.dev_eui_base + static_cast<Eui64>(i)), app,
                    lorawan::eui64_to_string(o.join_eui), lorawan::key_to_string(o.app_key), to_string(o.mac_version));
    if (o.nwk_key) line += " --nwk-key " + lorawan::key_to_string(*o.nwk_key);
    out.push_back(line + fmt::format(" --name sim-dev-{}", i));
  }
  return out;
}

}  // namespace uchet::sim
