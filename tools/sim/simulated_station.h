#pragma once
// A LoRa Basics Station gateway (2.0.x) seen from the network server, for tests and load tools:
// its own Boost.Beast WebSocket client over TLS (trusting a given CA, with an optional client
// certificate and an optional `Authorization: Bearer` token) or plain ws. connect() does what a
// station does after boot: discovery (a WebSocket to /router-info, {"router":<ID6>}), then the
// traffic socket named in the answer, `version`, and waits for router_config — refused, as the
// station refuses it, without hwspec or a concentrator config (tools/sim/station_protocol.h).
//
// Uplinks carry a simulated 48-bit µs concentrator counter running at real-time speed in xtime
// (radio unit 0, a session byte) and, when given, a GPS time. Every dnmsg is recorded and judged
// like a station: dropped silently when the station would drop it (unknown region, a mandatory
// field missing, an undefined DR, a frequency outside freq_range, a window already past);
// otherwise it is transmitted at its time (the echoed xtime + RxDelay s for RX1, one second more
// for RX2 when RX1 is too late; the DR/Freq form at xtime itself; class C with RX2 only as soon
// as possible) and a `dntxed` goes back when the transmission starts — unless the options say to
// drop it, to test the server's timeout. timesync requests are sent on demand and answered.
//
// Method names match SimulatedGateway where the meaning is the same (push, wait_downlink,
// take_downlinks, counter_us, eui), so an end-to-end fixture can drive either. Calls block with
// timeouts; a private io_context thread does the I/O; every public member may be called from any
// thread.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "netserver/lorawan/types.h"
#include "tools/sim/simulated_gateway.h"
#include "tools/sim/station_protocol.h"

namespace uchet::sim {

struct StationOptions {
  std::string ca_file;                            // PEM CA the server certificate must chain to (wss)
  std::string client_cert_file, client_key_file;  // PEM: present a client certificate (wss)
  std::optional<std::string> token;               // sent as "Authorization: Bearer <token>" (wss and ws)
  std::uint8_t session = 1;                       // xtime bits 55..48
  std::optional<std::uint64_t> counter_start;     // 48-bit counter at construction; absent: random
  bool send_dntxed = true;                        // false: transmits but never confirms (the server must time out)
  station::StationVersion version;
};

// How a station heard one uplink (the UDP simulator's Reception, read for the fields that exist
// in upinfo: channel, rssi, snr, the GPS time and the UTC time as rxtime).
using StationReception = Reception;

// One dnmsg as the station received it and what it did with it.
struct StationDownlink {
  std::string text;                       // the message as received
  std::optional<station::Dnmsg> message;  // absent: refused (see refusal)
  std::string refusal;                    // why the station dropped it; empty when placed
  std::uint64_t counter_at_arrival = 0;   // 48-bit µs counter when it arrived
  std::uint64_t sequence = 0;             // 1, 2, ...: order of arrival at this station
  // Where it is (or was) transmitted: RX1 parameters or RX2's, at this xtime.
  std::optional<station::WindowParameters> window;
  bool rx2 = false;
  std::int64_t transmit_xtime = 0;

  // The PHYPayload, empty when refused.
  const lorawan::Bytes& phy_payload() const;
  // The low 32 bits of the transmit counter, comparable with the PushResult's tmst.
  std::optional<std::uint32_t> tmst() const;
};

// One uplink of a batch (push_all).
struct StationUplink {
  lorawan::ByteView phy_payload;
  StationReception reception;
};

struct StationPushResult {
  std::uint32_t tmst = 0;  // the low 32 bits of the counter in xtime
  std::int64_t xtime = 0;
  bool acked = false;  // queued on a connected traffic socket (no acknowledgement in this protocol)
};

struct StationCounters {
  std::uint64_t uplinks = 0, dnmsgs = 0, refused = 0, too_late = 0, transmitted = 0, dntxed = 0;
  std::uint64_t timesyncs = 0, unknown_messages = 0, connections = 0, disconnects = 0;
};

class SimulatedStation {
 public:
  // `router_info_uri`: ws[s]://host:port/router-info, where discovery is asked.
  SimulatedStation(lorawan::Eui64 eui, std::string router_info_uri, StationOptions options = {});
  ~SimulatedStation();
  SimulatedStation(const SimulatedStation&) = delete;
  SimulatedStation& operator=(const SimulatedStation&) = delete;

  lorawan::Eui64 eui() const { return eui_; }
  // The 48-bit concentrator counter now, and its low 32 bits (SimulatedGateway's counter_us).
  std::uint64_t counter48_us() const;
  std::uint32_t counter_us() const { return static_cast<std::uint32_t>(counter48_us()); }
  std::int64_t xtime_now() const;

  // Discovery alone: the answer (a traffic URI or the server's error), or why it failed
  // (refused handshake, TLS failure, timeout, a URI the station would refuse).
  lorawan::Result<station::RouterInfo> discover(Timeout timeout);
  // Discovery, then the traffic socket, `version` and router_config: the configuration, or why
  // the station has none. Replaces an earlier traffic connection.
  lorawan::Result<station::RouterConfig> connect(Timeout timeout);
  // The traffic socket alone, at `uri` (skips discovery).
  lorawan::Result<station::RouterConfig> connect_traffic(const std::string& uri, Timeout timeout);
  // Closes the traffic socket: cleanly (a WebSocket close) or by dropping the TCP connection.
  void disconnect(bool clean = true);
  // As a station whose process hangs with its connection up: the traffic socket stays open, but
  // nothing more is read or written — no message, no close, and no pong to the server's pings
  // (Beast answers a ping from inside a pending read). connected() stays true: the station
  // would not notice the server closing it either.
  void hang();
  bool connected() const;
  // The traffic socket was closed by the server (or failed) since connect().
  bool wait_disconnected(Timeout timeout);
  std::optional<station::RouterConfig> router_config() const;

  // Sends the jreq/updf/propdf the station makes of `phy_payload` (xtime: the counter now, or
  // the reception's tmst in the counter's low 32 bits when given).
  StationPushResult push(lorawan::ByteView phy_payload, const StationReception& reception = {},
                         Timeout timeout = Timeout(1000));
  // Several uplinks at once, as a load generator's concentrator fetch holds them: each its own
  // message (the protocol has one WebSocket message per frame), built as push() builds it, all
  // handed to the socket's thread in one go and written back to back. Returns how many were
  // queued (0 when not connected).
  std::size_t push_all(std::span<const StationUplink> uplinks);
  // Any text on the traffic socket (for hostile-peer tests).
  bool send_text(const std::string& text);

  // The oldest dnmsg not yet taken (placed or refused), waiting up to `timeout` for one.
  std::optional<StationDownlink> wait_downlink(Timeout timeout);
  std::deque<StationDownlink> take_downlinks();
  // Waits until `count` dntxed have been sent in all.
  bool wait_transmitted(std::uint64_t count, Timeout timeout);

  // Sends timesync with the station's µs clock and waits for the server's answer.
  std::optional<station::TimesyncAnswer> timesync(Timeout timeout);

  StationCounters counters() const;

  // One WebSocket connection (defined in the .cpp; public only so its helpers there can name it).
  struct Link;

 private:
  // The jreq/updf/propdf message of an uplink into `text` (empty when the frame is no uplink).
  StationPushResult uplink_message(lorawan::ByteView phy_payload, const StationReception& reception,
                                   std::string& text) const;
  lorawan::Result<std::string> exchange_once(const std::string& uri, const std::string& request, Timeout timeout);
  void on_message(std::uint64_t generation, std::string text);
  void on_closed(std::uint64_t generation);
  void place(StationDownlink& downlink);                                 // under mutex_
  void transmit_later(std::int64_t transmit_xtime, std::string dntxed);  // under mutex_

  lorawan::Eui64 eui_;
  std::string router_info_uri_;
  StationOptions options_;
  std::chrono::steady_clock::time_point started_;
  std::uint64_t counter_start_ = 0;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<Link> traffic_;  // the current traffic socket
  std::uint64_t generation_ = 0;   // of traffic_; messages of older sockets are ignored
  bool closed_ = true;
  std::optional<station::RouterConfig> config_;
  std::optional<std::string> config_error_;
  std::deque<StationDownlink> downlinks_;
  std::uint64_t sequence_ = 0;
  std::deque<station::TimesyncAnswer> timesyncs_;
  StationCounters counters_;
};

}  // namespace uchet::sim
