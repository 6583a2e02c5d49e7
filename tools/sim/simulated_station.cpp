#include "tools/sim/simulated_station.h"

#include <functional>
#include <future>
#include <random>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace uchet::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// s2e.c TX_AIM_GAP (the default of most platforms): a frame due sooner than this is late.
constexpr std::int64_t kTxAimGapUs = 20'000;
// s2e.c TX_MAX_AHEAD.
constexpr std::int64_t kTxMaxAheadUs = 600'000'000;
constexpr std::uint64_t kCounterMask = (std::uint64_t{1} << 48) - 1;

struct Uri {
  bool tls = false;
  std::string host, port, path;
};

lorawan::Result<Uri> parse_uri(std::string_view text) {
  Uri uri;
  if (text.starts_with("wss://")) {
    uri.tls = true;
    text.remove_prefix(6);
  } else if (text.starts_with("ws://")) {
    text.remove_prefix(5);
  } else {
    return std::unexpected(fmt::format("not a ws:// or wss:// URI: {}", text));
  }
  const auto slash = text.find('/');
  const auto authority = text.substr(0, slash);
  uri.path = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return std::unexpected(fmt::format("no port in {}", text));
  uri.host = std::string(authority.substr(0, colon));
  uri.port = std::string(authority.substr(colon + 1));
  if (uri.host.starts_with('[') && uri.host.ends_with(']')) uri.host = uri.host.substr(1, uri.host.size() - 2);
  return uri;
}

}  // namespace

// One WebSocket connection (discovery or traffic) on the station's io thread. Messages and the
// close are handed to the callbacks, which run on the io thread.
struct SimulatedStation::Link : std::enable_shared_from_this<Link> {
  virtual ~Link() = default;
  // Connects, handshakes and starts reading; `opened` gets the first error or success.
  virtual void open(const Uri& uri, std::optional<std::string> authorization,
                    std::function<void(beast::error_code)> opened) = 0;
  virtual void write(std::string text) = 0;  // any thread
  // Each its own message, handed over at once and written back to back (any thread).
  virtual void write_all(std::vector<std::string> texts) = 0;
  virtual void close(bool clean) = 0;  // any thread
  // From now on nothing is read or written, yet the TCP connection stays open: the pending read
  // is cancelled, and with it the pong Beast sends from inside a read (any thread).
  virtual void hang() = 0;

  std::function<void(std::string)> on_message;
  std::function<void()> on_closed;
};

namespace {

template <class Ws>
class LinkOver : public SimulatedStation::Link {
 public:
  template <class... Args>
  explicit LinkOver(asio::io_context& io, Args&&... args) : io_(io), resolver_(io), ws_(std::forward<Args>(args)...) {}

  void open(const Uri& uri, std::optional<std::string> authorization,
            std::function<void(beast::error_code)> opened) override {
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    asio::post(io_, [self, uri, authorization, opened] { self->resolve(uri, authorization, opened); });
  }

  void write(std::string text) override {
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    asio::post(io_, [self, text = std::move(text)]() mutable {
      if (self->finished_ || self->hung_) return;
      self->outbox_.push_back(std::move(text));
      if (self->outbox_.size() == 1) self->write_next();
    });
  }

  void write_all(std::vector<std::string> texts) override {
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    asio::post(io_, [self, texts = std::move(texts)]() mutable {
      if (self->finished_ || self->hung_ || texts.empty()) return;
      const bool idle = self->outbox_.empty();
      for (auto& text : texts) self->outbox_.push_back(std::move(text));
      if (idle) self->write_next();
    });
  }

  void close(bool clean) override {
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    asio::post(io_, [self, clean] {
      if (self->finished_) return;
      if (clean && self->open_) {
        self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) { self->finish(); });
      } else {
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
        self->finish();
      }
    });
  }

  void hang() override {
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    asio::post(io_, [self] {
      if (self->finished_) return;
      self->hung_ = true;
      self->outbox_.clear();
      beast::get_lowest_layer(self->ws_).cancel();
    });
  }

 private:
  void resolve(const Uri& uri, const std::optional<std::string>& authorization,
               const std::function<void(beast::error_code)>& opened) {
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    resolver_.async_resolve(uri.host, uri.port,
                            [self, uri, authorization, opened](beast::error_code ec, tcp::resolver::results_type r) {
                              if (ec) return opened(ec);
                              beast::get_lowest_layer(self->ws_).expires_after(std::chrono::seconds(10));
                              beast::get_lowest_layer(self->ws_).async_connect(
                                  r, [self, uri, authorization, opened](beast::error_code ec, const tcp::endpoint&) {
                                    if (ec) return opened(ec);
                                    self->secure(uri, [self, uri, authorization, opened](beast::error_code ec) {
                                      if (ec) return opened(ec);
                                      self->handshake(uri, authorization, opened);
                                    });
                                  });
                            });
  }

  void secure(const Uri& uri, std::function<void(beast::error_code)> done) {
    if constexpr (std::is_same_v<Ws, websocket::stream<beast::ssl_stream<beast::tcp_stream>>>) {
      auto& tls = ws_.next_layer();
      // SNI and the name check: a station's mbedTLS verifies the host name of the URI.
      SSL_set_tlsext_host_name(tls.native_handle(), uri.host.c_str());
      tls.set_verify_callback(asio::ssl::host_name_verification(uri.host));
      tls.async_handshake(asio::ssl::stream_base::client, [done](beast::error_code ec) { done(ec); });
    } else {
      done({});
    }
  }

  void handshake(const Uri& uri, const std::optional<std::string>& authorization,
                 const std::function<void(beast::error_code)>& opened) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "uchet-sim station");
      if (authorization) request.set(beast::http::field::authorization, *authorization);
    }));
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    ws_.async_handshake(uri.host + ":" + uri.port, uri.path, [self, opened](beast::error_code ec) {
      if (!ec) {
        self->open_ = true;
        self->read();
      }
      opened(ec);
    });
  }

  void read() {
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    ws_.async_read(buffer_, [self](beast::error_code ec, std::size_t) {
      if (self->hung_) return;  // the cancelled read of hang(): the socket stays open, unread
      if (ec) return self->finish();
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->on_message) self->on_message(std::move(text));
      self->read();
    });
  }

  void write_next() {
    auto self = std::static_pointer_cast<LinkOver>(shared_from_this());
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()), [self](beast::error_code ec, std::size_t) {
      if (self->hung_) return;
      if (ec) return self->finish();
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->write_next();
    });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    outbox_.clear();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (on_closed) on_closed();
  }

  asio::io_context& io_;
  tcp::resolver resolver_;
  Ws ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool open_ = false, finished_ = false, hung_ = false;
};

}  // namespace

const lorawan::Bytes& StationDownlink::phy_payload() const {
  static const lorawan::Bytes kNone;
  return message ? message->pdu : kNone;
}

std::optional<std::uint32_t> StationDownlink::tmst() const {
  if (!window) return std::nullopt;
  return static_cast<std::uint32_t>(station::xtime_counter_us(transmit_xtime));
}

namespace {

// The TLS client context of one connection: the CA to trust, the client certificate if any; an
// error names what could not be loaded.
lorawan::Result<std::shared_ptr<asio::ssl::context>> client_tls(const StationOptions& options) {
  try {
    auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    tls->set_verify_mode(asio::ssl::verify_peer);
    if (!options.ca_file.empty()) tls->load_verify_file(options.ca_file);
    if (!options.client_cert_file.empty()) {
      tls->use_certificate_chain_file(options.client_cert_file);
      tls->use_private_key_file(options.client_key_file, asio::ssl::context::pem);
    }
    return tls;
  } catch (const std::exception& e) {
    return std::unexpected(std::string("TLS setup: ") + e.what());
  }
}

}  // namespace

SimulatedStation::SimulatedStation(lorawan::Eui64 eui, std::string router_info_uri, StationOptions options)
    : eui_(eui),
      router_info_uri_(std::move(router_info_uri)),
      options_(std::move(options)),
      started_(std::chrono::steady_clock::now()),
      work_(asio::make_work_guard(io_)) {
  std::random_device random;
  counter_start_ =
      options_.counter_start.value_or((std::uint64_t{random()} << 16 | random()) & 0xFFFF'FFFFull) & kCounterMask;
  thread_ = std::thread([this] { io_.run(); });
}

SimulatedStation::~SimulatedStation() {
  std::shared_ptr<Link> traffic;
  {
    std::lock_guard lock(mutex_);
    traffic = std::move(traffic_);
    ++generation_;
  }
  if (traffic) traffic->close(false);
  work_.reset();
  io_.stop();
  thread_.join();
}

std::uint64_t SimulatedStation::counter48_us() const {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
  return (counter_start_ + static_cast<std::uint64_t>(elapsed.count())) & kCounterMask;
}

std::int64_t SimulatedStation::xtime_now() const { return station::make_xtime(0, options_.session, counter48_us()); }

namespace {

// A new link of the right kind for `uri`, and its authorization header.
std::shared_ptr<SimulatedStation::Link> make_link(asio::io_context& io, const Uri& uri,
                                                  const std::shared_ptr<asio::ssl::context>& tls) {
  if (uri.tls) {
    struct TlsLink : LinkOver<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> {
      TlsLink(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls)
          : LinkOver(io, io, *tls), tls_(std::move(tls)) {}
      std::shared_ptr<asio::ssl::context> tls_;  // outlives the stream using it
    };
    return std::make_shared<TlsLink>(io, tls);
  }
  return std::make_shared<LinkOver<websocket::stream<beast::tcp_stream>>>(io, io);
}

// Opens `link` to `uri` and waits for the outcome.
lorawan::Result<void> open_link(SimulatedStation::Link& link, const Uri& uri, const std::optional<std::string>& token,
                                Timeout timeout) {
  auto opened = std::make_shared<std::promise<beast::error_code>>();
  auto result = opened->get_future();
  std::optional<std::string> authorization;
  if (token) authorization = "Bearer " + *token;
  link.open(uri, authorization, [opened](beast::error_code ec) { opened->set_value(ec); });
  if (result.wait_for(timeout) != std::future_status::ready) {
    link.close(false);
    return std::unexpected("timed out opening " + uri.path);
  }
  const auto ec = result.get();
  if (ec) return std::unexpected(fmt::format("{}: {}", uri.path, ec.message()));
  return {};
}

}  // namespace

lorawan::Result<std::string> SimulatedStation::exchange_once(const std::string& uri_text, const std::string& request,
                                                             Timeout timeout) {
  auto uri = parse_uri(uri_text);
  if (!uri) return std::unexpected(uri.error());
  auto tls = client_tls(options_);
  if (!tls) return std::unexpected(tls.error());
  auto link = make_link(io_, *uri, *tls);
  auto answer = std::make_shared<std::promise<std::optional<std::string>>>();
  auto answered = std::make_shared<bool>(false);  // io thread only
  auto result = answer->get_future();
  link->on_message = [answer, answered](std::string text) {
    if (!std::exchange(*answered, true)) answer->set_value(std::move(text));
  };
  link->on_closed = [answer, answered] {
    if (!std::exchange(*answered, true)) answer->set_value(std::nullopt);
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (auto opened = open_link(*link, *uri, options_.token, timeout); !opened) {
    link->close(false);
    return std::unexpected(opened.error());
  }
  link->write(request);
  const auto status = result.wait_until(deadline);
  link->close(true);
  if (status != std::future_status::ready) return std::unexpected("no answer to the router-info request");
  auto text = result.get();
  if (!text) return std::unexpected("the server closed the router-info socket without an answer");
  return *text;
}

lorawan::Result<station::RouterInfo> SimulatedStation::discover(Timeout timeout) {
  auto answer = exchange_once(router_info_uri_, station::build_router_info_request(eui_), timeout);
  if (!answer) return std::unexpected(answer.error());
  return station::parse_router_info(*answer);
}

lorawan::Result<station::RouterConfig> SimulatedStation::connect(Timeout timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto info = discover(timeout);
  if (!info) return std::unexpected("discovery: " + info.error());
  if (!info->error.empty()) return std::unexpected("discovery refused: " + info->error);
  const auto left = std::chrono::duration_cast<Timeout>(deadline - std::chrono::steady_clock::now());
  return connect_traffic(info->uri, std::max(left, Timeout(1)));
}

lorawan::Result<station::RouterConfig> SimulatedStation::connect_traffic(const std::string& uri_text, Timeout timeout) {
  auto uri = parse_uri(uri_text);
  if (!uri) return std::unexpected(uri.error());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  disconnect(false);
  auto tls = client_tls(options_);
  if (!tls) return std::unexpected(tls.error());
  auto link = make_link(io_, *uri, *tls);
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = ++generation_;
    traffic_ = link;
    closed_ = false;
    config_.reset();
    config_error_.reset();
  }
  link->on_message = [this, generation](std::string text) { on_message(generation, std::move(text)); };
  link->on_closed = [this, generation] { on_closed(generation); };
  if (auto opened = open_link(*link, *uri, options_.token, timeout); !opened) {
    disconnect(false);
    return std::unexpected(opened.error());
  }
  {
    std::lock_guard lock(mutex_);
    ++counters_.connections;
  }
  link->write(station::build_version(options_.version));
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [&] { return config_ || config_error_ || closed_ || generation_ != generation; });
  if (config_) return *config_;
  if (config_error_) return std::unexpected(*config_error_);
  return std::unexpected(closed_ ? "the server closed the traffic socket before router_config"
                                 : "no router_config in time");
}

void SimulatedStation::disconnect(bool clean) {
  std::shared_ptr<Link> link;
  {
    std::lock_guard lock(mutex_);
    link = std::move(traffic_);
    ++generation_;
    closed_ = true;
    config_.reset();
  }
  changed_.notify_all();
  if (link) link->close(clean);
}

void SimulatedStation::hang() {
  std::shared_ptr<Link> link;
  {
    std::lock_guard lock(mutex_);
    link = traffic_;
  }
  if (link) link->hang();
}

bool SimulatedStation::connected() const {
  std::lock_guard lock(mutex_);
  return traffic_ && !closed_;
}

bool SimulatedStation::wait_disconnected(Timeout timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return closed_; });
}

std::optional<station::RouterConfig> SimulatedStation::router_config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

void SimulatedStation::on_closed(std::uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    if (generation != generation_) return;
    closed_ = true;
    ++counters_.disconnects;
  }
  changed_.notify_all();
}

void SimulatedStation::on_message(std::uint64_t generation, std::string text) {
  {
    std::lock_guard lock(mutex_);
    if (generation != generation_) return;
    auto type = station::message_type(text);
    if (!type) {
      ++counters_.unknown_messages;
    } else if (*type == "router_config") {
      auto config = station::parse_router_config(text);
      if (config)
        config_ = std::move(*config);
      else
        config_error_ = config.error();
    } else if (*type == "dnmsg") {
      StationDownlink downlink;
      downlink.text = std::move(text);
      downlink.counter_at_arrival = counter48_us();
      downlink.sequence = ++sequence_;
      ++counters_.dnmsgs;
      place(downlink);
      downlinks_.push_back(std::move(downlink));
    } else if (*type == "timesync") {
      if (auto answer = station::parse_timesync(text)) {
        ++counters_.timesyncs;
        timesyncs_.push_back(*answer);
      } else {
        ++counters_.unknown_messages;
      }
    } else {
      ++counters_.unknown_messages;
    }
  }
  changed_.notify_all();
}

void SimulatedStation::place(StationDownlink& d) {
  auto refuse = [&](std::string why) {
    d.refusal = std::move(why);
    ++counters_.refused;
  };
  if (!config_) return refuse("Received 'dnmsg' before 'router_config' - dropped");
  auto message = station::parse_dnmsg(d.text, *config_);
  if (!message) return refuse(message.error());
  d.message = std::move(*message);
  const auto& m = *d.message;
  const auto now = static_cast<std::int64_t>(d.counter_at_arrival);
  const auto earliest = now + kTxAimGapUs;
  // Offset of an xtime on this station's counter; another session's xtime cannot be converted.
  auto local = [&](std::int64_t xtime) -> std::optional<std::int64_t> {
    if (station::xtime_session(xtime) != options_.session) return std::nullopt;
    return static_cast<std::int64_t>(station::xtime_counter_us(xtime));
  };
  if (m.rx1) {
    if (m.xtime == 0) return refuse("dropped due to time conversion problems - no xtime");
    const auto at = local(*station::rx1_transmit_xtime(m));
    if (!at) return refuse("dropped due to time conversion problems - another session's xtime");
    if (*at >= earliest) {
      d.window = m.rx1;
      d.transmit_xtime = *station::rx1_transmit_xtime(m);
    }
  }
  if (!d.window && m.rx2) {
    if (m.device_class == 2 && !m.rx1) {
      // Class C without RX1: as soon as possible on RX2.
      d.window = m.rx2;
      d.rx2 = true;
      d.transmit_xtime = station::make_xtime(0, options_.session, static_cast<std::uint64_t>(earliest));
    } else if (m.xtime != 0) {
      const auto at = local(*station::rx2_transmit_xtime(m));
      if (!at) return refuse("dropped due to time conversion problems - another session's xtime");
      if (*at >= earliest) {
        d.window = m.rx2;
        d.rx2 = true;
        d.transmit_xtime = *station::rx2_transmit_xtime(m);
      }
    }
  }
  if (!d.window) {
    ++counters_.too_late;
    return refuse("too late for RX1 and RX2");
  }
  const auto delay = static_cast<std::int64_t>(station::xtime_counter_us(d.transmit_xtime)) - now;
  if (delay > kTxMaxAheadUs) {
    d.window.reset();
    return refuse("Tx job too far ahead");
  }
  ++counters_.transmitted;
  station::Dntxed confirmation{.diid = m.diid,
                               .data_rate = d.window->data_rate,
                               .frequency_hz = d.window->frequency_hz,
                               .dev_eui = m.dev_eui,
                               .rctx = 0,
                               .xtime = d.transmit_xtime,
                               .txtime = static_cast<double>(station::xtime_counter_us(d.transmit_xtime)) / 1e6,
                               .gpstime = 0};
  transmit_later(d.transmit_xtime, station::build_dntxed(confirmation));
}

void SimulatedStation::transmit_later(std::int64_t transmit_xtime, std::string dntxed) {
  // Under mutex_, from the io thread. The dntxed goes out when the transmission starts, on the
  // socket the dnmsg came by (a reconnect in between loses it, as it does on a real station).
  const auto now = static_cast<std::int64_t>(counter48_us());
  const auto delay = std::chrono::microseconds(
      std::max<std::int64_t>(0, static_cast<std::int64_t>(station::xtime_counter_us(transmit_xtime)) - now));
  auto timer = std::make_shared<asio::steady_timer>(io_, delay);
  const auto generation = generation_;
  timer->async_wait([this, timer, generation, dntxed = std::move(dntxed)](beast::error_code ec) {
    if (ec) return;
    std::shared_ptr<Link> link;
    {
      std::lock_guard lock(mutex_);
      if (generation != generation_ || closed_ || !traffic_ || !options_.send_dntxed) return;
      link = traffic_;
      ++counters_.dntxed;
    }
    link->write(dntxed);
    changed_.notify_all();
  });
}

StationPushResult SimulatedStation::uplink_message(lorawan::ByteView phy_payload, const StationReception& reception,
                                                   std::string& text) const {
  StationPushResult result;
  auto counter = counter48_us();
  if (reception.tmst) {
    // The given low 32 bits on the counter's current 2^32 period (the previous one if ahead).
    auto at = (counter & ~std::uint64_t{0xFFFF'FFFF}) | *reception.tmst;
    if (at > counter && at >= (std::uint64_t{1} << 32)) at -= std::uint64_t{1} << 32;
    counter = at & kCounterMask;
  }
  result.xtime = station::make_xtime(0, options_.session, counter);
  result.tmst = static_cast<std::uint32_t>(counter);
  station::UplinkReception r;
  r.data_rate = reception.channel.data_rate;
  r.frequency_hz = reception.channel.frequency_hz;
  r.xtime = result.xtime;
  r.rctx = 0;
  r.gpstime =
      reception.gps_time ? std::chrono::duration_cast<std::chrono::microseconds>(*reception.gps_time).count() : 0;
  r.rssi_dbm = reception.rssi_dbm;
  r.snr_db = reception.snr_db;
  // The reception's UTC time when given (the UDP simulator's rxpk "time"), else the clock now.
  r.rxtime = std::chrono::duration<double>(reception.time ? reception.time->time_since_epoch()
                                                          : std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto built = station::build_uplink(phy_payload, r);
  if (built) text = std::move(*built);
  return result;
}

StationPushResult SimulatedStation::push(lorawan::ByteView phy_payload, const StationReception& reception, Timeout) {
  std::string text;
  auto result = uplink_message(phy_payload, reception, text);
  if (text.empty()) return result;
  result.acked = send_text(text);
  if (result.acked) {
    std::lock_guard lock(mutex_);
    ++counters_.uplinks;
  }
  return result;
}

std::size_t SimulatedStation::push_all(std::span<const StationUplink> uplinks) {
  std::vector<std::string> texts;
  texts.reserve(uplinks.size());
  for (const auto& uplink : uplinks) {
    std::string text;
    uplink_message(uplink.phy_payload, uplink.reception, text);
    if (!text.empty()) texts.push_back(std::move(text));
  }
  const std::size_t count = texts.size();
  std::shared_ptr<Link> link;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || !traffic_) return 0;
    link = traffic_;
    counters_.uplinks += count;
  }
  link->write_all(std::move(texts));
  return count;
}

bool SimulatedStation::send_text(const std::string& text) {
  std::shared_ptr<Link> link;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || !traffic_) return false;
    link = traffic_;
  }
  link->write(text);
  return true;
}

std::optional<StationDownlink> SimulatedStation::wait_downlink(Timeout timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return !downlinks_.empty(); })) return std::nullopt;
  auto d = std::move(downlinks_.front());
  downlinks_.pop_front();
  return d;
}

std::deque<StationDownlink> SimulatedStation::take_downlinks() {
  std::lock_guard lock(mutex_);
  return std::exchange(downlinks_, {});
}

bool SimulatedStation::wait_transmitted(std::uint64_t count, Timeout timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return counters_.dntxed >= count; });
}

std::optional<station::TimesyncAnswer> SimulatedStation::timesync(Timeout timeout) {
  const auto txtime = static_cast<std::int64_t>(counter48_us());
  {
    std::lock_guard lock(mutex_);
    timesyncs_.clear();
  }
  if (!send_text(station::build_timesync_request(txtime))) return std::nullopt;
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return !timesyncs_.empty(); })) return std::nullopt;
  auto answer = timesyncs_.front();
  timesyncs_.pop_front();
  return answer;
}

StationCounters SimulatedStation::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

}  // namespace uchet::sim
