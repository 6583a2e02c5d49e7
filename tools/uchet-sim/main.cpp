// uchet-sim: drives a running uchetd through simulated gateways and devices (tools/sim) and
// reports what came back; exits 1 when anything went wrong, 2 on bad arguments.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "common/token_file.h"
#include "gateway-bridge/semtech_udp/udp_endpoint.h"
#include "netserver/lorawan/encoding.h"
#include "tools/sim/fleet.h"

namespace {

constexpr const char* kDescription = R"(uchet-sim — LoRaWAN gateway and device simulator for uchetd

Joins M simulated devices (OTAA) through N simulated Semtech UDP gateways (every gateway hears
every uplink), then sends --count uplinks per device at --rate frames per second in total, and
checks every downlink (join-accepts, ACKs of --confirmed uplinks) like a real device would.
Prints a summary; the exit code is 0 only when all devices joined, every PUSH_DATA was
acknowledged, every confirmed uplink was acknowledged and no downlink failed its MIC.

The devices and gateways must be provisioned in uchetd first; --print-provisioning prints the
uchetctl commands for exactly the options given. Example:
  uchet-sim --gateways 2 --devices 10 --dev-eui-base 70b3d57ed0000000 \
            --join-eui 70b3d57ed0000001 --app-key 000102030405060708090a0b0c0d0e0f --print-provisioning
  # run the printed commands (uchetctl --db var/uchet.db ...), then:
  uchet-sim --server 127.0.0.1:1700 --gateways 2 --devices 10 --dev-eui-base 70b3d57ed0000000 \
            --join-eui 70b3d57ed0000001 --app-key 000102030405060708090a0b0c0d0e0f --rate 5/s --count 3
Several uchetd on one PostgreSQL database (docs/deployment.md, layout 3): repeat --server, one per
instance; gateway i then sends to server i mod n, and the first --shared-gateways K gateways send
to every server (as a packet forwarder with two `serv` entries). --sent-log FILE writes what each
gateway pushed where, and whether that server acknowledged it, as CSV for a test to check against
the database:
  uchet-sim --server 10.0.0.1:1700 --server 10.0.0.2:1700 --gateways 3 --shared-gateways 1 \
            --sent-log sent.csv --devices 10 ...
LoRa Basics Station gateways play beside (or instead of) the UDP ones with
--basic-station-gateways S: each connects like a station (discovery at --station-uri, then its
traffic socket over TLS trusting --ca, with the bearer token of --token-file or the client
certificate --client-cert/--client-key), sends jreq/updf and judges every dnmsg like a 2.0.6
station, confirming what it transmits with dntxed:
  uchet-sim --gateways 0 --basic-station-gateways 2 --station-uri wss://lns.example.net:6887/router-info \
            --ca ca.crt --token-file station.token --devices 10 ...
Region RU864, uplinks at DR5 alternating over 868.9 / 869.1 MHz. LoRaWAN 1.0.3/1.0.4 devices
count DevNonce up from --first-dev-nonce (default: from the clock, so that runs against the same
database do not reuse one).)";

// "5", "5/s" or "0.5/s".
double parse_rate(const std::string& text) {
  std::string number = text;
  if (number.ends_with("/s")) number.resize(number.size() - 2);
  std::size_t used = 0;
  double rate = std::stod(number, &used);
  if (used != number.size() || rate <= 0) throw std::invalid_argument(text);
  return rate;
}

template <class T>
T must(uchet::lorawan::Result<T> result) {
  if (!result) throw CLI::ValidationError(result.error());
  return *result;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace uchet;
  CLI::App app{kDescription};
  std::vector<std::string> servers{"127.0.0.1:1700"};
  std::string dev_eui_base, join_eui, app_key, nwk_key, gateway_eui_base = "0016c001ff000000";
  std::string rate_text = "1/s", payload = "01020304", mac_version = "1.0.3", application = "sim";
  sim::FleetOptions o;
  int first_dev_nonce = -1, ack_timeout_ms = 1000, downlink_timeout_ms = 3000;
  bool print_provisioning = false;
  int fport = 2;
  app.add_option("--server", servers,
                 "uchetd gateway bridge, host:port (IP address); repeat it for several uchetd: gateway i sends to "
                 "server i mod n")
      ->capture_default_str();
  app.add_option("--shared-gateways", o.shared_gateways,
                 "gateways 0..K-1 send to every --server (one socket per server), the others to one each")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  app.add_option("--sent-log", o.sent_log,
                 "write every PUSH_DATA to this CSV file at the end: kind,dev_eui,f_cnt,gateway_eui,server,acked");
  app.add_option("--gateways", o.gateways, "number of Semtech UDP gateways N")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  std::string station_eui_base = "0016c001ff000100", token_file;
  app.add_option("--basic-station-gateways", o.station_gateways, "number of Basics Station gateways S")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  app.add_option("--station-eui-base", station_eui_base, "EUI of station 0; station i is base + i")
      ->capture_default_str();
  app.add_option("--station-uri", o.station_uri, "discovery URI, ws[s]://host:port/router-info");
  app.add_option("--ca", o.station_ca_file, "PEM CA the server certificate must chain to (wss)");
  app.add_option("--token-file", token_file, "file holding the stations' bearer token");
  app.add_option("--client-cert", o.station_client_cert, "PEM client certificate the stations present");
  app.add_option("--client-key", o.station_client_key, "PEM private key of --client-cert");
  app.add_option("--gateway-eui-base", gateway_eui_base, "EUI of gateway 0; gateway i is base + i")
      ->capture_default_str();
  app.add_option("--devices", o.devices, "number of devices M")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--dev-eui-base", dev_eui_base, "DevEUI of device 0; device i is base + i")->required();
  app.add_option("--join-eui", join_eui, "JoinEUI of every device")->required();
  app.add_option("--app-key", app_key, "AppKey of every device")->required();
  app.add_option("--nwk-key", nwk_key, "NwkKey of every device (LoRaWAN 1.1)");
  app.add_option("--mac-version", mac_version, "1.0.2, 1.0.3, 1.0.4 or 1.1")->capture_default_str();
  app.add_option("--first-dev-nonce", first_dev_nonce, "DevNonce of each device's join-request (0-65535)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--rate", rate_text, "frames per second, all devices together (\"5\" or \"5/s\")")
      ->capture_default_str();
  std::string join_rate_text;
  app.add_option("--join-rate", join_rate_text,
                 "join-requests per second, all devices together (default: --rate; join-accepts closer together "
                 "than their airtime compete for one gateway's RX1 slot)");
  app.add_option("--count", o.uplinks_per_device, "uplinks per device")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  app.add_flag("--confirmed", o.confirmed, "send confirmed uplinks and expect an ACK for each");
  app.add_option("--payload", payload, "application payload, hex")->capture_default_str();
  app.add_option("--fport", fport, "FPort 1-223")->check(CLI::Range(1, 223))->capture_default_str();
  app.add_option("--ack-timeout-ms", ack_timeout_ms, "wait for PUSH_ACK / PULL_ACK")->capture_default_str();
  app.add_option("--downlink-timeout-ms", downlink_timeout_ms, "wait for join-accepts and ACKs after the last frame")
      ->capture_default_str();
  app.add_flag("--print-provisioning", print_provisioning, "print the uchetctl commands for these options and exit");
  app.add_option("--app", application, "application name for --print-provisioning")->capture_default_str();

  try {
    app.parse(argc, argv);
    o.server = must(gateway_bridge::semtech_udp::parse_bind_address(servers.front()));
    for (std::size_t i = 1; i < servers.size(); ++i)
      o.more_servers.push_back(must(gateway_bridge::semtech_udp::parse_bind_address(servers[i])));
    if (o.shared_gateways > o.gateways) throw CLI::ValidationError("--shared-gateways is more than --gateways");
    o.gateway_eui_base = must(lorawan::parse_eui64(gateway_eui_base, "--gateway-eui-base"));
    o.station_eui_base = must(lorawan::parse_eui64(station_eui_base, "--station-eui-base"));
    if (o.gateways + o.station_gateways == 0)
      throw CLI::ValidationError("no gateways: give --gateways or --basic-station-gateways");
    if (o.station_gateways > 0 && o.station_uri.empty() && !print_provisioning)
      throw CLI::ValidationError("--basic-station-gateways needs --station-uri");
    if (o.station_client_cert.empty() != o.station_client_key.empty())
      throw CLI::ValidationError("--client-cert and --client-key go together");
    if (!token_file.empty()) {
      auto token = common::read_token_file(token_file);
      if (!token) throw CLI::ValidationError(token.error());
      o.station_token = *token;
    }
    o.dev_eui_base = must(lorawan::parse_eui64(dev_eui_base, "--dev-eui-base"));
    o.join_eui = must(lorawan::parse_eui64(join_eui, "--join-eui"));
    o.app_key = must(lorawan::parse_key(app_key, "--app-key"));
    if (!nwk_key.empty()) o.nwk_key = must(lorawan::parse_key(nwk_key, "--nwk-key"));
    o.mac_version = must(sim::parse_mac_version(mac_version));
    if (o.mac_version == sim::MacVersion::V1_1 && !o.nwk_key)
      throw CLI::ValidationError("--mac-version 1.1 needs --nwk-key");
    o.payload = must(lorawan::parse_hex(payload));
    o.fport = static_cast<std::uint8_t>(fport);
    try {
      o.uplinks_per_second = parse_rate(rate_text);
    } catch (const std::exception&) {
      throw CLI::ValidationError("--rate must be a positive number of frames per second, e.g. 5/s");
    }
    try {
      if (!join_rate_text.empty()) o.joins_per_second = parse_rate(join_rate_text);
    } catch (const std::exception&) {
      throw CLI::ValidationError("--join-rate must be a positive number of join-requests per second, e.g. 5/s");
    }
    o.ack_timeout = std::chrono::milliseconds(ack_timeout_ms);
    o.downlink_timeout = std::chrono::milliseconds(downlink_timeout_ms);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "uchet-sim: " << e.what() << "\n";
    return 2;
  }
  if (first_dev_nonce >= 0) {
    o.first_dev_nonce = static_cast<std::uint16_t>(first_dev_nonce);
  } else {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    o.first_dev_nonce = static_cast<std::uint16_t>(std::chrono::duration_cast<std::chrono::seconds>(now).count() / 4);
  }

  if (print_provisioning) {
    for (const auto& line : sim::provisioning_commands(o, application, token_file)) std::cout << line << "\n";
    return 0;
  }

  const auto started = std::chrono::steady_clock::now();
  const sim::FleetReport r = sim::run_fleet(o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& p : r.problems) std::cerr << "problem: " << p << "\n";  // the first 20
  fmt::print("joins ok: {}/{}\n", r.joins_ok, o.devices);
  fmt::print("uplinks sent: {} (x{} gateways, x{} stations), unacknowledged: {}\n", r.uplinks_sent, o.gateways,
             o.station_gateways, r.push_unacked);
  if (servers.size() > 1)
    fmt::print("servers: {} ({} of the gateways sending to every one)\n", servers.size(), o.shared_gateways);
  fmt::print("downlinks received: {} (ACKs {}, missing ACKs {})\n", r.downlinks_received, r.acks_received,
             r.acks_missing);
  fmt::print("MIC failures: {}\n", r.mic_failures);
  if (o.station_gateways > 0) fmt::print("dnmsgs a station dropped: {}\n", r.downlinks_refused);
  if (r.gateways_unreachable > 0) fmt::print("gateways without PULL_ACK: {}\n", r.gateways_unreachable);
  fmt::print("elapsed: {:.1f} s\n", seconds);
  fmt::print("{}\n", r.ok() ? "OK" : "FAILED");
  return r.ok() ? 0 : 1;
}
