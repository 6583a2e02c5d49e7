#pragma once
// A load run: M simulated devices behind N simulated Semtech UDP gateways and S simulated Basics
// Station gateways (every gateway hears every uplink, with slightly worse signal the higher its
// index; the stations connect over their own WebSocket/TLS client first). The UDP gateways may
// be spread over several servers (FleetOptions::more_servers), and a machine-readable log of
// every PUSH_DATA written (FleetOptions::sent_log). All devices join, then send uplinks
// round-robin at a fixed total rate; every downlink is matched to its device and verified. The
// report counts what a network server must get right: joins, PUSH_ACKs, downlinks (join-accepts,
// ACKs of confirmed uplinks) and MIC failures. Single-threaded, blocking; uses real time.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/udp.hpp>

#include "tools/sim/simulated_device.h"

namespace uchet::sim {

struct FleetOptions {
  boost::asio::ip::udp::endpoint server;
  // Several uchetd (docs/deployment.md layout 3): with more servers, gateway i sends to server
  // i mod n of [server, more_servers...], and gateways 0..shared_gateways-1 send to every server
  // (a packet forwarder with one `serv` entry per instance: one socket, and one concentrator
  // counter, per server).
  std::vector<boost::asio::ip::udp::endpoint> more_servers;
  int shared_gateways = 0;
  // When set, a CSV file written at the end: a header line, then one line per PUSH_DATA
  // (kind,dev_eui,f_cnt,gateway_eui,server,acked): "join" or "up", the device, the uplink's FCnt
  // (empty for a join-request), the gateway, the server it went to (ip:port), and 1 when that
  // server acknowledged it (PUSH_ACK), else 0.
  std::string sent_log;
  int gateways = 1;
  int devices = 1;
  Eui64 gateway_eui_base = 0x00'16'c0'01'ff'00'00'00;  // gateway i: base + i
  // Basics Station gateways: station i is station_eui_base + i, discovering its traffic socket
  // at station_uri (wss://host:port/router-info), trusting station_ca_file, with the bearer
  // token in station_token (empty: none) or the client certificate and key.
  int station_gateways = 0;
  Eui64 station_eui_base = 0x00'16'c0'01'ff'00'01'00;
  std::string station_uri;
  std::string station_ca_file;
  std::string station_token;
  std::string station_client_cert, station_client_key;
  Eui64 dev_eui_base = 0;  // device i: base + i
  Eui64 join_eui = 0;
  Key app_key{};
  std::optional<Key> nwk_key;  // LoRaWAN 1.1
  MacVersion mac_version = MacVersion::V1_0_3;
  std::uint16_t first_dev_nonce = 0;
  double uplinks_per_second = 1.0;  // total, all devices together
  double joins_per_second = 0;      // join-requests, all devices together; 0: uplinks_per_second
  int uplinks_per_device = 1;
  bool confirmed = false;
  std::uint8_t fport = 2;
  Bytes payload{0x01, 0x02, 0x03, 0x04};
  std::chrono::milliseconds ack_timeout{1000};       // PUSH_ACK / PULL_ACK
  std::chrono::milliseconds downlink_timeout{3000};  // join-accept / ACK after the last send
};

struct FleetReport {
  int joins_ok = 0, joins_failed = 0;
  int uplinks_sent = 0;               // frames (each heard by every gateway)
  int push_unacked = 0;               // PUSH_DATA (per gateway and server) without PUSH_ACK
  int gateways_unreachable = 0;       // no PULL_ACK, or a station without router_config
  int downlinks_received = 0;         // PULL_RESPs, all gateways
  int acks_received = 0;              // downlinks acknowledging a confirmed uplink
  int acks_missing = 0;               // confirmed uplinks never acknowledged
  int mic_failures = 0;               // downlinks no device could verify
  int downlinks_refused = 0;          // dnmsgs a station dropped (late, malformed, unknown region)
  std::vector<std::string> problems;  // first few, human-readable
  bool ok() const {
    return joins_failed == 0 && push_unacked == 0 && gateways_unreachable == 0 && acks_missing == 0 &&
           mic_failures == 0 && downlinks_refused == 0;
  }
};

FleetReport run_fleet(const FleetOptions& options);

// The uchetctl commands that provision what run_fleet expects (application `app`, gateways,
// stations — with --token-file <token_file> when a token is used — and devices), one per line,
// `uchetctl` standing for the binary.
std::vector<std::string> provisioning_commands(const FleetOptions& options, const std::string& app,
                                               const std::string& token_file = "");

}  // namespace uchet::sim
