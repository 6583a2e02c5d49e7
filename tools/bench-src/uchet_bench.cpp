// uchet-bench (tools/bench-src): the load generator and meter behind tools/bench (see BENCHMARKS.md).
//
//   uchet-bench csv --devices N [--abp] [--dev-eui-base HEX] [--app APP]  CSV for `uchetctl device import`
//   uchet-bench run --server H:P --mqtt-port P --devices N --join-devices J ...  joins, uplinks, latency, raw MQTT
//   uchet-bench idle --seconds S --uchetd-pid P [--postgres-pid P]  CPU of uchetd and PostgreSQL with no traffic
//
// --server may be given once per uchetd instance: gateway g then sends everything (PULL_DATA,
// PUSH_DATA, TX_ACK) to server g mod count, as a gateway configured for one instance would.
// --uchetd-pid likewise, once per instance: CPU figures are their sum. --postgres-pid (the
// postmaster) adds the PostgreSQL server's CPU (all its processes) to each phase's figures.
//
// `run` plays 3 (--gateways) Semtech UDP gateways over plain sockets — or, with --backend
// basic-station, 3 LoRa Basics Station gateways (tools/sim SimulatedStation: discovery at
// --station-uri, then a WebSocket over TLS trusting --ca with the bearer token of --token-file;
// each uplink one updf/jreq message per station, the messages of one concentrator fetch handed
// to the socket together and written back to back; join-accepts judged like a 2.0.6 station and
// confirmed with dntxed) —, two fleets of devices (tools/sim SimulatedDevice) and an MQTT
// subscriber (libmosquitto, QoS 1) that timestamps every `up` event. The fleet the uplink phases
// use is N ABP devices (`csv --abp`: DevEUI base + i, DevAddr --dev-addr-base + i, keys derived
// from the DevEUI), active from the first frame; the join phase uses J more OTAA devices (DevEUI
// base + N + j, each with its own AppKey so a join-accept can only verify for its device),
// because since issue 17 join-accepts are bounded by airtime (RX1, then RX2 on the same gateway,
// then other gateways, within RU864's 1 % duty cycle): a few dozen of thousands get one in a
// few seconds, which is what the join phase measures, not a fleet to send uplinks from. Phases:
//  1. joins: every join device sends one join-request; at most --join-window requests are
//     outstanding. Each rxpk carries a unique tmst, so the PULL_RESP's scheduled tmst (request
//     tmst + JOIN_ACCEPT_DELAY1, or one second more for RX2) names the device; "in time" means
//     the PULL_RESP arrived before that tmst on the gateway's counter. Reported: join events
//     (uchetd accepted the join and made the session) and join-accepts delivered in time, each
//     per second.
//  2. throughput: open loop at --rate frames/s for --seconds, each frame pushed by every gateway;
//     the `up` rate is taken over the steady window [20 % of the run, end of sending].
//  3. latency: after --settle-seconds of quiet (the throughput phase overloads uchetd on purpose),
//     open loop at --latency-rate (default half the measured throughput) for --latency-seconds;
//     end-to-end (sendto of the first copy -> MQTT delivery) minus --dedup-ms.
//  4. raw mosquitto: the same number of messages, same topic shape and mean payload size, QoS 1,
//     max 100 in flight (uchetd's publisher setting), published as fast as the broker takes them.
// Results go to stdout as `key=value` lines (the script formats them).
#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "common/token_file.h"
#include "gateway-bridge/semtech_udp/bind_address.h"
#include "gateway-bridge/semtech_udp/txpk.h"
#include "netserver/lorawan/encoding.h"
#include "tools/sim/gateway_protocol.h"
#include "tools/sim/simulated_device.h"
#include "tools/sim/simulated_station.h"

namespace {

using namespace uchet;
using Clock = std::chrono::steady_clock;
using sim::Bytes;

constexpr int kRing = 64;  // send times kept per device, indexed by FCnt % kRing

struct Options {
  std::vector<sockaddr_in> servers;  // uchetd's gateway bridges; gateway g sends to servers[g % size]
  std::string mqtt_host = "127.0.0.1";
  int mqtt_port = 1883;
  std::string app = "bench";
  int devices = 10000;      // the ABP fleet of the uplink phases
  int join_devices = 1000;  // OTAA devices of the join phase, after the fleet's DevEUIs
  std::uint32_t dev_addr_base = 0x00b00000;
  int gateways = 3;
  double seconds = 20;
  double rate = 30000;      // above the capacity of 2 cores: the phase measures it
  double latency_rate = 0;  // 0: half the measured throughput
  double latency_seconds = 10;
  // Pause between the throughput phase, which overloads uchetd on purpose, and the latency
  // phase, so that latency is measured at a sustainable rate and not while uchetd recovers.
  double settle_seconds = 3;
  int dedup_ms = 200;
  int join_window = 2000;
  double join_rate = 1500;
  std::uint64_t dev_eui_base = 0x70b3d57e00000000ULL;
  std::uint64_t gateway_eui_base = 0x00'16'c0'01'ff'00'00'00ULL;
  std::uint64_t join_eui = 0x70b3d57ed0000001ULL;
  int payload_size = 12;
  int rxpk_per_datagram = 8;     // up to this many frames per PUSH_DATA, as lora_pkt_fwd (SX1301 HAL)
  std::string latency_log;       // when given: one line per up event, "send_seconds latency_ms"
  std::vector<int> uchetd_pids;  // when given: CPU and run-queue wait of uchetd (each instance) per phase
  int postgres_pid = 0;          // when given: the PostgreSQL server's CPU (postmaster and children) per phase
  int mosquitto_pid = 0;         // when given: the broker's CPU in the throughput phase
  // When given: a shell command printing the number of frames stored in uchetd's database, run
  // at both ends of the steady window, for the rate of frames stored beside that of `up` events.
  std::string stored_count_command;
  // --backend basic-station: where the stations discover their traffic socket, the CA they
  // trust and their bearer token (empty: none, e.g. over ws://).
  bool basic_station = false;
  std::string station_uri;
  std::string ca_file;
  std::string token;
};

// What a /proc/PID/stat (or /proc/PID/task/TID/stat) says about a process or thread: its name,
// parent, and CPU seconds of its own and of its children that exited and were waited for.
struct ProcStat {
  std::string name;
  int ppid = 0;
  double cpu_s = 0, children_cpu_s = 0;
};
std::optional<ProcStat> read_proc_stat(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return std::nullopt;
  char buf[4096];
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  std::fclose(f);
  const char* open = std::strchr(buf, '(');
  const char* close = std::strrchr(buf, ')');
  if (!open || !close || close < open) return std::nullopt;
  ProcStat s;
  unsigned long long ut = 0, st = 0;
  long long cut = 0, cst = 0;
  if (std::sscanf(close + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld", &s.ppid, &ut, &st, &cut,
                  &cst) != 5)
    return std::nullopt;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  s.name.assign(open + 1, close);
  s.cpu_s = static_cast<double>(ut + st) / tick;
  s.children_cpu_s = static_cast<double>(cut + cst) / tick;
  return s;
}

// uchetd's CPU use (all threads, /proc/PID/stat) and its main thread's schedstat: on-CPU time and
// time spent runnable but waiting for a CPU (contention from other processes on the cores); with
// several instances, their sums. And the PostgreSQL server's CPU, when it is measured.
struct CpuSample {
  double process_cpu_s = 0, main_run_s = 0, main_wait_s = 0, postgres_cpu_s = 0;
};
CpuSample sample_cpu(int pid) {
  CpuSample c;
  if (pid <= 0) return c;
  if (auto stat = read_proc_stat(fmt::format("/proc/{}/stat", pid))) c.process_cpu_s = stat->cpu_s;
  if (FILE* f = std::fopen(fmt::format("/proc/{}/task/{}/schedstat", pid, pid).c_str(), "r")) {
    unsigned long long run = 0, wait = 0;
    if (std::fscanf(f, "%llu %llu", &run, &wait) == 2) {
      c.main_run_s = static_cast<double>(run) / 1e9;
      c.main_wait_s = static_cast<double>(wait) / 1e9;
    }
    std::fclose(f);
  }
  return c;
}
// The PostgreSQL server's CPU seconds: the postmaster, its live children (a backend per
// connection, the background processes) and, through the postmaster's cutime/cstime, the
// children that exited and were reaped.
double postgres_cpu_s(int postmaster) {
  if (postmaster <= 0) return 0;
  auto root = read_proc_stat(fmt::format("/proc/{}/stat", postmaster));
  if (!root) return 0;
  double total = root->cpu_s + root->children_cpu_s;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (auto stat = read_proc_stat(entry.path() / "stat"); stat && stat->ppid == postmaster) total += stat->cpu_s;
  }
  return total;
}
// Every uchetd instance summed, and the database server.
CpuSample sample_servers(const Options& o) {
  CpuSample total;
  for (int pid : o.uchetd_pids) {
    const CpuSample c = sample_cpu(pid);
    total.process_cpu_s += c.process_cpu_s;
    total.main_run_s += c.main_run_s;
    total.main_wait_s += c.main_wait_s;
  }
  total.postgres_cpu_s = postgres_cpu_s(o.postgres_pid);
  return total;
}
// CPU seconds of uchetd's threads by name, summed over the instances (the network server is the
// main thread, "uchetd"; the others name themselves: gateway-bridge, mqtt-publish, checkpoint).
std::map<std::string, double> sample_threads(const std::vector<int>& pids) {
  std::map<std::string, double> out;
  for (int pid : pids) {
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
      if (auto stat = read_proc_stat(task.path() / "stat")) out[stat->name] += stat->cpu_s;
    }
  }
  return out;
}
// "name:value,..." of what each thread spent between two samples, divided by `per`.
std::string thread_shares(const std::map<std::string, double>& before, const std::map<std::string, double>& after,
                          double per) {
  std::string out;
  for (const auto& [name, cpu_s] : after) {
    auto b = before.find(name);
    out +=
        fmt::format("{}{}:{:.3f}", out.empty() ? "" : ",", name, (cpu_s - (b == before.end() ? 0.0 : b->second)) / per);
  }
  return out;
}

// Where the machine's CPU went during a phase: every core's busy and stolen time (/proc/stat),
// so a figure can be read against what the load generator and the broker took from uchetd.
struct MachineSample {
  double busy_s = 0, steal_s = 0;
};
MachineSample sample_machine() {
  MachineSample m;
  if (FILE* f = std::fopen("/proc/stat", "r")) {
    unsigned long long user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait, &irq,
                    &softirq, &steal) == 8) {
      const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
      m.busy_s = static_cast<double>(user + nice + sys + irq + softirq) / tick;
      m.steal_s = static_cast<double>(steal) / tick;
    }
    std::fclose(f);
  }
  return m;
}

void print_cpu(const char* phase, const CpuSample& a, const CpuSample& b, double wall_s, double items) {
  if (b.postgres_cpu_s > 0) {
    std::printf("%s_postgres_cpu_s=%.2f\n%s_postgres_cpu_ms_per_item=%.3f\n", phase,
                b.postgres_cpu_s - a.postgres_cpu_s, phase,
                items > 0 ? (b.postgres_cpu_s - a.postgres_cpu_s) * 1000 / items : NAN);
  }
  if (b.process_cpu_s == 0 && b.main_run_s == 0) return;
  std::printf(
      "%s_uchetd_cpu_s=%.2f\n%s_uchetd_main_thread_on_cpu_s=%.2f\n%s_uchetd_main_thread_runqueue_wait_s=%.2f\n"
      "%s_wall_s=%.2f\n%s_uchetd_cpu_ms_per_item=%.3f\n",
      phase, b.process_cpu_s - a.process_cpu_s, phase, b.main_run_s - a.main_run_s, phase,
      b.main_wait_s - a.main_wait_s, phase, wall_s, phase,
      items > 0 ? (b.process_cpu_s - a.process_cpu_s) * 1000 / items : NAN);
}

sim::Key key_for(std::uint64_t index) {
  sim::Key k{};
  const std::uint8_t prefix[8] = {0xb3, 0x4c, 0x11, 0x7e, 0x5a, 0x90, 0x21, 0xcd};
  for (int i = 0; i < 8; ++i) k[i] = prefix[i];
  for (int i = 0; i < 8; ++i) k[8 + i] = static_cast<std::uint8_t>(index >> (8 * (7 - i)));
  return k;
}

// The ABP fleet's session keys, derived from the DevEUI as the OTAA AppKeys are (distinct keys,
// so a frame can only verify for its own device).
sim::Key nwk_s_key_for(std::uint64_t eui) { return key_for(eui ^ 0x5a5a'0000'0000'0000ULL); }
sim::Key app_s_key_for(std::uint64_t eui) { return key_for(eui ^ 0xa5a5'0000'0000'0000ULL); }

std::int64_t now_ns(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::size_t k =
      static_cast<std::size_t>(std::clamp(p * static_cast<double>(v.size() - 1), 0.0, double(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// ---------------------------------------------------------------- MQTT subscriber
struct Subscriber {
  Clock::time_point t0;
  const Options* o = nullptr;
  std::vector<std::atomic<std::int64_t>>* send_ns = nullptr;  // devices * kRing
  std::atomic<std::uint64_t> ups{0}, joins{0}, raw{0}, other{0}, payload_bytes{0};
  std::atomic<std::int64_t> last_up_ns{0}, last_raw_ns{0}, first_raw_ns{0};
  std::vector<std::atomic<std::uint32_t>> up_buckets;  // per 100 ms since t0
  std::vector<std::atomic<bool>>* active = nullptr;    // per fleet device: an `up` event arrived
  std::mutex lat_mutex;
  std::vector<std::pair<std::int64_t, double>> latencies;  // (send ns, ms)
  std::atomic<bool> connected{false}, subscribed{false};
  mosquitto* m = nullptr;

  Subscriber() : up_buckets(36000) {}

  static void on_connect(mosquitto* m, void* self, int rc) {
    if (rc != 0) return;
    static_cast<Subscriber*>(self)->connected = true;
    mosquitto_subscribe(m, nullptr, "application/#", 1);
  }
  static void on_subscribe(mosquitto*, void* self, int, int, const int*) {
    static_cast<Subscriber*>(self)->subscribed = true;
  }
  static void on_message(mosquitto*, void* self, const mosquitto_message* msg) {
    static_cast<Subscriber*>(self)->message(msg);
  }

  void message(const mosquitto_message* msg) {
    const std::int64_t t = now_ns(t0);
    std::string_view topic(msg->topic);
    // application/{app}/device/{devEui}/event/{type}
    if (!topic.ends_with("/event/up")) {
      if (topic.ends_with("/event/join"))
        ++joins;
      else
        ++other;
      return;
    }
    if (topic.starts_with("application/raw/")) {
      std::int64_t zero = 0;
      first_raw_ns.compare_exchange_strong(zero, t);
      ++raw;
      last_raw_ns = t;
      return;
    }
    ++ups;
    payload_bytes += static_cast<std::uint64_t>(msg->payloadlen);
    last_up_ns = t;
    std::size_t b = static_cast<std::size_t>(t / 100'000'000);
    if (b < up_buckets.size()) ++up_buckets[b];
    auto dev = topic.find("/device/");
    if (dev == std::string_view::npos) return;
    std::uint64_t eui = std::strtoull(std::string(topic.substr(dev + 8, 16)).c_str(), nullptr, 16);
    std::string_view body(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen));
    auto f = body.find("\"fCnt\":");
    if (f == std::string_view::npos) return;
    std::uint32_t fcnt =
        static_cast<std::uint32_t>(std::strtoul(std::string(body.substr(f + 7, 12)).c_str(), nullptr, 10));
    std::uint64_t idx = eui - o->dev_eui_base;
    if (idx >= static_cast<std::uint64_t>(o->devices)) return;
    (*active)[idx].store(true, std::memory_order_relaxed);
    std::int64_t sent = (*send_ns)[idx * kRing + fcnt % kRing].load(std::memory_order_acquire);
    if (sent <= 0) return;
    std::lock_guard lock(lat_mutex);
    latencies.emplace_back(sent, static_cast<double>(t - sent) / 1e6);
  }

  bool start() {
    m = mosquitto_new(nullptr, true, this);
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_message_callback_set(m, on_message);
    if (mosquitto_connect(m, o->mqtt_host.c_str(), o->mqtt_port, 60) != MOSQ_ERR_SUCCESS) return false;
    mosquitto_loop_start(m);
    for (int i = 0; i < 500 && !subscribed; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return subscribed;
  }
  void stop() {
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
  }
};

// ---------------------------------------------------------------- join bookkeeping
// The join-requests awaiting their join-accept, keyed by the tmst the accept is due at, and what
// became of them; shared by both gateway sets.
struct JoinBook {
  std::vector<sim::SimulatedDevice>* devices = nullptr;
  std::mutex join_mutex;
  std::unordered_map<std::uint32_t, std::pair<int, std::int64_t>> join_by_tmst;  // scheduled tmst -> (device, sent ns)
  std::atomic<int> joins_pending{0}, joins_ok{0}, joins_late{0}, joins_bad{0};
  std::vector<double> join_latency_ms;  // guarded by join_mutex
  std::atomic<std::int64_t> last_accept_ns{0};

  // A downlink due at `due_tmst` carrying `phy`, received at `t` (ns): when it answers a pending
  // join-request — in its RX1 (the key) or its RX2, one second later, where the network server
  // books it when RX1 is taken — its device checks it and it counts as in time, late or bad.
  void settle(std::uint32_t due_tmst, const Bytes& phy, bool in_time, std::int64_t t) {
    std::pair<int, std::int64_t> who;
    {
      std::lock_guard lock(join_mutex);
      auto it = join_by_tmst.find(due_tmst);
      if (it == join_by_tmst.end()) it = join_by_tmst.find(due_tmst - 1'000'000u);  // RX2
      if (it == join_by_tmst.end()) return;  // e.g. an ACK / MAC downlink after an uplink
      who = it->second;
      join_by_tmst.erase(it);
    }
    auto session = (*devices)[static_cast<std::size_t>(who.first)].accept_join(phy);
    if (!session) {
      ++joins_bad;
    } else if (in_time) {
      ++joins_ok;
      last_accept_ns = t;
    } else {
      ++joins_late;
    }
    {
      std::lock_guard lock(join_mutex);
      join_latency_ms.push_back(static_cast<double>(t - who.second) / 1e6);
    }
    --joins_pending;
  }
};

// ---------------------------------------------------------------- gateways
struct Gateways : JoinBook {
  const Options* o = nullptr;
  Clock::time_point t0;
  std::uint32_t counter_base = 0x10000000;
  std::vector<int> fds;
  // The instance gateway g talks to (Options::servers).
  const sockaddr_in& server(std::size_t g) const { return o->servers[g % o->servers.size()]; }

  std::atomic<std::uint64_t> push_acks{0}, pull_acks{0}, pull_resps{0}, tx_acks{0};
  std::atomic<bool> running{true};
  std::thread receiver;
  std::uint16_t token = 0;

  std::uint32_t counter_us() const {
    return counter_base +
           static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
  }
  std::uint64_t eui(int g) const { return o->gateway_eui_base + static_cast<std::uint64_t>(g); }

  void send(int g, const Bytes& datagram) {
    ::sendto(fds[g], datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&server(g)),
             sizeof(sockaddr_in));
  }
  void send(int g, const std::string& datagram) {
    ::sendto(fds[g], datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&server(g)),
             sizeof(sockaddr_in));
  }

  bool open() {
    for (int g = 0; g < o->gateways; ++g) {
      int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
      int size = 8 << 20;
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
      fds.push_back(fd);
    }
    receiver = std::thread([this] { receive_loop(); });
    for (int g = 0; g < o->gateways; ++g) send(g, sim::build_pull_data(++token, eui(g)));
    for (int i = 0; i < 300 && pull_acks < static_cast<std::uint64_t>(o->gateways); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pull_acks >= static_cast<std::uint64_t>(o->gateways);
  }

  void close() {
    running = false;
    receiver.join();
    for (int fd : fds) ::close(fd);
  }

  // An uplink heard by every gateway, waiting for its PUSH_DATA. lora_pkt_fwd sends, after each
  // fetch from the concentrator, one PUSH_DATA holding every packet received since the previous
  // fetch (at most 8 with the SX1301 HAL): under load a datagram carries several rxpk.
  struct PendingRxpk {
    std::uint32_t tmst = 0, freq_hz = 0;
    std::string b64;
    std::size_t size = 0;
    std::atomic<std::int64_t>* sent_ns = nullptr;  // the latency clock starts when its datagram leaves
  };
  std::vector<PendingRxpk> pending;
  // PUSH_DATAs built and not yet sent, per gateway, and the latency clocks of their frames.
  std::vector<std::vector<std::string>> outgoing;
  std::vector<std::atomic<std::int64_t>*> outgoing_clocks;

  // rxpk JSON written directly (as lora_pkt_fwd does), one datagram per gateway.
  std::string push_datagram(int g) {
    std::string d(12, '\0');
    d[0] = 2;
    ++token;
    d[1] = static_cast<char>(token >> 8);
    d[2] = static_cast<char>(token & 0xff);
    d[3] = 0;  // PUSH_DATA
    std::uint64_t e = eui(g);
    for (int i = 0; i < 8; ++i) d[4 + i] = static_cast<char>(e >> (8 * (7 - i)));
    d += R"({"rxpk":[)";
    for (std::size_t i = 0; i < pending.size(); ++i) {
      const PendingRxpk& p = pending[i];
      fmt::format_to(
          std::back_inserter(d),
          R"({}{{"tmst":{},"chan":0,"rfch":0,"freq":{:.1f},"stat":1,"modu":"LORA","datr":"SF7BW125","codr":"4/5","lsnr":{:.1f},"rssi":{},"size":{},"data":"{}"}})",
          i == 0 ? "" : ",", p.tmst, p.freq_hz / 1e6, 7.5 - g, -60 - 3 * g, p.size, p.b64);
    }
    d += "]}";
    return d;
  }

  // Holds the frame for the next PUSH_DATA; packs one when --rxpk-per-datagram are waiting.
  void queue(const Bytes& frame, std::uint32_t tmst, std::uint32_t freq_hz, std::atomic<std::int64_t>* sent_ns) {
    pending.push_back({tmst, freq_hz, lorawan::to_base64(frame), frame.size(), sent_ns});
    if (pending.size() >= static_cast<std::size_t>(o->rxpk_per_datagram)) pack();
  }

  // The frames waiting become one PUSH_DATA per gateway (the end of a concentrator fetch).
  void pack() {
    if (pending.empty()) return;
    outgoing.resize(static_cast<std::size_t>(o->gateways));
    for (int g = 0; g < o->gateways; ++g) outgoing[static_cast<std::size_t>(g)].push_back(push_datagram(g));
    for (const PendingRxpk& p : pending) {
      if (p.sent_ns) outgoing_clocks.push_back(p.sent_ns);
    }
    pending.clear();
  }

  // Sends every PUSH_DATA built so far, with one sendmmsg per gateway: the gateways are other
  // machines in a real network, so the generator spends as little of the shared CPU as it can
  // (one sendto per datagram cost it about a fifth of a core at 20,000 frames/s).
  void flush() {
    pack();
    const std::int64_t t = now_ns(t0);
    for (auto* clock : outgoing_clocks) clock->store(t, std::memory_order_release);
    outgoing_clocks.clear();
    for (std::size_t g = 0; g < outgoing.size(); ++g) {
      send_all(g, outgoing[g]);
      outgoing[g].clear();
    }
  }

  void send_all(std::size_t g, const std::vector<std::string>& datagrams) {
    const int fd = fds[g];
    const sockaddr_in& to = server(g);
    std::vector<iovec> iov(datagrams.size());
    std::vector<mmsghdr> messages(datagrams.size());
    for (std::size_t i = 0; i < datagrams.size(); ++i) {
      iov[i] = {const_cast<char*>(datagrams[i].data()), datagrams[i].size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_iov = &iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_name = const_cast<sockaddr_in*>(&to);
      messages[i].msg_hdr.msg_namelen = sizeof to;
    }
    std::size_t done = 0;
    while (done < messages.size()) {  // blocking socket: waits while the send buffer is full
      const unsigned n = static_cast<unsigned>(std::min<std::size_t>(messages.size() - done, 1024));
      const int sent = ::sendmmsg(fd, messages.data() + done, n, 0);
      if (sent <= 0) {
        if (sent < 0 && errno == EINTR) continue;
        std::perror("sendmmsg");
        return;
      }
      done += static_cast<std::size_t>(sent);
    }
  }

  void push_everywhere(const Bytes& frame, std::uint32_t tmst, std::uint32_t freq_hz) {
    flush();
    pending.push_back({tmst, freq_hz, lorawan::to_base64(frame), frame.size(), nullptr});
    flush();
  }

  void receive_loop() {
    std::vector<pollfd> p;
    for (int fd : fds) p.push_back({fd, POLLIN, 0});
    // recvmmsg: the PUSH_ACKs (one per datagram sent) are taken in batches, for the same reason
    // as sendmmsg above.
    constexpr std::size_t kBatch = 64;
    std::vector<std::uint8_t> buffers(kBatch * 65536);
    std::vector<iovec> iov(kBatch);
    std::vector<mmsghdr> messages(kBatch);
    auto next_pull = Clock::now() + std::chrono::seconds(5);
    while (running) {
      if (Clock::now() >= next_pull) {
        for (int g = 0; g < o->gateways; ++g) {
          Bytes d = sim::build_pull_data(0x7000, eui(g));
          send(g, d);
        }
        next_pull = Clock::now() + std::chrono::seconds(5);
      }
      if (::poll(p.data(), p.size(), 50) <= 0) continue;
      for (std::size_t g = 0; g < p.size(); ++g) {
        if (!(p[g].revents & POLLIN)) continue;
        while (true) {
          for (std::size_t i = 0; i < kBatch; ++i) {
            iov[i] = {buffers.data() + i * 65536, 65536};
            messages[i] = {};
            messages[i].msg_hdr.msg_iov = &iov[i];
            messages[i].msg_hdr.msg_iovlen = 1;
          }
          const int n = ::recvmmsg(fds[g], messages.data(), kBatch, MSG_DONTWAIT, nullptr);
          if (n <= 0) break;
          for (int i = 0; i < n; ++i) {
            const std::uint8_t* buf = buffers.data() + static_cast<std::size_t>(i) * 65536;
            const std::size_t len = messages[static_cast<std::size_t>(i)].msg_len;
            if (len >= 4 && buf[3] == 1) {
              ++push_acks;
              continue;
            }
            if (len >= 4 && buf[3] == 4) {
              ++pull_acks;
              continue;
            }
            if (len >= 4 && buf[3] == 3) on_pull_resp(static_cast<int>(g), lorawan::ByteView(buf, len));
          }
          if (static_cast<std::size_t>(n) < kBatch) break;
        }
      }
    }
  }

  void on_pull_resp(int g, lorawan::ByteView datagram) {
    const std::uint32_t arrival = counter_us();
    const std::int64_t t = now_ns(t0);
    ++pull_resps;
    auto parsed = sim::parse_server_datagram(datagram);
    if (!parsed || !parsed->txpk) {
      ++joins_bad;
      return;
    }
    send(g, sim::build_tx_ack(parsed->token, eui(g)));
    ++tx_acks;
    auto* at = std::get_if<gateway_bridge::CounterTime>(&parsed->txpk->timing);
    if (!at) return;  // not a join-accept of ours (class A downlinks are tmst-timed too, see below)
    settle(at->counter_us, parsed->txpk->phy_payload, static_cast<std::int32_t>(at->counter_us - arrival) > 0, t);
  }
};

// ------------------------------------------------------- Basics Station gateways
// The same interface as Gateways for cmd_run, played by SimulatedStations: a WebSocket message
// has no acknowledgement, so push_acks counts the messages handed to a connected socket, and
// pull_resps the dnmsgs received. A join-accept is "in time" when the station could place it
// (its window, RX1 or RX2, still ahead by the station's TX_AIM_GAP on arrival) and "late" when
// it dropped it as too late.
struct Stations : JoinBook {
  const Options* o = nullptr;
  Clock::time_point t0;
  std::vector<std::unique_ptr<sim::SimulatedStation>> stations;

  std::atomic<std::uint64_t> push_acks{0}, pull_resps{0};
  std::atomic<bool> running{true};
  std::thread receiver;

  // Every station starts its counter at the same value, so one counter stands for all (they
  // differ by the microseconds between their constructions).
  std::uint32_t counter_us() const { return stations.front()->counter_us(); }
  std::uint64_t eui(int g) const { return o->gateway_eui_base + static_cast<std::uint64_t>(g); }

  bool open() {
    sim::StationOptions options;
    options.ca_file = o->ca_file;
    if (!o->token.empty()) options.token = o->token;
    options.counter_start = 0x10000000;
    for (int g = 0; g < o->gateways; ++g)
      stations.push_back(std::make_unique<sim::SimulatedStation>(eui(g), o->station_uri, options));
    for (auto& station : stations) {
      auto config = station->connect(std::chrono::seconds(10));
      if (!config) {
        std::fprintf(stderr, "uchet-bench: station %016llx: %s\n", static_cast<unsigned long long>(station->eui()),
                     config.error().c_str());
        return false;
      }
    }
    receiver = std::thread([this] { receive_loop(); });
    return true;
  }

  void close() {
    running = false;
    receiver.join();
    stations.clear();
  }

  // The frames of one concentrator fetch (what send_uplinks found due), held until flush().
  struct Pending {
    Bytes frame;
    std::uint32_t tmst = 0, freq_hz = 0;
    std::atomic<std::int64_t>* sent_ns = nullptr;
  };
  std::vector<Pending> pending;

  void queue(const Bytes& frame, std::uint32_t tmst, std::uint32_t freq_hz, std::atomic<std::int64_t>* sent_ns) {
    pending.push_back({frame, tmst, freq_hz, sent_ns});
  }
  // Each station gets the fetch's messages (one per frame, as the protocol has it) in one
  // hand-over, written back to back on its socket: a station forwards what its concentrator
  // received since the last fetch in a burst, and the generator spends as little of the shared
  // CPU per frame as the UDP one does with its packed PUSH_DATA and sendmmsg.
  void flush() {
    if (pending.empty()) return;
    const std::int64_t t = now_ns(t0);
    for (const Pending& p : pending) {
      if (p.sent_ns) p.sent_ns->store(t, std::memory_order_release);
    }
    std::vector<sim::StationUplink> uplinks(pending.size());
    for (std::size_t g = 0; g < stations.size(); ++g) {
      for (std::size_t i = 0; i < pending.size(); ++i) {
        sim::StationUplink& u = uplinks[i];
        u.phy_payload = pending[i].frame;
        u.reception.channel = {pending[i].freq_hz, 5};
        u.reception.tmst = pending[i].tmst;
        u.reception.rssi_dbm = -60 - 3 * static_cast<int>(g);
      }
      push_acks += stations[g]->push_all(uplinks);
    }
    pending.clear();
  }
  void push_everywhere(const Bytes& frame, std::uint32_t tmst, std::uint32_t freq_hz) {
    queue(frame, tmst, freq_hz, nullptr);
    flush();
  }

  void receive_loop() {
    while (running) {
      bool any = false;
      for (auto& station : stations) {
        for (auto& downlink : station->take_downlinks()) {
          any = true;
          on_dnmsg(downlink);
        }
      }
      if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void on_dnmsg(const sim::StationDownlink& downlink) {
    const std::int64_t t = now_ns(t0);
    ++pull_resps;
    if (!downlink.message) {
      ++joins_bad;  // a dnmsg the station could not even parse
      return;
    }
    if (downlink.message->xtime == 0) return;  // class C: not a join-accept
    const auto rx1 =
        static_cast<std::uint32_t>(sim::station::xtime_counter_us(downlink.message->xtime) +
                                   std::uint64_t{static_cast<unsigned>(downlink.message->rx_delay_s)} * 1'000'000);
    settle(rx1, downlink.phy_payload(), downlink.window.has_value(), t);
  }
};

std::uint32_t freq_for(std::size_t n) { return n % 2 == 0 ? 868'900'000 : 869'100'000; }

// OTAA rows (JoinEUI, AppKey), or with `abp` ABP rows (DevAddr, NwkSKey, AppSKey) as
// `uchetctl device import` takes them; the header is the same for both.
int cmd_csv(const Options& o, bool abp) {
  std::printf("dev_eui,join_eui,app_key,codec,serial,name,app,dev_addr,nwk_s_key,app_s_key\n");
  for (int i = 0; i < o.devices; ++i) {
    std::uint64_t eui = o.dev_eui_base + static_cast<std::uint64_t>(i);
    if (abp) {
      std::printf("%016llx,,,,,bench-abp-%d,%s,%08x,%s,%s\n", static_cast<unsigned long long>(eui), i, o.app.c_str(),
                  o.dev_addr_base + static_cast<std::uint32_t>(i), lorawan::key_to_string(nwk_s_key_for(eui)).c_str(),
                  lorawan::key_to_string(app_s_key_for(eui)).c_str());
      continue;
    }
    std::printf("%016llx,%016llx,%s,,,bench-%d,%s,,,\n", static_cast<unsigned long long>(eui),
                static_cast<unsigned long long>(o.join_eui), lorawan::key_to_string(key_for(eui)).c_str(), i,
                o.app.c_str());
  }
  return 0;
}

// Sends `rate` frames/s for `seconds`, round-robin over joined devices. Returns frames sent.
template <class GatewaySet>
std::uint64_t send_uplinks(const Options& o, GatewaySet& gw, std::vector<sim::SimulatedDevice>& devices,
                           std::vector<std::atomic<std::int64_t>>& send_ns, std::vector<int>& joined, std::size_t& rr,
                           double rate, double seconds) {
  const Bytes payload(static_cast<std::size_t>(o.payload_size), 0x5a);
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::uint64_t sent = 0;
  while (true) {
    auto now = Clock::now();
    if (now >= end) break;
    const double due = std::chrono::duration<double>(now - start).count() * rate;
    if (static_cast<double>(sent) >= due) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    int batch = 0;
    while (static_cast<double>(sent) < due && batch++ < 256) {
      int i = joined[rr % joined.size()];
      ++rr;
      auto& d = devices[static_cast<std::size_t>(i)];
      sim::UplinkOptions up;
      up.fport = 2;
      up.payload = payload;
      up.channel.frequency_hz = freq_for(rr);
      const std::uint32_t fcnt = d.next_fcnt_up();
      auto frame = d.uplink(up);
      if (!frame) continue;
      gw.queue(*frame, gw.counter_us(), up.channel.frequency_hz,
               &send_ns[static_cast<std::size_t>(i) * kRing + fcnt % kRing]);
      ++sent;
    }
    gw.flush();  // the frames due by now are what a concentrator fetch would hold
  }
  gw.flush();
  return sent;
}

// The frames stored, by Options::stored_count_command (-1 without one, or when it fails).
long long stored_frames(const Options& o) {
  if (o.stored_count_command.empty()) return -1;
  FILE* p = ::popen(o.stored_count_command.c_str(), "r");
  if (!p) return -1;
  long long n = -1;
  if (std::fscanf(p, "%lld", &n) != 1) n = -1;
  return ::pclose(p) == 0 ? n : -1;
}

void wait_quiet(const std::atomic<std::uint64_t>& counter, std::uint64_t target, double max_s) {
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_s));
  std::uint64_t last = counter;
  auto last_change = Clock::now();
  while (Clock::now() < deadline && counter < target) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (counter != last) {
      last = counter;
      last_change = Clock::now();
    }
    // Nothing more is coming. (Not 5 s: with two instances on PostgreSQL the publisher has been
    // seen pausing that long with rows still in the outbox, see BENCHMARKS.md.)
    if (Clock::now() - last_change > std::chrono::seconds(15)) break;
  }
}

// With no traffic: what uchetd (its instances summed, and by thread) and the PostgreSQL server
// spend per second over `seconds` — the cost of polling (leases, relay, heartbeats, outbox).
int cmd_idle(const Options& o, double seconds) {
  const CpuSample a = sample_servers(o);
  const auto threads0 = sample_threads(o.uchetd_pids);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const CpuSample b = sample_servers(o);
  std::printf("idle_seconds=%.0f\nidle_uchetd_cpu_ms_per_s=%.2f\nidle_postgres_cpu_ms_per_s=%.2f\n", seconds,
              (b.process_cpu_s - a.process_cpu_s) * 1000 / seconds,
              (b.postgres_cpu_s - a.postgres_cpu_s) * 1000 / seconds);
  std::printf("idle_uchetd_thread_ms_per_s=%s\n",
              thread_shares(threads0, sample_threads(o.uchetd_pids), seconds / 1000).c_str());
  return 0;
}

template <class GatewaySet>
int cmd_run(const Options& o) {
  const auto t0 = Clock::now();
  std::vector<std::atomic<std::int64_t>> send_ns(static_cast<std::size_t>(o.devices) * kRing);
  // Devices 0..N-1: the ABP fleet, active at once; N..N+J-1: the OTAA devices of the join phase.
  std::vector<sim::SimulatedDevice> devices;
  devices.reserve(static_cast<std::size_t>(o.devices + o.join_devices));
  const auto first_nonce = static_cast<std::uint16_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() /
      4);
  for (int i = 0; i < o.devices + o.join_devices; ++i) {
    std::uint64_t eui = o.dev_eui_base + static_cast<std::uint64_t>(i);
    devices.emplace_back(
        sim::DeviceIdentity{eui, o.join_eui, key_for(eui), std::nullopt, sim::MacVersion::V1_0_3, first_nonce});
    if (i < o.devices) {
      sim::DeviceSession session;
      session.dev_addr = o.dev_addr_base + static_cast<std::uint32_t>(i);
      const auto nwk = nwk_s_key_for(eui);
      session.keys = {nwk, nwk, nwk, app_s_key_for(eui)};
      devices.back().activate_abp(session);
    }
  }
  std::vector<std::atomic<bool>> active(static_cast<std::size_t>(o.devices));

  mosquitto_lib_init();
  Subscriber sub;
  sub.t0 = t0;
  sub.o = &o;
  sub.send_ns = &send_ns;
  sub.active = &active;
  if (!sub.start()) {
    std::fprintf(stderr, "uchet-bench: cannot subscribe to the broker\n");
    return 1;
  }

  GatewaySet gw;
  gw.o = &o;
  gw.t0 = t0;
  gw.devices = &devices;
  if (!gw.open()) {
    std::fprintf(stderr,
                 "uchet-bench: gateways not connected (no PULL_ACK from every --server, or a station refused)\n");
    return 1;
  }

  // ---- 1. joins: paced at --join-rate, at most --join-window outstanding; a request without a
  // join-accept after 6 s is counted missing (the device would retry; we do not).
  std::fprintf(stderr, "joins: %d devices at %.0f/s, window %d\n", o.join_devices, o.join_rate, o.join_window);
  const std::uint64_t join_events_before = sub.joins;
  const auto join_start = Clock::now();
  const CpuSample join_cpu0 = sample_servers(o);
  std::uint32_t last_tmst = 0;
  int joins_missing = 0;
  auto expire = [&](std::int64_t older_than_ns) {
    std::lock_guard lock(gw.join_mutex);
    for (auto it = gw.join_by_tmst.begin(); it != gw.join_by_tmst.end();) {
      if (it->second.second < older_than_ns) {
        it = gw.join_by_tmst.erase(it);
        ++joins_missing;
        --gw.joins_pending;
      } else {
        ++it;
      }
    }
  };
  for (int i = o.devices; i < o.devices + o.join_devices; ++i) {
    const auto due = join_start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>((i - o.devices) / o.join_rate));
    while (Clock::now() < due || gw.joins_pending >= o.join_window) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      if (gw.joins_pending >= o.join_window) expire(now_ns(t0) - 6'000'000'000LL);
    }
    if (i % 500 == 499) expire(now_ns(t0) - 6'000'000'000LL);
    Bytes req = devices[static_cast<std::size_t>(i)].join_request();
    std::uint32_t tmst = gw.counter_us();
    if (static_cast<std::int32_t>(tmst - last_tmst) <= 0) tmst = last_tmst + 1;
    last_tmst = tmst;
    {
      std::lock_guard lock(gw.join_mutex);
      gw.join_by_tmst[tmst + 5'000'000] = {i, now_ns(t0)};  // JOIN_ACCEPT_DELAY1 = 5 s
    }
    ++gw.joins_pending;
    gw.push_everywhere(req, tmst, freq_for(static_cast<std::size_t>(i)));
  }
  {
    auto deadline = Clock::now() + std::chrono::seconds(6);
    while (gw.joins_pending > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    expire(now_ns(t0));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // let join events drain
  // The phase lasts from the first request to the end of the wait for the last join-accept:
  // joins accepted by uchetd (its join events) and join-accepts delivered in time, each per
  // second of it. The accepts are bounded by airtime on the gateways, not by uchetd.
  const double join_s = std::chrono::duration<double>(Clock::now() - join_start).count();
  const std::uint64_t join_events = sub.joins - join_events_before;
  std::vector<double> jl;
  {
    std::lock_guard lock(gw.join_mutex);
    jl = gw.join_latency_ms;
  }
  std::printf(
      "join_rate_offered=%.0f\njoins_sent=%d\njoin_events=%llu\njoins_in_time=%d\njoins_late=%d\njoins_bad=%d\n"
      "joins_missing=%d\n",
      o.join_rate, o.join_devices, static_cast<unsigned long long>(join_events), gw.joins_ok.load(),
      gw.joins_late.load(), gw.joins_bad.load(), joins_missing);
  std::printf(
      "join_seconds=%.2f\njoins_accepted_per_s=%.1f\njoins_per_s=%.1f\njoin_latency_p50_ms=%.1f\n"
      "join_latency_p99_ms=%.1f\njoin_latency_max_ms=%.1f\n",
      join_s, static_cast<double>(join_events) / join_s, gw.joins_ok / join_s, percentile(jl, 0.5),
      percentile(jl, 0.99), percentile(jl, 1.0));
  print_cpu("join", join_cpu0, sample_servers(o), join_s, static_cast<double>(join_events));
  std::fflush(stdout);

  // The uplink phases' fleet: every ABP device.
  std::vector<int> joined(static_cast<std::size_t>(o.devices));
  for (int i = 0; i < o.devices; ++i) joined[static_cast<std::size_t>(i)] = i;

  // ---- 2. throughput
  std::fprintf(stderr, "throughput: %.0f frames/s for %.0f s over %zu devices\n", o.rate, o.seconds, joined.size());
  std::size_t rr = 0;
  const std::uint64_t ups_before = sub.ups;
  const std::uint64_t pull_resps_before = gw.pull_resps;
  const std::int64_t tp_start = now_ns(t0);
  const CpuSample tp_cpu0 = sample_servers(o);
  const double generator_cpu0 = sample_cpu(static_cast<int>(getpid())).process_cpu_s;
  const double broker_cpu0 = sample_cpu(o.mosquitto_pid).process_cpu_s;
  const MachineSample machine0 = sample_machine();
  const auto threads0 = sample_threads(o.uchetd_pids);
  // The frames stored at the start of the steady window (20 % into the sending), counted on a
  // thread of its own while this one sends.
  std::pair<long long, std::int64_t> stored0{-1, 0};
  std::thread stored_sampler([&] {
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds / 5));
    stored0 = {stored_frames(o), now_ns(t0)};
  });
  const std::uint64_t sent = send_uplinks(o, gw, devices, send_ns, joined, rr, o.rate, o.seconds);
  const std::int64_t tp_end = now_ns(t0);
  stored_sampler.join();
  const std::pair<long long, std::int64_t> stored1{stored_frames(o), now_ns(t0)};
  const double send_s = static_cast<double>(tp_end - tp_start) / 1e9;
  {
    // While sending: the whole machine's share of busy cores, and who took it.
    const MachineSample machine1 = sample_machine();
    const CpuSample servers1 = sample_servers(o);
    const double uchetd_s = servers1.process_cpu_s - tp_cpu0.process_cpu_s;
    const double generator_s = sample_cpu(static_cast<int>(getpid())).process_cpu_s - generator_cpu0;
    const double broker_s = sample_cpu(o.mosquitto_pid).process_cpu_s - broker_cpu0;
    std::printf(
        "sending_cores_busy=%.2f\nsending_cores_stolen=%.2f\nsending_uchetd_cores=%.2f\n"
        "sending_generator_and_subscriber_cores=%.2f\nsending_mosquitto_cores=%.2f\n",
        (machine1.busy_s - machine0.busy_s) / send_s, (machine1.steal_s - machine0.steal_s) / send_s, uchetd_s / send_s,
        generator_s / send_s, broker_s / send_s);
    if (o.postgres_pid > 0)
      std::printf("sending_postgres_cores=%.2f\n", (servers1.postgres_cpu_s - tp_cpu0.postgres_cpu_s) / send_s);
    const std::string per_thread = thread_shares(threads0, sample_threads(o.uchetd_pids), send_s);
    if (!per_thread.empty()) std::printf("sending_uchetd_thread_cores=%s\n", per_thread.c_str());
  }
  wait_quiet(sub.ups, ups_before + sent, 120);
  const std::uint64_t received = sub.ups - ups_before;
  print_cpu("throughput", tp_cpu0, sample_servers(o), static_cast<double>(now_ns(t0) - tp_start) / 1e9,
            static_cast<double>(received));
  // steady window: from 20 % into the sending to its end (100 ms buckets)
  const std::size_t b0 = static_cast<std::size_t>((tp_start + (tp_end - tp_start) / 5) / 100'000'000) + 1;
  const std::size_t b1 = static_cast<std::size_t>(tp_end / 100'000'000);
  std::uint64_t in_window = 0;
  for (std::size_t b = b0; b < b1 && b < sub.up_buckets.size(); ++b) in_window += sub.up_buckets[b];
  const double window_s = b1 > b0 ? static_cast<double>(b1 - b0) / 10.0 : NAN;
  const double steady_rate = static_cast<double>(in_window) / window_s;
  const double drain_rate = static_cast<double>(received) / (static_cast<double>(sub.last_up_ns - tp_start) / 1e9);
  std::printf("uplinks_sent=%llu\nsend_rate=%.0f\nups_received=%llu\nups_lost=%lld\n", (unsigned long long)sent,
              sent / send_s, (unsigned long long)received, (long long)sent - (long long)received);
  std::printf(
      "steady_window_s=%.1f\nsteady_ups_per_s=%.0f\nall_ups_per_s_until_last=%.0f\nlast_up_after_send_end_s=%.2f\n",
      window_s, steady_rate, drain_rate, static_cast<double>(sub.last_up_ns - tp_end) / 1e9);
  if (stored0.first >= 0 && stored1.first >= 0) {
    std::printf("steady_stored_per_s=%.0f  (frames stored in the database over the steady window)\n",
                static_cast<double>(stored1.first - stored0.first) /
                    (static_cast<double>(stored1.second - stored0.second) / 1e9));
  }
  std::printf("push_acks=%llu\n", (unsigned long long)gw.push_acks.load());
  {
    std::size_t n = 0;
    for (const auto& a : active) n += a.load(std::memory_order_relaxed) ? 1 : 0;
    std::printf("fleet_devices=%d\nfleet_devices_active=%zu  (an up event arrived for them)\n", o.devices, n);
  }
  // Class A answers (ACKs, MAC commands such as the DevStatusReq after a join), all gateways.
  std::printf("downlinks_during_throughput=%llu\n", (unsigned long long)(gw.pull_resps - pull_resps_before));
  {
    std::lock_guard lock(sub.lat_mutex);
    std::vector<double> v;
    for (auto& [s, ms] : sub.latencies)
      if (s >= tp_start) v.push_back(ms - o.dedup_ms);
    std::printf("throughput_phase_latency_p50_ms=%.1f\nthroughput_phase_latency_p99_ms=%.1f\n", percentile(v, 0.5),
                percentile(v, 0.99));
  }
  const double mean_payload = received ? static_cast<double>(sub.payload_bytes) / static_cast<double>(sub.ups) : 600;
  std::fflush(stdout);

  // ---- 3. latency at a sustainable rate
  std::this_thread::sleep_for(std::chrono::duration<double>(o.settle_seconds));
  double lrate = o.latency_rate > 0 ? o.latency_rate : std::max(10.0, std::min(o.rate, 0.5 * steady_rate));
  if (!std::isfinite(lrate)) lrate = 100;
  std::fprintf(stderr, "latency: %.0f frames/s for %.0f s\n", lrate, o.latency_seconds);
  const std::uint64_t ups_before_l = sub.ups;
  const std::int64_t l_start = now_ns(t0);
  const CpuSample l_cpu0 = sample_servers(o);
  const std::uint64_t lsent = send_uplinks(o, gw, devices, send_ns, joined, rr, lrate, o.latency_seconds);
  wait_quiet(sub.ups, ups_before_l + lsent, 30);
  print_cpu("latency", l_cpu0, sample_servers(o), static_cast<double>(now_ns(t0) - l_start) / 1e9,
            static_cast<double>(sub.ups - ups_before_l));
  {
    std::lock_guard lock(sub.lat_mutex);
    std::vector<double> v;
    for (auto& [s, ms] : sub.latencies)
      if (s >= l_start) v.push_back(ms - o.dedup_ms);
    std::printf("latency_rate=%.0f\nlatency_sent=%llu\nlatency_received=%llu\nlatency_samples=%zu\n", lrate,
                (unsigned long long)lsent, (unsigned long long)(sub.ups - ups_before_l), v.size());
    std::printf("latency_p50_ms=%.1f\nlatency_p99_ms=%.1f\nlatency_max_ms=%.1f\n", percentile(v, 0.5),
                percentile(v, 0.99), percentile(v, 1.0));
  }
  if (!o.latency_log.empty()) {
    std::lock_guard lock(sub.lat_mutex);
    if (std::FILE* f = std::fopen(o.latency_log.c_str(), "w")) {
      for (auto& [s, ms] : sub.latencies) std::fprintf(f, "%.6f %.3f\n", static_cast<double>(s) / 1e9, ms);
      std::fclose(f);
    }
  }
  std::fflush(stdout);

  // ---- 4. raw mosquitto, same messages
  const std::uint64_t raw_n = std::max<std::uint64_t>(received, 1000);
  std::fprintf(stderr, "raw mosquitto: %llu messages of %.0f bytes, QoS 1\n", (unsigned long long)raw_n, mean_payload);
  mosquitto* pub = mosquitto_new(nullptr, true, nullptr);
  mosquitto_max_inflight_messages_set(pub, 100);
  if (mosquitto_connect(pub, o.mqtt_host.c_str(), o.mqtt_port, 60) != MOSQ_ERR_SUCCESS) return 1;
  mosquitto_loop_start(pub);
  const std::string body(static_cast<std::size_t>(mean_payload), 'x');
  const std::int64_t raw_start = now_ns(t0);
  for (std::uint64_t k = 0; k < raw_n; ++k) {
    std::string topic = fmt::format("application/raw/device/{:016x}/event/up",
                                    o.dev_eui_base + k % static_cast<std::uint64_t>(o.devices));
    while (mosquitto_publish(pub, nullptr, topic.c_str(), static_cast<int>(body.size()), body.data(), 1, false) ==
           MOSQ_ERR_NOMEM) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // keep the client's own queue bounded, as the outbox is
    if (k % 1000 == 999) {
      while (static_cast<std::uint64_t>(sub.raw) + 5000 < k)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  wait_quiet(sub.raw, raw_n, 60);
  const double raw_rate = static_cast<double>(sub.raw) / (static_cast<double>(sub.last_raw_ns - raw_start) / 1e9);
  std::printf("raw_messages=%llu\nraw_received=%llu\nraw_payload_bytes=%.0f\nraw_mqtt_per_s=%.0f\nratio=%.3f\n",
              (unsigned long long)raw_n, (unsigned long long)sub.raw.load(), mean_payload, raw_rate,
              steady_rate / raw_rate);
  mosquitto_disconnect(pub);
  mosquitto_loop_stop(pub, false);
  mosquitto_destroy(pub);

  gw.close();
  sub.stop();
  mosquitto_lib_cleanup();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> servers{"127.0.0.1:1700"};
  double idle_seconds = 10;
  std::string dev_eui_base = fmt::format("{:016x}", o.dev_eui_base);
  std::string backend = "udp", token_file, dev_addr_base = fmt::format("{:08x}", o.dev_addr_base);
  bool csv_abp = false;
  CLI::App app{"uchet-bench: load generator and meter behind tools/bench (see BENCHMARKS.md)"};
  app.require_subcommand(1);
  for (CLI::App* sub : {app.add_subcommand("csv", "CSV for `uchetctl device import`"),
                        app.add_subcommand("run", "joins, uplinks, latency, raw MQTT")}) {
    sub->add_option("--devices", o.devices)->check(CLI::Range(1, 10'000'000))->capture_default_str();
    sub->add_option("--dev-eui-base", dev_eui_base, "DevEUI of device 0, hex")->capture_default_str();
    sub->add_option("--app", o.app)->capture_default_str();
    sub->add_option("--dev-addr-base", dev_addr_base, "ABP: DevAddr of device 0, hex")->capture_default_str();
    if (sub->get_name() == "csv") {
      sub->add_flag("--abp", csv_abp, "ABP rows (DevAddr, NwkSKey, AppSKey) instead of OTAA ones");
      continue;
    }
    sub->add_option("--join-devices", o.join_devices, "OTAA devices of the join phase, after the fleet's DevEUIs")
        ->check(CLI::Range(0, 10'000'000))
        ->capture_default_str();
    sub->add_option("--server", servers, "uchetd's gateway bridge, IPv4:port; once per instance")
        ->capture_default_str();
    sub->add_option("--mqtt-host", o.mqtt_host)->capture_default_str();
    sub->add_option("--mqtt-port", o.mqtt_port)->check(CLI::Range(1, 65535))->capture_default_str();
    sub->add_option("--gateways", o.gateways)->check(CLI::Range(1, 64))->capture_default_str();
    sub->add_option("--seconds", o.seconds)->check(CLI::PositiveNumber)->capture_default_str();
    sub->add_option("--rate", o.rate, "uplinks/s in the throughput phase")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    sub->add_option("--latency-rate", o.latency_rate, "0: half the measured throughput")->check(CLI::NonNegativeNumber);
    sub->add_option("--latency-seconds", o.latency_seconds)->check(CLI::PositiveNumber)->capture_default_str();
    sub->add_option("--settle-seconds", o.settle_seconds, "pause before the latency phase")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub->add_option("--dedup-ms", o.dedup_ms)->check(CLI::Range(0, 10'000))->capture_default_str();
    sub->add_option("--join-window", o.join_window)->check(CLI::Range(1, 1'000'000))->capture_default_str();
    sub->add_option("--join-rate", o.join_rate)->check(CLI::PositiveNumber)->capture_default_str();
    sub->add_option("--payload-size", o.payload_size)->check(CLI::Range(0, 222))->capture_default_str();
    sub->add_option("--rxpk-per-datagram", o.rxpk_per_datagram, "frames per PUSH_DATA at most (lora_pkt_fwd: 8)")
        ->check(CLI::Range(1, 8))
        ->capture_default_str();
    sub->add_option("--latency-log", o.latency_log,
                    "write every up event's send time (s) and latency (ms, dedup included) here");
    sub->add_option("--uchetd-pid", o.uchetd_pids, "report uchetd's CPU per phase; once per instance");
    sub->add_option("--postgres-pid", o.postgres_pid, "report the PostgreSQL server's CPU (its postmaster's pid)");
    sub->add_option("--mosquitto-pid", o.mosquitto_pid, "report the broker's CPU while sending");
    sub->add_option("--stored-count-command", o.stored_count_command,
                    "shell command printing the frames stored: their rate over the steady window");
    sub->add_option("--backend", backend, "gateway protocol: udp or basic-station")
        ->check(CLI::IsMember({"udp", "basic-station"}))
        ->capture_default_str();
    sub->add_option("--station-uri", o.station_uri, "basic-station: discovery URI, wss://host:port/router-info");
    sub->add_option("--ca", o.ca_file, "basic-station: PEM CA of uchetd's server certificate");
    sub->add_option("--token-file", token_file, "basic-station: the stations' bearer token");
  }
  CLI::App* idle = app.add_subcommand("idle", "CPU of uchetd and PostgreSQL with no traffic");
  idle->add_option("--seconds", idle_seconds)->check(CLI::PositiveNumber)->capture_default_str();
  idle->add_option("--uchetd-pid", o.uchetd_pids, "once per instance")->required();
  idle->add_option("--postgres-pid", o.postgres_pid, "the PostgreSQL server's postmaster");
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("idle")) return cmd_idle(o, idle_seconds);
  const auto base = lorawan::parse_eui64(dev_eui_base, "--dev-eui-base");
  if (!base) {
    std::fprintf(stderr, "uchet-bench: %s\n", base.error().c_str());
    return 2;
  }
  o.dev_eui_base = *base;
  const auto addr = lorawan::parse_dev_addr(dev_addr_base, "--dev-addr-base");
  if (!addr) {
    std::fprintf(stderr, "uchet-bench: %s\n", addr.error().c_str());
    return 2;
  }
  o.dev_addr_base = *addr;
  if (app.got_subcommand("csv")) return cmd_csv(o, csv_abp);
  for (const std::string& server : servers) {
    const auto endpoint = gateway_bridge::semtech_udp::parse_bind_address(server);
    if (!endpoint || !endpoint->address().is_v4() || endpoint->port() == 0) {
      std::fprintf(stderr, "uchet-bench: --server must be IPv4:port, not %s\n", server.c_str());
      return 2;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(endpoint->port());
    to.sin_addr.s_addr = htonl(endpoint->address().to_v4().to_uint());
    o.servers.push_back(to);
  }
  if (backend == "basic-station") {
    o.basic_station = true;
    if (o.station_uri.empty()) {
      std::fprintf(stderr, "uchet-bench: --backend basic-station needs --station-uri\n");
      return 2;
    }
    if (!token_file.empty()) {
      auto token = common::read_token_file(token_file);
      if (!token) {
        std::fprintf(stderr, "uchet-bench: %s\n", token.error().c_str());
        return 2;
      }
      o.token = *token;
    }
    return cmd_run<Stations>(o);
  }
  return cmd_run<Gateways>(o);
}
