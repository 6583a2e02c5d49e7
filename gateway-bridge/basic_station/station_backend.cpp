#include "gateway-bridge/basic_station/station_backend.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "common/callback_guard.h"
#include "common/log_rate_limiter.h"
#include "gateway-bridge/basic_station/eui_text.h"
#include "gateway-bridge/reception_handover.h"
#include "gateway-bridge/semtech_udp/bind_address.h"
#include "gateway-bridge/transmission_airtime.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::gateway_bridge::basic_station {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::uint32_t kMaxHeaderBytes = 8192;
// Uplinks remembered per gateway for their rctx and arrival time: a class A answer refers to an
// uplink of the last few seconds; a busy gateway hears a few hundred frames in that time.
constexpr std::size_t kRecentUplinks = 512;

std::chrono::sys_seconds utc_seconds_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

UtcTime utc_now() { return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()); }

// The address part of "address:port": log keys name the peer's address, so that a peer opening
// connection after connection (each from a new port) is still logged once a minute.
std::string address_of(const std::string& peer) { return peer.substr(0, peer.rfind(':')); }

using X509Ptr = std::unique_ptr<X509, void (*)(X509*)>;

// What a peer offered to prove who it is, taken from its TLS handshake and upgrade request.
struct PeerProof {
  std::string authorization;  // the header's value; never logged
  X509Ptr certificate{nullptr, &X509_free};
};

enum class Verdict : std::uint8_t { Accepted, UnknownGateway, BadCredential };

Verdict authenticate(const std::optional<StationCredential>& credential, const PeerProof& proof, bool tls) {
  if (!credential) return Verdict::UnknownGateway;
  if (!tls) return Verdict::Accepted;  // a station sends no token over ws://: the EUI is all there is
  switch (credential->kind) {
    case CredentialKind::Token:
      return token_matches(*credential, bearer_token(proof.authorization)) ? Verdict::Accepted : Verdict::BadCredential;
    case CredentialKind::ClientCertificate:
      return certificate_matches(*credential, proof.certificate.get()) ? Verdict::Accepted : Verdict::BadCredential;
    case CredentialKind::None:
      break;
  }
  return Verdict::BadCredential;  // registered without a credential: only a plain ws:// server takes it
}

// The traffic socket of one gateway, as the backend's registry sees it (backend thread).
class Link {
 public:
  virtual ~Link() = default;
  virtual void send_text(std::string text) = 0;
  virtual void close() = 0;  // hard close; the session's pending read then ends it
};

// An uplink a downlink may answer: its rctx and when it arrived.
struct UplinkMark {
  std::uint64_t xtime = 0;
  std::int64_t rctx = 0;
  SteadyClock::time_point received_at{};
};

// Kept after the socket closed (connected false, link and identity cleared), so the operator
// still sees when the gateway was last connected and heard from.
struct LinkEntry {
  std::weak_ptr<Link> link;
  const Link* identity = nullptr;
  bool connected = true;
  std::chrono::sys_seconds connected_since{};
  std::chrono::sys_seconds last_seen{};
  std::string station_version;
  std::deque<UplinkMark> recent;
};

struct PendingDownlink {
  lorawan::Eui64 gateway_eui = 0;
  const Link* link = nullptr;
  std::chrono::milliseconds bound{};
  std::unique_ptr<asio::steady_timer> timer;
};

}  // namespace

struct StationBackend::Shared {
  Shared(lorawan::Region r, const StationBackendOptions& o, asio::io_context& owner_io, BackendCallbacks cb)
      : region(r),
        options(o),
        owner(owner_io),
        callbacks(std::move(cb)),
        handover(std::make_shared<ReceptionHandover>(owner_io, o.max_queued_uplinks, callbacks.on_reception)) {}

  const lorawan::Region region;
  const StationBackendOptions options;
  asio::io_context& owner;
  const BackendCallbacks callbacks;
  const std::shared_ptr<ReceptionHandover> handover;
  std::optional<ssl::context> tls;
  std::uint16_t port = 0;
  std::thread thread;
  std::atomic<std::size_t> sockets_open{0};
  common::LogRateLimiter limiter;  // backend thread only

  // Counters: written on the backend thread (send() adds nothing), read from any.
  struct AtomicCounters {
    std::atomic<std::uint64_t> connections_accepted{0}, connections_replaced{0}, connections_timed_out{0},
        discoveries_answered{0}, refused_unknown_gateway{0}, refused_credential{0}, refused_handshake{0},
        refused_over_limit{0}, messages_oversized{0}, messages_malformed{0}, messages_unknown_type{0}, uplinks{0},
        dntxed{0}, dntxed_timeouts{0}, dntxed_late{0}, disconnect_failures{0};
  } counters;

  mutable std::mutex mutex;  // links and next_diid: send() and connections() read them from any thread
  std::map<lorawan::Eui64, LinkEntry> links;
  TransmissionId next_diid = 0;
  std::unordered_map<TransmissionId, PendingDownlink> pending;  // backend thread only

  // Declared last, so destroyed first: its handlers (the sessions) reference the members above.
  asio::io_context io;
  std::optional<tcp::acceptor> acceptor;

  bool secure() const { return tls.has_value(); }

  // Logs at most once a minute per key; the key names a reason and a gateway or peer.
  template <class... Args>
  void log_limited(const std::string& key, fmt::format_string<Args...> format, Args&&... args) {
    if (auto suppressed = limiter.admit(key, SteadyClock::now())) {
      auto text = fmt::format(format, std::forward<Args>(args)...);
      if (*suppressed > 0) text += fmt::format(" ({} similar suppressed)", *suppressed);
      spdlog::warn("basic station: {}", text);
    }
  }

  // A peer's TLS handshake, HTTP upgrade or discovery request failed or timed out.
  void handshake_failed(const char* step, const std::string& peer, const beast::error_code& ec) {
    ++counters.refused_handshake;
    log_limited(std::string("handshake/") + step, "{} from {} failed: {}", step, peer, ec.message());
  }

  void deliver_outcome(TxOutcome outcome) {
    if (!callbacks.on_outcome) return;
    asio::post(owner, [cb = callbacks.on_outcome, outcome = std::move(outcome)] {
      common::run_guarded("basic station: on_outcome", [&] { cb(outcome); });
    });
  }

  // ---- registry (backend thread unless said otherwise) -------------------------------------

  void attach(lorawan::Eui64 eui, const std::shared_ptr<Link>& link) {
    std::shared_ptr<Link> replaced;
    const Link* replaced_identity = nullptr;
    {
      std::lock_guard lock(mutex);
      auto& entry = links[eui];
      replaced = entry.link.lock();
      replaced_identity = entry.identity;
      entry = LinkEntry{};
      entry.link = link;
      entry.identity = link.get();
      entry.connected_since = entry.last_seen = utc_seconds_now();
    }
    ++counters.connections_accepted;
    if (replaced_identity) {
      ++counters.connections_replaced;
      spdlog::info("basic station: gateway {} connected again; its previous socket is closed",
                   lorawan::eui64_to_string(eui));
      fail_pending(replaced_identity, "replaced by a new connection before dntxed");
      if (replaced) replaced->close();
    } else {
      spdlog::info("basic station: gateway {} connected", lorawan::eui64_to_string(eui));
    }
  }

  void detach(lorawan::Eui64 eui, const Link* link, std::string_view why) {
    bool was_current = false;
    {
      std::lock_guard lock(mutex);
      auto it = links.find(eui);
      if (it != links.end() && it->second.identity == link) {
        it->second.connected = false;
        it->second.link.reset();
        it->second.identity = nullptr;
        it->second.recent.clear();
        was_current = true;
      }
    }
    if (was_current) spdlog::info("basic station: gateway {} disconnected: {}", lorawan::eui64_to_string(eui), why);
    fail_pending(link, "connection closed before dntxed");
  }

  bool is_current(lorawan::Eui64 eui, const Link* link) const {
    std::lock_guard lock(mutex);
    auto it = links.find(eui);
    return it != links.end() && it->second.identity == link;
  }

  void touch(lorawan::Eui64 eui, const Link* link) {
    std::lock_guard lock(mutex);
    auto it = links.find(eui);
    if (it != links.end() && it->second.identity == link) it->second.last_seen = utc_seconds_now();
  }

  void set_version(lorawan::Eui64 eui, const Link* link, std::string version) {
    std::lock_guard lock(mutex);
    auto it = links.find(eui);
    if (it != links.end() && it->second.identity == link) it->second.station_version = std::move(version);
  }

  void remember_uplink(lorawan::Eui64 eui, const Link* link, const UplinkMark& mark) {
    std::lock_guard lock(mutex);
    auto it = links.find(eui);
    if (it == links.end() || it->second.identity != link) return;
    auto& recent = it->second.recent;
    recent.push_back(mark);
    if (recent.size() > kRecentUplinks) recent.pop_front();
  }

  // ---- downlinks ------------------------------------------------------------------------------

  // Any thread.
  lorawan::Result<TransmissionId> send(lorawan::Eui64 eui, const Transmission& transmission) {
    DownlinkAddressing addressing;
    addressing.dev_eui = transmission.dev_eui;
    std::weak_ptr<Link> target;
    const Link* identity = nullptr;
    auto due = SteadyClock::now();
    {
      std::lock_guard lock(mutex);
      auto it = links.find(eui);
      if (it == links.end() || !it->second.connected)
        return std::unexpected("gateway " + lorawan::eui64_to_string(eui) + " has no Basics Station connection");
      target = it->second.link;
      identity = it->second.identity;
      addressing.diid = ++next_diid;
      if (const auto* at = std::get_if<CounterTime>(&transmission.timing)) {
        // The uplink this answers: its rctx, and the moment on our clock the counter refers to.
        for (auto mark = it->second.recent.rbegin(); mark != it->second.recent.rend(); ++mark) {
          if (mark->xtime != at->context) continue;
          addressing.rctx = mark->rctx;
          const auto delay_us =
              static_cast<std::int64_t>(at->counter_us) - static_cast<std::int64_t>(at->context & kXtimeCounterMask);
          due = mark->received_at + std::chrono::microseconds(std::clamp<std::int64_t>(delay_us, 0, 60'000'000));
          break;
        }
      }
    }
    auto text = build_dnmsg(transmission, region, addressing, utc_now());
    if (!text) return std::unexpected(text.error());
    const auto until_due = std::max(SteadyClock::duration::zero(), due - SteadyClock::now());
    const auto bound = std::chrono::ceil<std::chrono::milliseconds>(until_due + transmission_airtime(transmission) +
                                                                    options.dntxed_margin);
    asio::post(io, [this, eui, target, identity, id = addressing.diid, bound, text = std::move(*text)]() mutable {
      auto link = target.lock();
      if (!link || !is_current(eui, identity)) {
        ++counters.disconnect_failures;
        deliver_outcome({.gateway_eui = eui,
                         .id = id,
                         .status = TxStatus::InternalError,
                         .detail = "connection closed before the dnmsg was written",
                         .unanswered = true});
        return;
      }
      await_dntxed(eui, identity, id, bound);
      link->send_text(std::move(text));
    });
    return addressing.diid;
  }

  void await_dntxed(lorawan::Eui64 eui, const Link* link, TransmissionId id, std::chrono::milliseconds bound) {
    auto& p = pending[id];
    p.gateway_eui = eui;
    p.link = link;
    p.bound = bound;
    p.timer = std::make_unique<asio::steady_timer>(io, bound);
    p.timer->async_wait([this, id](const boost::system::error_code& ec) {
      if (ec) return;
      auto it = pending.find(id);
      if (it == pending.end()) return;
      auto eui = it->second.gateway_eui;
      const auto seconds = std::chrono::ceil<std::chrono::seconds>(it->second.bound).count();
      pending.erase(it);
      ++counters.dntxed_timeouts;
      log_limited("no-dntxed/" + lorawan::eui64_to_string(eui),
                  "gateway {} confirmed no downlink within {} s: the station dropped it (late, a collision "
                  "or its duty cycle)",
                  lorawan::eui64_to_string(eui), seconds);
      deliver_outcome({.gateway_eui = eui,
                       .id = id,
                       .status = TxStatus::InternalError,
                       .detail = fmt::format("no dntxed within {} s", seconds),
                       .unanswered = true});
    });
  }

  void confirm(lorawan::Eui64 eui, TransmissionId id) {
    auto it = pending.find(id);
    if (it == pending.end() || it->second.gateway_eui != eui) {
      ++counters.dntxed_late;
      log_limited("late-dntxed/" + lorawan::eui64_to_string(eui),
                  "gateway {} confirmed downlink {} that is no longer awaited (its bound passed)",
                  lorawan::eui64_to_string(eui), id);
      return;
    }
    pending.erase(it);  // cancels the timer
    ++counters.dntxed;
    deliver_outcome({.gateway_eui = eui, .id = id, .status = TxStatus::Ok});
  }

  void fail_pending(const Link* link, std::string_view why) {
    for (auto it = pending.begin(); it != pending.end();) {
      if (it->second.link != link) {
        ++it;
        continue;
      }
      ++counters.disconnect_failures;
      deliver_outcome({.gateway_eui = it->second.gateway_eui,
                       .id = it->first,
                       .status = TxStatus::InternalError,
                       .detail = std::string(why),
                       .unanswered = true});
      it = pending.erase(it);
    }
  }

  // ---- accepting ------------------------------------------------------------------------------

  void accept_next();
  template <class Stream>
  void handshake(Stream stream, std::string peer);
};

namespace {

// Keeps a socket counted in sockets_open while some object owns it.
class SocketSlot {
 public:
  explicit SocketSlot(std::atomic<std::size_t>& open) : open_(&open) { ++*open_; }
  SocketSlot(SocketSlot&& other) noexcept : open_(std::exchange(other.open_, nullptr)) {}
  SocketSlot& operator=(SocketSlot&&) = delete;
  ~SocketSlot() {
    if (open_) --*open_;
  }

 private:
  std::atomic<std::size_t>* open_;
};

using Shared = StationBackend::Shared;

// One upgraded WebSocket: a traffic socket of an authenticated gateway, or a discovery exchange.
template <class Stream>
class Session final : public Link, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Shared& shared, Stream&& stream, SocketSlot slot, std::string peer, PeerProof proof)
      : shared_(shared),
        ws_(std::move(stream)),
        slot_(std::move(slot)),
        peer_(std::move(peer)),
        proof_(std::move(proof)) {}

  // Traffic: the gateway is authenticated; completes the upgrade and reads its messages.
  void start_traffic(lorawan::Eui64 eui, const http::request<http::empty_body>& request) {
    eui_ = eui;
    proof_ = PeerProof{};  // checked; nothing of it is needed any more
    prepare(
        websocket::stream_base::timeout{shared_.options.handshake_timeout, 2 * shared_.options.ping_interval, true});
    ws_.read_message_max(0);  // no limit of Beast's: read_next enforces max_message_bytes
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) shared_.touch(eui_, this);
    });
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
      common::run_guarded("basic station: accept", [&] { self->on_traffic_accepted(ec); });
    });
  }

  // Discovery: completes the upgrade, reads {"router":...} and answers.
  void start_discovery(const http::request<http::empty_body>& request) {
    prepare(
        websocket::stream_base::timeout{shared_.options.handshake_timeout, shared_.options.handshake_timeout, false});
    ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return self->handshake_failed("discovery upgrade", ec);
      self->ws_.async_read(self->buffer_, [self](beast::error_code read_ec, std::size_t) {
        common::run_guarded("basic station: discovery", [&] { self->on_discovery_request(read_ec); });
      });
    });
  }

  void send_text(std::string text) override {
    if (closed_) return;
    writes_.push_back(std::move(text));
    if (writes_.size() == 1) write_next();
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
  }

 private:
  void prepare(const websocket::stream_base::timeout& timeout) {
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts from here on
    ws_.set_option(timeout);
    // Traffic sockets count a message's bytes themselves (read_next); discovery relies on this.
    ws_.read_message_max(shared_.options.max_message_bytes);
    ws_.text(true);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "uchet"); }));
  }

  void handshake_failed(const char* step, beast::error_code ec) { shared_.handshake_failed(step, peer_, ec); }

  void on_traffic_accepted(beast::error_code ec) {
    if (ec) return handshake_failed("traffic upgrade", ec);
    shared_.attach(eui_, this->shared_from_this());
    attached_ = true;
    read_next();
  }

  // A message is read piecewise, at most one byte over the bound: Beast's own limit would answer
  // an oversized message with a close handshake whose outcome hides the reason.
  void read_next() {
    ws_.async_read_some(buffer_, shared_.options.max_message_bytes + 1 - buffer_.size(),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                          common::run_guarded("basic station: read", [&] { self->on_read(ec); });
                        });
  }

  void on_read(beast::error_code ec) {
    const auto eui_text = lorawan::eui64_to_string(eui_);
    if (ec) {
      close();
      if (ec == beast::error::timeout) {
        // Beast's idle timeout: a ping went out after one interval of silence and nothing came
        // back by the second (a station never pings by itself, but answers pings).
        ++shared_.counters.connections_timed_out;
        shared_.detach(eui_, this, "no message and no pong for two ping intervals");
      } else {
        shared_.detach(eui_, this, ec == websocket::error::closed ? "closed by the station" : ec.message());
      }
      return;
    }
    if (buffer_.size() > shared_.options.max_message_bytes) {
      ++shared_.counters.messages_oversized;
      shared_.log_limited("oversized/" + eui_text, "gateway {} sent a message over {} bytes; its socket is closed",
                          eui_text, shared_.options.max_message_bytes);
      close();
      shared_.detach(eui_, this, "oversized message");
      return;
    }
    if (!ws_.is_message_done()) return read_next();
    const auto received_at = SteadyClock::now();
    shared_.touch(eui_, this);
    if (!ws_.got_text()) {
      ++shared_.counters.messages_malformed;
      shared_.log_limited("malformed/" + eui_text, "gateway {} sent a binary frame; dropped", eui_text);
    } else {
      const auto data = buffer_.data();
      handle(std::string_view(static_cast<const char*>(data.data()), data.size()), received_at);
    }
    buffer_.consume(buffer_.size());
    if (!closed_) read_next();
  }

  void handle(std::string_view text, SteadyClock::time_point received_at) {
    const auto eui_text = lorawan::eui64_to_string(eui_);
    auto message = parse_station_message(text, shared_.region, eui_, received_at, shared_.options.max_message_bytes);
    if (!message) {
      if (message.error().starts_with("unknown message type")) {
        ++shared_.counters.messages_unknown_type;
        shared_.log_limited("unknown-type/" + eui_text, "gateway {}: {}; dropped", eui_text, message.error());
      } else {
        ++shared_.counters.messages_malformed;
        shared_.log_limited("malformed/" + eui_text, "gateway {} sent a message refused: {}", eui_text,
                            message.error());
      }
      return;
    }
    std::visit([&](auto& m) { on_message(m); }, *message);
  }

  void on_message(VersionMessage& version) {
    spdlog::info("basic station: gateway {} runs station {} (protocol {}, model '{}', features '{}')",
                 lorawan::eui64_to_string(eui_), version.station, version.protocol, version.model, version.features);
    shared_.set_version(eui_, this, version.station);
    auto options = shared_.options.router_config;
    options.now = utc_now();
    auto config = build_router_config(shared_.region, options);
    if (!config) {
      spdlog::error("basic station: no router_config for gateway {}: {}", lorawan::eui64_to_string(eui_),
                    config.error());
      return;
    }
    send_text(std::move(*config));
  }

  void on_message(UplinkMessage& uplink) {
    shared_.remember_uplink(eui_, this, {uplink.xtime, uplink.rctx, uplink.reception.received_at});
    ++shared_.counters.uplinks;
    if (!shared_.handover->enqueue(std::move(uplink.reception)))
      shared_.log_limited("overload", "the network server is {} receptions behind; uplinks dropped",
                          shared_.handover->limit());
  }

  void on_message(DntxedMessage& dntxed) { shared_.confirm(eui_, dntxed.diid); }

  void on_message(TimesyncRequest& request) { send_text(build_timesync_answer(request, utc_now())); }

  void write_next() {
    ws_.async_write(asio::buffer(writes_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      common::run_guarded("basic station: write", [&] { self->on_write(ec); });
                    });
  }

  void on_write(beast::error_code ec) {
    if (ec) {
      writes_.clear();
      close();  // the pending read ends and detaches
      return;
    }
    writes_.pop_front();
    if (!writes_.empty() && !closed_) write_next();
  }

  void on_discovery_request(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) ++shared_.counters.messages_oversized;
      return handshake_failed("discovery request", ec);
    }
    const auto data = buffer_.data();
    auto router = parse_discovery_request(std::string_view(static_cast<const char*>(data.data()), data.size()),
                                          shared_.options.max_message_bytes);
    buffer_.consume(buffer_.size());
    std::string answer;
    if (!router) {
      ++shared_.counters.messages_malformed;
      shared_.log_limited("discovery/" + address_of(peer_), "discovery request from {} refused: {}", peer_,
                          router.error());
      answer = build_discovery_error(0, router.error());
    } else {
      const auto eui_text = lorawan::eui64_to_string(*router);
      switch (authenticate(shared_.options.credentials(*router), proof_, shared_.secure())) {
        case Verdict::Accepted:
          ++shared_.counters.discoveries_answered;
          answer = build_discovery_answer(
              *router, 0, traffic_uri(shared_.secure(), shared_.options.public_host, shared_.port, *router));
          break;
        case Verdict::UnknownGateway:
          ++shared_.counters.refused_unknown_gateway;
          shared_.log_limited("unknown/" + eui_text,
                              "discovery by gateway {} from {} refused: not registered for "
                              "Basics Station",
                              eui_text, peer_);
          answer = build_discovery_error(*router, "unknown gateway");
          break;
        case Verdict::BadCredential:
          ++shared_.counters.refused_credential;
          shared_.log_limited("credential/" + eui_text, "discovery by gateway {} from {} refused: {}", eui_text, peer_,
                              "missing or wrong credential");
          answer = build_discovery_error(*router, "not authorised");
          break;
      }
    }
    proof_ = PeerProof{};
    writes_.push_back(std::move(answer));
    ws_.async_write(asio::buffer(writes_.front()), [self = this->shared_from_this()](beast::error_code, std::size_t) {
      self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {});
    });
  }

  Shared& shared_;
  websocket::stream<Stream> ws_;
  SocketSlot slot_;
  std::string peer_;
  PeerProof proof_;
  beast::flat_buffer buffer_;
  std::deque<std::string> writes_;
  lorawan::Eui64 eui_ = 0;
  bool attached_ = false;
  bool closed_ = false;
};

// Before the upgrade: the TLS handshake, then the HTTP request, read within the handshake
// timeout; then routed by path, the gateway authenticated, and refused or handed to a Session.
template <class Stream>
class Handshake final : public std::enable_shared_from_this<Handshake<Stream>> {
 public:
  Handshake(Shared& shared, Stream&& stream, std::string peer)
      : shared_(shared), stream_(std::move(stream)), slot_(shared.sockets_open), peer_(std::move(peer)) {}

  void run() {
    beast::get_lowest_layer(stream_).expires_after(shared_.options.handshake_timeout);
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->failed("TLS handshake", ec);
        self->read_request();
      });
    } else {
      read_request();
    }
  }

 private:
  void read_request() {
    parser_.header_limit(kMaxHeaderBytes);
    parser_.body_limit(0);
    http::async_read(stream_, buffer_, parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failed("HTTP upgrade request", ec);
      common::run_guarded("basic station: route", [&] { self->route(); });
    });
  }

  void failed(const char* step, beast::error_code ec) { shared_.handshake_failed(step, peer_, ec); }

  void route() {
    const auto& request = parser_.get();
    std::string target(request.target());
    if (auto query = target.find('?'); query != std::string::npos) target.resize(query);
    if (!websocket::is_upgrade(request)) return refuse(http::status::bad_request, "a WebSocket upgrade is required");
    PeerProof proof;
    proof.authorization = std::string(request[http::field::authorization]);
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      proof.certificate.reset(SSL_get1_peer_certificate(stream_.native_handle()));
    }
    if (target == "/router-info") {
      auto session =
          std::make_shared<Session<Stream>>(shared_, std::move(stream_), std::move(slot_), peer_, std::move(proof));
      session->start_discovery(request);
      return;
    }
    constexpr std::string_view kTraffic = "/traffic/";
    if (!target.starts_with(kTraffic)) return refuse(http::status::not_found, "unknown path");
    auto eui = parse_eui_text(std::string_view(target).substr(kTraffic.size()));
    if (!eui) return refuse(http::status::not_found, "the path names no gateway EUI");
    const auto eui_text = lorawan::eui64_to_string(*eui);
    switch (authenticate(shared_.options.credentials(*eui), proof, shared_.secure())) {
      case Verdict::UnknownGateway:
        ++shared_.counters.refused_unknown_gateway;
        shared_.log_limited("unknown/" + eui_text, "gateway {} from {} refused: not registered for Basics Station",
                            eui_text, peer_);
        return refuse(http::status::forbidden, "unknown gateway");
      case Verdict::BadCredential:
        ++shared_.counters.refused_credential;
        shared_.log_limited("credential/" + eui_text, "gateway {} from {} refused: missing or wrong credential",
                            eui_text, peer_);
        return refuse(http::status::unauthorized, "missing or wrong credential");
      case Verdict::Accepted:
        break;
    }
    auto session = std::make_shared<Session<Stream>>(shared_, std::move(stream_), std::move(slot_), peer_, PeerProof{});
    session->start_traffic(*eui, request);
  }

  // Answers the upgrade request with an error status, then closes.
  void refuse(http::status status, std::string_view reason) {
    if (status == http::status::bad_request || status == http::status::not_found) {
      ++shared_.counters.refused_handshake;
      shared_.log_limited("path/" + address_of(peer_), "request from {} refused: {}", peer_, reason);
    }
    response_.result(status);
    response_.version(11);
    response_.set(http::field::server, "uchet");
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(false);
    response_.body() = fmt::format(R"({{"error":"{}"}})", reason);
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = this->shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  Shared& shared_;
  Stream stream_;
  SocketSlot slot_;
  std::string peer_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> response_;
};

std::string peer_text(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "an unknown peer";
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

void StationBackend::Shared::accept_next() {
  acceptor->async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      auto peer = peer_text(socket);
      if (sockets_open >= options.max_connections) {
        ++counters.refused_over_limit;
        log_limited("over-limit", "{} sockets open; {} refused", options.max_connections, peer);
        beast::error_code ignored;
        socket.close(ignored);
      } else if (secure()) {
        std::make_shared<Handshake<beast::ssl_stream<beast::tcp_stream>>>(
            *this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls), std::move(peer))
            ->run();
      } else {
        std::make_shared<Handshake<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)), std::move(peer))
            ->run();
      }
    }
    accept_next();
  });
}

StationBackend::StationBackend(lorawan::Region region, StationBackendOptions options)
    : region_(region), options_(std::move(options)) {}

StationBackend::~StationBackend() { halt(); }

lorawan::Result<void> StationBackend::start(asio::io_context& owner, BackendCallbacks callbacks) {
  if (shared_) return std::unexpected("the Basics Station backend is already started");
  if (!options_.credentials) return std::unexpected("the Basics Station backend needs a credential lookup");
  if (options_.tls_cert_file.empty() != options_.tls_key_file.empty())
    return std::unexpected("the TLS certificate and key must be given both or neither");
  auto shared = std::make_shared<Shared>(region_, options_, owner, std::move(callbacks));
  if (!options_.tls_cert_file.empty()) {
    shared->tls.emplace(ssl::context::tls_server);
    auto& context = *shared->tls;
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    context.use_certificate_chain_file(options_.tls_cert_file, ec);
    if (ec) return std::unexpected("cannot load the certificate '" + options_.tls_cert_file + "': " + ec.message());
    context.use_private_key_file(options_.tls_key_file, ssl::context::pem, ec);
    if (ec) return std::unexpected("cannot load the private key '" + options_.tls_key_file + "': " + ec.message());
    if (SSL_CTX_check_private_key(context.native_handle()) != 1)
      return std::unexpected("the private key '" + options_.tls_key_file + "' does not match the certificate");
    // Ask every peer for a certificate and accept whatever chain it offers: a gateway registered
    // with a client certificate is recognised by the leaf's fingerprint after the handshake, and
    // one that uses a token offers none.
    context.set_verify_mode(ssl::verify_peer);
    context.set_verify_callback([](bool, ssl::verify_context&) { return true; });
    // Session resumption would hand a resumed peer's certificate without a new handshake; keep
    // every connection's proof fresh.
    SSL_CTX_set_session_cache_mode(context.native_handle(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(context.native_handle(), SSL_OP_NO_TICKET);
  }
  auto address = semtech_udp::parse_bind_address(options_.bind);
  if (!address) return std::unexpected(address.error());
  try {
    tcp::endpoint endpoint(address->address(), address->port());
    shared->acceptor.emplace(shared->io);
    shared->acceptor->open(endpoint.protocol());
    shared->acceptor->set_option(asio::socket_base::reuse_address(true));
    shared->acceptor->bind(endpoint);
    shared->acceptor->listen(asio::socket_base::max_listen_connections);
    shared->port = shared->acceptor->local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    return std::unexpected("cannot listen on " + options_.bind + ": " + e.code().message());
  }
  shared->accept_next();
  shared->thread = std::thread([s = shared.get()] {
    pthread_setname_np(pthread_self(), "basic-station");
    auto guard = asio::make_work_guard(s->io);
    s->io.run();
  });
  shared_ = std::move(shared);
  return {};
}

void StationBackend::halt() {
  if (!shared_ || !shared_->thread.joinable()) return;
  asio::post(shared_->io, [s = shared_.get()] {
    beast::error_code ignored;
    s->acceptor->close(ignored);
    std::vector<std::shared_ptr<Link>> open;
    {
      std::lock_guard lock(s->mutex);
      for (auto& [eui, entry] : s->links) {
        if (auto link = entry.link.lock()) open.push_back(std::move(link));
        entry.connected = false;
        entry.link.reset();
        entry.identity = nullptr;
      }
    }
    for (auto& link : open) link->close();
    s->pending.clear();  // stopping: no outcome follows (the owner stops too)
    s->io.stop();
  });
  shared_->thread.join();
}

void StationBackend::stop() {
  halt();
  if (shared_) shared_->handover->drain();
}

lorawan::Result<TransmissionId> StationBackend::send(lorawan::Eui64 gateway_eui, const Transmission& transmission) {
  if (!shared_ || !shared_->thread.joinable()) return std::unexpected("the Basics Station backend is not running");
  return shared_->send(gateway_eui, transmission);
}

BackendCounters StationBackend::counters() const {
  if (!shared_) return {};
  return {.messages_shed = 0, .receptions_dropped = shared_->handover->dropped()};
}

StationCounters StationBackend::station_counters() const {
  if (!shared_) return {};
  const auto& c = shared_->counters;
  StationCounters out;
  out.connections_accepted = c.connections_accepted;
  out.connections_replaced = c.connections_replaced;
  out.connections_timed_out = c.connections_timed_out;
  {
    std::lock_guard lock(shared_->mutex);
    out.connections_open = static_cast<std::uint64_t>(
        std::ranges::count_if(shared_->links, [](const auto& entry) { return entry.second.connected; }));
  }
  out.discoveries_answered = c.discoveries_answered;
  out.refused_unknown_gateway = c.refused_unknown_gateway;
  out.refused_credential = c.refused_credential;
  out.refused_handshake = c.refused_handshake;
  out.refused_over_limit = c.refused_over_limit;
  out.messages_oversized = c.messages_oversized;
  out.messages_malformed = c.messages_malformed;
  out.messages_unknown_type = c.messages_unknown_type;
  out.uplinks = c.uplinks;
  out.dntxed = c.dntxed;
  out.dntxed_timeouts = c.dntxed_timeouts;
  out.dntxed_late = c.dntxed_late;
  out.disconnect_failures = c.disconnect_failures;
  return out;
}

std::vector<std::pair<lorawan::Eui64, std::string>> StationBackend::downlink_paths() const {
  std::vector<std::pair<lorawan::Eui64, std::string>> out;
  for (const auto& c : connections())
    if (c.connected) out.emplace_back(c.gateway_eui, "basic_station");
  return out;
}

std::vector<StationConnection> StationBackend::connections() const {
  std::vector<StationConnection> out;
  if (!shared_) return out;
  std::lock_guard lock(shared_->mutex);
  for (const auto& [eui, entry] : shared_->links)
    out.push_back({eui, entry.connected, entry.connected_since, entry.last_seen, entry.station_version});
  return out;
}

std::uint16_t StationBackend::port() const { return shared_ ? shared_->port : 0; }

}  // namespace uchet::gateway_bridge::basic_station
