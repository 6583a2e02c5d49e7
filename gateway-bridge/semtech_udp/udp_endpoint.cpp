#include "gateway-bridge/semtech_udp/udp_endpoint.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <random>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>

#include "common/log_rate_limiter.h"
#include "gateway-bridge/semtech_udp/counter_widener.h"
#include "gateway-bridge/semtech_udp/datagram.h"
#include "gateway-bridge/semtech_udp/txpk.h"
#include "netserver/lorawan/encoding.h"

namespace uchet::gateway_bridge::semtech_udp {
namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

// Largest UDP payload over IPv4/IPv6 without jumbograms.
constexpr std::size_t kMaxDatagram = 65'536;
// Datagrams taken per recvmmsg and acknowledgements sent per sendmmsg: one system call each way
// for a burst instead of one per datagram (sendto alone was 12 % of uchetd's CPU at 8,000
// uplinks/s). Several rounds per wake-up, then other handlers get their turn.
constexpr unsigned kBatch = 16;
constexpr int kRoundsPerWakeup = 8;

// Points one message of a recvmmsg/sendmmsg array at one buffer and one peer address.
void describe_message(mmsghdr& message, iovec& vector, void* data, std::size_t size, void* address,
                      std::size_t address_size) {
  vector = {data, size};
  message.msg_hdr.msg_iov = &vector;
  message.msg_hdr.msg_iovlen = 1;
  message.msg_hdr.msg_name = address;
  message.msg_hdr.msg_namelen = static_cast<socklen_t>(address_size);
}

std::string address_text(const udp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace

struct UdpEndpoint::State : std::enable_shared_from_this<UdpEndpoint::State> {
  struct Pending {
    lorawan::Eui64 gateway_eui = 0;
    Transmission request;
    Clock::time_point deadline;
  };

  State(asio::io_context& io, EndpointConfig config_, GatewayFilter filter, EndpointCallbacks callbacks_)
      : io(io),
        socket(io),
        config(std::move(config_)),
        is_known_gateway(std::move(filter)),
        callbacks(std::move(callbacks_)),
        next_token(static_cast<std::uint16_t>(std::random_device{}())),
        limiter(config.log_interval) {}

  asio::io_context& io;
  udp::socket socket;
  std::atomic<bool> closed{false};  // read by send_downlink on other threads
  EndpointConfig config;
  GatewayFilter is_known_gateway;
  EndpointCallbacks callbacks;
  // recvmmsg buffers, one per datagram of a batch (1 MiB, allocated once per endpoint).
  std::vector<std::uint8_t> buffers = std::vector<std::uint8_t>(kBatch * kMaxDatagram);
  std::array<udp::endpoint, kBatch> senders;
  // Acknowledgements of the batch being handled, sent together when it is done.
  struct PendingAck {
    std::array<std::uint8_t, kAckSize> bytes;
    udp::endpoint to;
  };
  std::vector<PendingAck> acks;
  Clock::time_point batch_received_at;  // when the recvmmsg of the datagrams being handled returned
  EndpointCounters counters;
  // send_downlink() may come from another thread (the network server's, when the endpoint runs
  // on a thread of its own): these three are shared with it. The socket itself is only used on
  // the endpoint's thread; sends from elsewhere are posted there.
  std::mutex downlink_mutex;
  struct DownlinkPath {
    udp::endpoint address;
    Clock::time_point pulled_at;
  };
  std::unordered_map<lorawan::Eui64, DownlinkPath> downlink_paths;
  std::unordered_map<std::uint16_t, Pending> pending;              // by PULL_RESP token
  std::deque<std::pair<Clock::time_point, std::uint16_t>> expiry;  // deadlines in sending order
  // Tokens only need to differ between requests awaiting a TX_ACK; a random start avoids
  // matching a late TX_ACK from before a restart.
  std::uint16_t next_token;
  common::LogRateLimiter limiter;
  CounterWidener widener;  // tmst -> the contract's 64-bit counter, per gateway

  void receive() {
    socket.async_wait(udp::socket::wait_read,
                      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_readable(ec); });
  }

  void on_readable(const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor || !socket.is_open()) return;
    if (ec) {
      note("receive_error", "socket", spdlog::level::warn, [&] { return "receive failed: " + ec.message(); });
    } else {
      for (int round = 0; round < kRoundsPerWakeup && receive_batch(); ++round) {}
    }
    receive();
  }

  // Takes up to kBatch datagrams without waiting and handles them; false when the socket had no
  // more (or failed).
  bool receive_batch() {
    std::array<mmsghdr, kBatch> messages{};
    std::array<iovec, kBatch> vectors{};
    for (unsigned i = 0; i < kBatch; ++i) {
      describe_message(messages[i], vectors[i], buffers.data() + i * kMaxDatagram, kMaxDatagram, senders[i].data(),
                       senders[i].capacity());
    }
    const int n = ::recvmmsg(socket.native_handle(), messages.data(), kBatch, MSG_DONTWAIT, nullptr);
    batch_received_at = Clock::now();
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        const std::string why = std::strerror(errno);  // transient, e.g. a reported ICMP error
        note("receive_error", "socket", spdlog::level::warn, [&] { return "receive failed: " + why; });
      }
      return false;
    }
    for (int i = 0; i < n; ++i) {
      auto& from = senders[static_cast<std::size_t>(i)];
      from.resize(messages[static_cast<std::size_t>(i)].msg_hdr.msg_namelen);
      if (messages[static_cast<std::size_t>(i)].msg_hdr.msg_flags & MSG_TRUNC) {
        ++counters.datagrams;
        ++counters.malformed;
        note("malformed", from.address().to_string(), spdlog::level::warn, [&] {
          return fmt::format("datagram from {} ignored: larger than {} bytes", address_text(from), kMaxDatagram);
        });
        continue;
      }
      const auto size = static_cast<std::size_t>(messages[static_cast<std::size_t>(i)].msg_len);
      handle(lorawan::ByteView(buffers.data() + static_cast<std::size_t>(i) * kMaxDatagram, size), from);
    }
    send_acks();
    return n == static_cast<int>(kBatch);
  }

  void handle(lorawan::ByteView data, const udp::endpoint& from) {
    try {
      on_datagram(data, from);
    } catch (const std::exception& e) {  // e.g. bad_alloc, a throwing registry; the endpoint must outlive it
      note("internal_error", "datagram", spdlog::level::err,
           [&] { return fmt::format("datagram from {} not handled: {}", address_text(from), e.what()); });
    } catch (...) {
      note("internal_error", "datagram", spdlog::level::err,
           [&] { return fmt::format("datagram from {} not handled: unknown exception", address_text(from)); });
    }
  }

  // Logs `message()` unless this reason was already logged for `subject` within the interval.
  template <class Message>
  void note(std::string_view reason, std::string_view subject, spdlog::level::level_enum level, Message&& message) {
    const auto admitted = limiter.admit(fmt::format("{}/{}", reason, subject), Clock::now());
    if (!admitted) return;
    if (*admitted == 0) {
      spdlog::log(level, "gateway bridge: {}", message());
    } else {
      spdlog::log(level, "gateway bridge: {} ({} similar suppressed)", message(), *admitted);
    }
  }

  // Owner code must not be able to stop the endpoint or drop the rest of a datagram by throwing.
  template <class Call>
  void guarded(std::string_view what, Call&& call) {
    try {
      call();
    } catch (const std::exception& e) {
      ++counters.callback_errors;
      note("callback_error", what, spdlog::level::err,
           [&] { return fmt::format("{} callback threw: {}", what, e.what()); });
    } catch (...) {
      ++counters.callback_errors;
      note("callback_error", what, spdlog::level::err, [&] { return fmt::format("{} callback threw", what); });
    }
  }

  void on_datagram(lorawan::ByteView data, const udp::endpoint& from) {
    ++counters.datagrams;
    auto header = parse_gateway_header(data);
    if (!header) {
      const bool version = header.error().fault == DatagramFault::UnsupportedVersion;
      ++(version ? counters.unsupported_version : counters.malformed);
      // Keyed by IP address without the port, so a sender cycling ports still gets one line.
      note(version ? "unsupported_version" : "malformed", from.address().to_string(), spdlog::level::warn,
           [&] { return fmt::format("datagram from {} ignored: {}", address_text(from), header.error().reason); });
      return;
    }
    const auto eui = header->gateway_eui;
    if (!is_known_gateway(eui)) {
      ++counters.unknown_gateway;
      note("unknown_gateway", lorawan::eui64_to_string(eui), spdlog::level::warn, [&] {
        return fmt::format("{} from unknown gateway {} at {} ignored", packet_type_name(header->type),
                           lorawan::eui64_to_string(eui), address_text(from));
      });
      return;
    }
    if (header->type == PacketType::PushData && callbacks.overloaded && callbacks.overloaded()) {
      ++counters.push_data;
      ++counters.push_data_shed;
      acknowledge(build_push_ack(header->token), from);
      return;
    }
    auto datagram = parse_datagram_body(*header, data, config.max_rxpk_per_datagram);
    if (!datagram) {
      ++counters.malformed;
      note("malformed", lorawan::eui64_to_string(eui), spdlog::level::warn, [&] {
        return fmt::format("{} from gateway {} ignored: {}", packet_type_name(header->type),
                           lorawan::eui64_to_string(eui), datagram.error().reason);
      });
      return;
    }
    if (auto* push = std::get_if<PushData>(&*datagram)) {
      on_push_data(*push, from);
    } else if (const auto* pull = std::get_if<PullData>(&*datagram)) {
      on_pull_data(*pull, from);
    } else {
      on_tx_ack(std::get<TxAck>(std::move(*datagram)));
    }
  }

  void on_push_data(PushData& push, const udp::endpoint& from) {
    ++counters.push_data;
    acknowledge(build_push_ack(push.token), from);
    const auto eui = lorawan::eui64_to_string(push.gateway_eui);
    for (const auto& rejection : push.rejected) {
      ++counters.rxpk_rejected;
      note("rxpk_rejected", eui, spdlog::level::warn,
           [&] { return fmt::format("gateway {}: rxpk #{} rejected: {}", eui, rejection.index, rejection.reason); });
    }
    for (auto& packet : push.rx_packets) {
      if (packet.stat != CrcStatus::Ok) {
        ++counters.crc_bad_dropped;
        continue;
      }
      ++counters.uplinks;
      const auto counter_us = widener.widen(push.gateway_eui, packet.tmst, batch_received_at);
      if (callbacks.on_uplink) {
        guarded("on_uplink", [&] {
          callbacks.on_uplink(to_reception(push.gateway_eui, std::move(packet), counter_us, batch_received_at));
        });
      }
    }
    if (push.stats_error) {
      ++counters.stats_rejected;
      note("stats_rejected", eui, spdlog::level::warn,
           [&] { return fmt::format("gateway {}: stat rejected: {}", eui, *push.stats_error); });
    }
    if (push.stats && callbacks.on_stats) {
      guarded("on_stats", [&] { callbacks.on_stats(push.gateway_eui, *push.stats); });
    }
  }

  void on_pull_data(const PullData& pull, const udp::endpoint& from) {
    ++counters.pull_data;
    {
      // The latest PULL_DATA wins: its source is the NAT mapping the forwarder keeps open.
      std::lock_guard lock(downlink_mutex);
      downlink_paths.insert_or_assign(pull.gateway_eui, DownlinkPath{from, Clock::now()});
    }
    acknowledge(build_pull_ack(pull.token), from);
  }

  void on_tx_ack(TxAck&& ack) {
    ++counters.tx_ack;
    std::unique_lock lock(downlink_mutex);
    expire(Clock::now());
    auto it = pending.find(ack.token);
    if (it == pending.end() || it->second.gateway_eui != ack.gateway_eui) {
      lock.unlock();
      ++counters.tx_ack_unmatched;
      note("tx_ack_unmatched", lorawan::eui64_to_string(ack.gateway_eui), spdlog::level::info, [&] {
        return fmt::format("TX_ACK from gateway {} with token {} matches no downlink",
                           lorawan::eui64_to_string(ack.gateway_eui), ack.token);
      });
      return;
    }
    // Erased before the callback so that a retry from inside it may reuse the token space.
    DownlinkOutcome outcome{std::move(ack), std::move(it->second.request)};
    pending.erase(it);
    lock.unlock();
    if (callbacks.on_tx_ack) guarded("on_tx_ack", [&] { callbacks.on_tx_ack(outcome); });
  }

  // Caller holds downlink_mutex.
  void expire(Clock::time_point now) {
    while (!expiry.empty() && expiry.front().first <= now) {
      const auto [deadline, token] = expiry.front();
      expiry.pop_front();
      if (auto it = pending.find(token); it != pending.end() && it->second.deadline == deadline) {
        pending.erase(it);
        ++counters.tx_ack_expired;
      }
    }
  }

  std::vector<lorawan::Eui64> gateways_with_downlink_path() {
    std::lock_guard lock(downlink_mutex);
    const auto now = Clock::now();
    std::vector<lorawan::Eui64> out;
    for (const auto& [gateway, path] : downlink_paths)
      if (now - path.pulled_at <= config.downlink_path_ttl) out.push_back(gateway);
    return out;
  }

  lorawan::Result<std::uint16_t> send_downlink(lorawan::Eui64 gateway_eui, const Transmission& packet) {
    if (closed) return std::unexpected("gateway bridge endpoint is closed");
    std::unique_lock lock(downlink_mutex);
    const auto now = Clock::now();
    const auto path = downlink_paths.find(gateway_eui);
    if (path == downlink_paths.end()) return std::unexpected("gateway has no downlink path (no PULL_DATA yet)");
    if (now - path->second.pulled_at > config.downlink_path_ttl) {
      const auto silent_s = std::chrono::duration_cast<std::chrono::seconds>(now - path->second.pulled_at).count();
      return std::unexpected(fmt::format("gateway has no downlink path (last PULL_DATA {} s ago)", silent_s));
    }
    expire(now);
    if (pending.size() > UINT16_MAX) return std::unexpected("too many downlinks awaiting TX_ACK");
    std::uint16_t token = next_token++;
    while (pending.contains(token)) token = next_token++;
    auto datagram = build_pull_resp(token, packet);
    if (!datagram) return std::unexpected(datagram.error());
    const auto deadline = now + config.tx_ack_timeout;
    pending.insert_or_assign(token, Pending{gateway_eui, packet, deadline});
    expiry.emplace_back(deadline, token);
    const auto to = path->second.address;
    lock.unlock();
    if (io.get_executor().running_in_this_thread()) {
      send_pull_resp(std::move(*datagram), to);
    } else {
      asio::post(io, [self = shared_from_this(), bytes = std::move(*datagram), to]() mutable {
        self->send_pull_resp(std::move(bytes), to);
      });
    }
    return token;
  }

  // PUSH_ACK / PULL_ACK: four bytes per datagram received, the most frequent send by far. They
  // are collected while a batch of datagrams is handled and leave together (send_acks), without
  // the allocation and completion handler of an asynchronous send each; the send never waits
  // (MSG_DONTWAIT), and a full send buffer loses an ack like a lossy link would.
  void acknowledge(const std::array<std::uint8_t, kAckSize>& ack, const udp::endpoint& to) {
    acks.push_back({ack, to});
  }

  void send_acks() {
    std::size_t done = 0;
    while (done < acks.size()) {
      const auto count = std::min<std::size_t>(acks.size() - done, kBatch);
      std::array<mmsghdr, kBatch> messages{};
      std::array<iovec, kBatch> vectors{};
      for (std::size_t i = 0; i < count; ++i) {
        auto& ack = acks[done + i];
        describe_message(messages[i], vectors[i], ack.bytes.data(), ack.bytes.size(), ack.to.data(), ack.to.size());
      }
      const int sent = ::sendmmsg(socket.native_handle(), messages.data(), static_cast<unsigned>(count), MSG_DONTWAIT);
      if (sent <= 0) {
        // The first of the rest failed (e.g. an ICMP error for that address, or a full buffer):
        // count it, skip it, go on with the others.
        send_failed(acks[done].to, sent < 0 ? std::strerror(errno) : "nothing sent");
        ++done;
      } else {
        done += static_cast<std::size_t>(sent);
      }
    }
    acks.clear();
  }

  void send_failed(const udp::endpoint& to, const std::string& why) {
    ++counters.send_errors;
    note("send_error", address_text(to), spdlog::level::warn,
         [&] { return fmt::format("sending to {} failed: {}", address_text(to), why); });
  }

  // A PULL_RESP: rare and large enough to go through an asynchronous send of its own.
  void send_pull_resp(lorawan::Bytes bytes, const udp::endpoint& to) {
    auto owned = std::make_shared<lorawan::Bytes>(std::move(bytes));
    socket.async_send_to(asio::buffer(*owned), to,
                         [self = shared_from_this(), owned, to](const boost::system::error_code& ec, std::size_t) {
                           if (ec == asio::error::operation_aborted) return;
                           if (ec) {
                             self->send_failed(to, ec.message());
                           } else {
                             ++self->counters.downlinks_sent;
                           }
                         });
  }

  void close() {
    closed = true;
    boost::system::error_code ignored;
    socket.close(ignored);
  }
};

lorawan::Result<UdpEndpoint> UdpEndpoint::open(asio::io_context& io, const EndpointConfig& config,
                                               GatewayFilter is_known_gateway, EndpointCallbacks callbacks) {
  if (!is_known_gateway) return std::unexpected("the gateway bridge needs a gateway registry predicate");
  auto local = parse_bind_address(config.bind);
  if (!local) return std::unexpected(local.error());
  auto state = std::make_shared<State>(io, config, std::move(is_known_gateway), std::move(callbacks));
  boost::system::error_code ec;
  state->socket.open(local->protocol(), ec);
  if (ec) return std::unexpected(fmt::format("cannot open a UDP socket for {}: {}", config.bind, ec.message()));
  boost::system::error_code ignored;
  // A larger kernel buffer absorbs bursts between io_context turns; the kernel may cap it.
  state->socket.set_option(asio::socket_base::receive_buffer_size(1 << 20), ignored);
  // "[::]" should also serve IPv4 gateways, whatever the host's bindv6only default.
  if (local->address().is_v6()) state->socket.set_option(asio::ip::v6_only(false), ignored);
  state->socket.bind(*local, ec);
  if (ec) return std::unexpected(fmt::format("cannot bind {}: {}", config.bind, ec.message()));
  state->receive();
  spdlog::info("gateway bridge: listening for Semtech UDP on {}", address_text(state->socket.local_endpoint(ignored)));
  return UdpEndpoint(std::move(state));
}

UdpEndpoint::UdpEndpoint(std::shared_ptr<State> state) : state_(std::move(state)) {}
UdpEndpoint::UdpEndpoint(UdpEndpoint&&) noexcept = default;
UdpEndpoint& UdpEndpoint::operator=(UdpEndpoint&& other) noexcept {
  if (this != &other) {
    if (state_) state_->close();
    state_ = std::move(other.state_);
  }
  return *this;
}
UdpEndpoint::~UdpEndpoint() {
  if (state_) state_->close();
}

udp::endpoint UdpEndpoint::local_endpoint() const {
  boost::system::error_code ignored;
  return state_->socket.local_endpoint(ignored);
}

lorawan::Result<std::uint16_t> UdpEndpoint::send_downlink(lorawan::Eui64 gateway_eui, const Transmission& packet) {
  return state_->send_downlink(gateway_eui, packet);
}

std::vector<lorawan::Eui64> UdpEndpoint::gateways_with_downlink_path() const {
  return state_->gateways_with_downlink_path();
}

const EndpointCounters& UdpEndpoint::counters() const { return state_->counters; }

void UdpEndpoint::close() { state_->close(); }

}  // namespace uchet::gateway_bridge::semtech_udp
