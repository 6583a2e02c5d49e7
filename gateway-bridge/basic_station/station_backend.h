#pragma once
// The LoRa Basics Station backend (a GatewayBackend, gateway-bridge/backend.h): a WebSocket
// server (Boost.Beast, over OpenSSL TLS when a certificate is configured, plain TCP otherwise) on
// a thread of its own, speaking the station's "LNS protocol" through the pure message layer
// (messages.h, router_config.h).
//
//   GET /router-info (WebSocket): the station sends {"router":<EUI>}; the answer is the traffic
//     URI ws[s]://<public_host>:<port>/traffic/<EUI> (port and path always written), or an error
//     object for an unknown or unauthenticated gateway; then the socket is closed.
//   GET /traffic/<EUI> (WebSocket): the gateway is authenticated *before* the upgrade (HTTP 403
//     for an EUI not registered for Basics Station, 401 for a missing or wrong credential), so
//     no frame of an unauthenticated peer is ever read. Then: version → router_config;
//     jreq/updf/propdf → on_reception; dntxed → on_outcome Ok; timesync → answered.
//
// Authentication (station_credentials.h). Over TLS a gateway registered with a token must send
// it ("Authorization: Bearer <token>", compared as SHA-256 in constant time); one registered
// with a client certificate must present it (the server asks every peer for a certificate and
// accepts any chain, then compares the leaf's SHA-256 fingerprint); one registered with neither
// is refused. Over plain ws:// a station sends no token, so only the EUI is checked.
//
// Untrusted input. The TLS handshake, the HTTP upgrade and the discovery message must complete
// within `handshake_timeout` (a slow peer is dropped, costing others nothing); upgrade headers
// are bounded (8 KiB). A message larger than `max_message_bytes` closes that socket; malformed
// JSON, an unknown message type or a binary frame is dropped and the socket kept. Every refusal
// is counted by reason and logged at most once a minute per reason and gateway.
//
// Connections. One live socket per gateway: a new traffic socket of the same EUI closes the old
// one (whose pending transmissions fail). The station never pings but answers pings: the server
// pings after `ping_interval` of silence and drops a peer silent for two intervals.
//
// Silence. The station drops a downlink it cannot place (too late, a collision, its duty cycle)
// without a word, so every dnmsg awaits its dntxed for a bound: the time until the transmission
// is due + its airtime + `dntxed_margin` (5 s by default: network round trip, the station's
// scheduling lead and a busy server). Past it the outcome is InternalError "no dntxed within N s";
// a dntxed arriving later is counted (dntxed_late), never delivered a second time. A socket that
// closes fails its pending transmissions ("connection closed before dntxed").
//
// Threads: as GatewayBackend says. The CredentialLookup runs on the backend's thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "gateway-bridge/backend.h"
#include "gateway-bridge/basic_station/messages.h"
#include "gateway-bridge/basic_station/router_config.h"
#include "gateway-bridge/basic_station/station_credentials.h"
#include "netserver/lorawan/region.h"

namespace uchet::gateway_bridge::basic_station {

struct StationBackendOptions {
  std::string bind;  // "host:port"; port 0 picks a free one (tests)
  // PEM files: the server certificate (its chain after it) and key; both empty: plain ws://.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string public_host;  // the traffic URI's host (a DNS name in the certificate)
  std::chrono::milliseconds ping_interval{30'000};
  std::chrono::milliseconds handshake_timeout{10'000};
  std::size_t max_message_bytes = kDefaultMaxMessageBytes;
  std::size_t max_connections = 4096;  // sockets at once, handshaking or not; more are closed on accept
  std::chrono::milliseconds dntxed_margin{5'000};
  std::size_t max_queued_uplinks = 16'384;  // as UdpBackendOptions
  RouterConfigOptions router_config;        // `now` is set per answer
  CredentialLookup credentials;
};

// Counted since start; refusals by reason.
struct StationCounters {
  std::uint64_t connections_accepted = 0;     // traffic sockets upgraded for an authenticated gateway
  std::uint64_t connections_replaced = 0;     // closed because the same gateway connected again
  std::uint64_t connections_timed_out = 0;    // closed: nothing, not even a pong, for two ping intervals
  std::uint64_t connections_open = 0;         // traffic sockets open now
  std::uint64_t discoveries_answered = 0;     // /router-info answered with a traffic URI
  std::uint64_t refused_unknown_gateway = 0;  // EUI not registered for Basics Station (discovery or traffic)
  std::uint64_t refused_credential = 0;       // missing or wrong token / certificate
  std::uint64_t refused_handshake = 0;        // TLS/HTTP/WebSocket handshake failed or too slow, bad path
  std::uint64_t refused_over_limit = 0;       // over max_connections
  std::uint64_t messages_oversized = 0;       // socket closed
  std::uint64_t messages_malformed = 0;       // bad JSON, bad field, binary frame: dropped
  std::uint64_t messages_unknown_type = 0;    // dropped
  std::uint64_t uplinks = 0;                  // receptions handed over
  std::uint64_t dntxed = 0;                   // confirmations delivered as Ok
  std::uint64_t dntxed_timeouts = 0;          // transmissions failed for want of a dntxed
  std::uint64_t dntxed_late = 0;              // dntxed for no pending transmission (late or unknown)
  std::uint64_t disconnect_failures = 0;      // transmissions failed because their socket closed
};

// One gateway's connection, as the operator sees it: every gateway that connected since start,
// connected now or not.
struct StationConnection {
  lorawan::Eui64 gateway_eui = 0;
  bool connected = false;
  std::chrono::sys_seconds connected_since{};  // of the current or last connection
  std::chrono::sys_seconds last_seen{};        // last message or pong
  std::string station_version;                 // from its "version" message; empty before it
};

class StationBackend final : public GatewayBackend {
 public:
  StationBackend(lorawan::Region region, StationBackendOptions options);
  ~StationBackend() override;  // closes and joins like stop(), but delivers nothing more
  StationBackend(const StationBackend&) = delete;
  StationBackend& operator=(const StationBackend&) = delete;

  // Loads the certificate and key, binds and starts the thread; an error names what failed.
  lorawan::Result<void> start(boost::asio::io_context& owner, BackendCallbacks callbacks) override;
  // Closes every socket and joins the thread; hands over the receptions still queued.
  void stop() override;
  // The dnmsg's diid is the TransmissionId. Fails when the gateway has no live socket, for a
  // GPS-timed (class B) transmission, or a transmission the message layer refuses.
  lorawan::Result<TransmissionId> send(lorawan::Eui64 gateway_eui, const Transmission& transmission) override;
  // receptions_dropped: refused because the owner was max_queued_uplinks behind.
  BackendCounters counters() const override;

  StationCounters station_counters() const;            // any thread
  std::vector<StationConnection> connections() const;  // any thread; ascending EUI, live or not
  // The stations connected now.
  std::vector<std::pair<lorawan::Eui64, std::string>> downlink_paths() const override;
  std::uint16_t port() const;  // after start()
  bool tls() const { return !options_.tls_cert_file.empty(); }

  struct Shared;  // the backend's state (station_backend.cpp), shared with its sessions

 private:
  void halt();
  lorawan::Region region_;
  StationBackendOptions options_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace uchet::gateway_bridge::basic_station
