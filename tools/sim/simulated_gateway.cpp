#include "tools/sim/simulated_gateway.h"

#include <random>
#include <utility>

#include <boost/asio/post.hpp>

#include "tools/sim/gateway_protocol.h"

namespace uchet::sim {
namespace {

gateway_bridge::LoraRate lora_rate(const lorawan::Region& region, std::uint8_t dr) {
  auto rate = region.data_rate(dr);
  if (!rate || rate->modulation != lorawan::Modulation::LoRa) return {};
  return {rate->spreading_factor, static_cast<std::uint16_t>(rate->bandwidth_khz)};
}

}  // namespace

std::optional<std::uint32_t> GatewayDownlink::tmst() const {
  if (const auto* at = std::get_if<gateway_bridge::CounterTime>(&txpk.timing))
    return static_cast<std::uint32_t>(at->counter_us);
  return std::nullopt;
}

SimulatedGateway::SimulatedGateway(lorawan::Eui64 eui, const boost::asio::ip::udp::endpoint& server,
                                   GatewayOptions options)
    : eui_(eui),
      options_(std::move(options)),
      started_(std::chrono::steady_clock::now()),
      server_(server),
      socket_(io_),
      keepalive_timer_(io_),
      jit_timer_(io_) {
  std::random_device random;
  counter_start_ = options_.counter_start.value_or(static_cast<std::uint32_t>(random()));
  token_ = static_cast<std::uint16_t>(random());
  socket_.open(server.protocol());
  socket_.connect(server);  // only the server's datagrams are received
  receive();
  if (options_.keepalive.count() > 0) keepalive();
  if (options_.jit) {
    jit_.emplace(*options_.jit);
    watch_jit();
  }
  thread_ = std::thread([this] { io_.run(); });
}

SimulatedGateway::~SimulatedGateway() {
  io_.stop();
  thread_.join();
}

std::uint32_t SimulatedGateway::counter_us() const {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
  return static_cast<std::uint32_t>(counter_start_ + static_cast<std::uint64_t>(elapsed.count()));
}

std::uint16_t SimulatedGateway::next_token() {
  std::lock_guard lock(mutex_);
  return ++token_;
}

void SimulatedGateway::send(lorawan::Bytes datagram) {
  boost::asio::post(io_, [this, datagram = std::move(datagram)] {
    boost::system::error_code ignored;  // UDP: a lost datagram is what the caller's timeout is for
    socket_.send(boost::asio::buffer(datagram), 0, ignored);
  });
}

bool SimulatedGateway::pull(Timeout timeout) {
  const auto token = next_token();
  {
    std::lock_guard lock(mutex_);
    ++counters_.pull_sent;
  }
  send(build_pull_data(token, eui_));
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return pull_acks_.contains(token); });
}

gateway_bridge::semtech_udp::RxPacket SimulatedGateway::rx_packet(lorawan::ByteView phy_payload, const Reception& r,
                                                                  std::uint32_t counter_now) const {
  gateway_bridge::semtech_udp::RxPacket packet;
  packet.tmst = r.tmst.value_or(counter_now);
  packet.time = r.time;
  packet.tmms = r.gps_time;
  packet.freq_hz = r.channel.frequency_hz;
  packet.chan = r.if_chain;
  packet.rfch = 0;
  packet.stat = gateway_bridge::semtech_udp::CrcStatus::Ok;
  packet.datr = lora_rate(options_.region, r.channel.data_rate);
  packet.codr = r.coding_rate;
  packet.rssi_dbm = r.rssi_dbm;
  packet.lsnr_db = r.snr_db;
  packet.data.assign(phy_payload.begin(), phy_payload.end());
  return packet;
}

PushResult SimulatedGateway::push(lorawan::ByteView phy_payload, const Reception& r, Timeout timeout) {
  const auto packet = rx_packet(phy_payload, r, counter_us());
  return push_packets(std::span(&packet, 1), timeout);
}

PushResult SimulatedGateway::push_batch(std::span<const std::pair<lorawan::Bytes, Reception>> frames, Timeout timeout) {
  const std::uint32_t now = counter_us();
  std::vector<gateway_bridge::semtech_udp::RxPacket> packets;
  for (const auto& [frame, reception] : frames) packets.push_back(rx_packet(frame, reception, now));
  return push_packets(packets, timeout);
}

PushResult SimulatedGateway::push_packets(std::span<const gateway_bridge::semtech_udp::RxPacket> packets,
                                          Timeout timeout) {
  PushResult result;
  result.token = next_token();
  result.tmst = packets.empty() ? counter_us() : packets.front().tmst;
  {
    std::lock_guard lock(mutex_);
    ++counters_.push_sent;
  }
  send(build_push_data(result.token, eui_, packets));
  if (timeout.count() > 0) result.acked = wait_push_ack(result.token, timeout);
  return result;
}

bool SimulatedGateway::wait_push_ack(std::uint16_t token, Timeout timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return push_acks_.contains(token); });
}

std::optional<GatewayDownlink> SimulatedGateway::wait_downlink(Timeout timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return !downlinks_.empty(); })) return std::nullopt;
  GatewayDownlink d = std::move(downlinks_.front());
  downlinks_.pop_front();
  return d;
}

std::deque<GatewayDownlink> SimulatedGateway::take_downlinks() {
  std::lock_guard lock(mutex_);
  return std::exchange(downlinks_, {});
}

GatewayCounters SimulatedGateway::counters() const {
  std::lock_guard lock(mutex_);
  settle();
  return counters_;
}

std::vector<Transmitted> SimulatedGateway::transmissions() const {
  std::lock_guard lock(mutex_);
  settle();
  return transmitted_;
}

std::size_t SimulatedGateway::pending_transmissions() const {
  std::lock_guard lock(mutex_);
  settle();
  return accepted_.size();
}

void SimulatedGateway::settle() const {
  if (!jit_) return;
  jit_->advance(counter_us());
  const auto& emissions = jit_->emissions();
  for (; emissions_seen_ < emissions.size(); ++emissions_seen_) {
    const Emission& e = emissions[emissions_seen_];
    auto found = accepted_.find(e.id);
    if (found == accepted_.end()) continue;  // cannot happen: every id queued is an accepted one
    switch (e.outcome) {
      case EmissionOutcome::OnAir:
        ++counters_.on_air;
        break;
      case EmissionOutcome::DroppedBusy:
        ++counters_.dropped_busy;
        break;
      case EmissionOutcome::Overwritten:
        ++counters_.overwritten;
        break;
    }
    transmitted_.push_back({std::move(found->second), e});
    accepted_.erase(found);
  }
}

std::optional<lorawan::Bytes> SimulatedGateway::judge(GatewayDownlink& downlink) {
  if (!options_.send_tx_ack) return std::nullopt;
  ++counters_.tx_acks_sent;
  if (jit_ && !options_.tx_ack_error) {
    if (std::holds_alternative<gateway_bridge::GpsTime>(downlink.txpk.timing)) {
      ++counters_.gps_unlocked;
      downlink.tx_ack_error = "GPS_UNLOCKED";
    } else {
      const auto verdict = jit_->enqueue(downlink.counter_at_arrival, downlink.sequence, downlink.tmst(),
                                         downlink_airtime_us(downlink.txpk));
      switch (verdict.verdict) {
        case JitVerdict::Scheduled:
          ++counters_.scheduled;
          accepted_.emplace(downlink.sequence, downlink);
          break;
        case JitVerdict::TooLate:
          ++counters_.too_late;
          break;
        case JitVerdict::TooEarly:
          ++counters_.too_early;
          break;
        case JitVerdict::CollisionPacket:
        case JitVerdict::QueueFull:
          ++counters_.collision_packet;
          break;
      }
      if (verdict.verdict != JitVerdict::Scheduled) downlink.tx_ack_error = tx_ack_error(verdict.verdict);
    }
    if (!downlink.tx_ack_error.empty()) return build_tx_ack(downlink.token, eui_, downlink.tx_ack_error);
  } else if (options_.tx_ack_error) {
    downlink.tx_ack_error = *options_.tx_ack_error;
    return build_tx_ack(downlink.token, eui_, downlink.tx_ack_error);
  }
  if (options_.tx_ack_warning)
    return build_tx_ack_warning(downlink.token, eui_, options_.tx_ack_warning->first, options_.tx_ack_warning->second);
  return build_tx_ack(downlink.token, eui_);
}

void SimulatedGateway::watch_jit() {
  // lora_pkt_fwd's JIT thread looks at its queue every 10 ms; the queue itself settles each
  // hand-over at its exact moment, so this poll only keeps the records current.
  jit_timer_.expires_after(std::chrono::milliseconds(10));
  jit_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    {
      std::lock_guard lock(mutex_);
      settle();
    }
    watch_jit();
  });
}

void SimulatedGateway::receive() {
  socket_.async_receive(boost::asio::buffer(buffer_), [this](const boost::system::error_code& ec, std::size_t size) {
    if (ec == boost::asio::error::operation_aborted) return;
    // Other errors (ICMP port unreachable while the server is down) just mean: keep listening.
    if (!ec) on_datagram(size);
    receive();
  });
}

void SimulatedGateway::on_datagram(std::size_t size) {
  auto datagram = parse_server_datagram(lorawan::ByteView(buffer_.data(), size));
  std::optional<lorawan::Bytes> tx_ack;
  {
    std::lock_guard lock(mutex_);
    if (!datagram) {
      ++counters_.malformed;
      return;
    }
    switch (datagram->type) {
      case gateway_bridge::semtech_udp::PacketType::PushAck:
        ++counters_.push_acked;
        push_acks_.insert(datagram->token);
        break;
      case gateway_bridge::semtech_udp::PacketType::PullAck:
        ++counters_.pull_acked;
        pull_acks_.insert(datagram->token);
        break;
      default: {
        ++counters_.downlinks;
        GatewayDownlink downlink{datagram->token, std::move(*datagram->txpk), counter_us(), ++sequence_, {}};
        tx_ack = judge(downlink);
        downlinks_.push_back(std::move(downlink));
        break;
      }
    }
  }
  changed_.notify_all();
  if (tx_ack) {
    boost::system::error_code ignored;
    socket_.send(boost::asio::buffer(*tx_ack), 0, ignored);
  }
}

void SimulatedGateway::keepalive() {
  const auto token = next_token();
  {
    std::lock_guard lock(mutex_);
    ++counters_.pull_sent;
  }
  boost::system::error_code ignored;
  socket_.send(boost::asio::buffer(build_pull_data(token, eui_)), 0, ignored);
  keepalive_timer_.expires_after(options_.keepalive);
  keepalive_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) keepalive();
  });
}

}  // namespace uchet::sim
