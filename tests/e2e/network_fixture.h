#pragma once
// End-to-end fixture: a real mosquitto, a database provisioned with the real uchetctl (one
// application, two gateways, the test's devices) and the real uchetd started on it with a free
// UDP port, plus an MQTT recorder of everything under application/#. Typical test:
//   NetworkUnderTest net;               // broker up, application + gateways provisioned
//   net.add_device(device.identity());  // uchetctl device add ...
//   net.start();                        // uchetd up, its bridge answering PULL_DATA
//   SimulatedGateway gw(kGateway1, net.bridge());
// Most tests run over both gateway kinds (OverUdp, OverBasicStation below) through
// OneDeviceJoinedOver; docs/basic-station.md ("Tests") lists those that stay Semtech-only.
#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/udp.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/mosquitto_broker.h"
#include "tests/support/process.h"
#include "tests/support/test_pki.h"
#include "tests/support/test_storage.h"
#include "tools/sim/simulated_device.h"
#include "tools/sim/simulated_gateway.h"
#include "tools/sim/simulated_station.h"

namespace uchet::test {

using namespace std::chrono_literals;

inline constexpr lorawan::Eui64 kGateway1 = 0x0016c001ff000001;
inline constexpr lorawan::Eui64 kGateway2 = 0x0016c001ff000002;
inline constexpr lorawan::Eui64 kUnknownGateway = 0x0016c001ffee0000;  // never registered
// Registered by NetworkUnderTest::enable_basic_station() for Basics Station: kStation1 with a
// bearer token, kStation2 with a client certificate.
inline constexpr lorawan::Eui64 kStation1 = 0x0016c001ff000101;
inline constexpr lorawan::Eui64 kStation2 = 0x0016c001ff000102;
inline constexpr const char* kApplication = "meters";
inline constexpr lorawan::Eui64 kJoinEui = 0x70b3d57ed0000001;
inline constexpr lorawan::Key kAppKey = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                         0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
inline constexpr lorawan::Key kNwkKey = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
                                         0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f};

// A 1.0.3 OTAA device (or 1.1 with kNwkKey) with the shared keys above.
sim::DeviceIdentity otaa_device(lorawan::Eui64 dev_eui, sim::MacVersion version = sim::MacVersion::V1_0_3);

// How a gateway heard a frame: RU864 channel frequency at DR5 (SF7BW125), with this signal.
sim::Reception heard(std::uint32_t frequency_hz = 868'900'000, int rssi_dbm = -60, double snr_db = 7.5);

// A downlink as either simulated gateway received it, read the same way so that one test body
// serves both kinds: its frame; the frequency and data rate it goes out at (for a station the
// window it placed the dnmsg in — RX1's parameters, or RX2's when RX1 was too late — with the DR
// index read through RU864's table, the one its router_config carries; 0 and nullopt when the
// station dropped it); and whether it is a class C "send now" downlink (Semtech "imme", a
// station's dC 2 with RX2 parameters only).
inline const lorawan::Bytes& phy_payload_of(const sim::GatewayDownlink& d) { return d.txpk.phy_payload; }
inline const lorawan::Bytes& phy_payload_of(const sim::StationDownlink& d) { return d.phy_payload(); }
inline std::uint32_t frequency_of(const sim::GatewayDownlink& d) { return d.txpk.frequency_hz; }
std::uint32_t frequency_of(const sim::StationDownlink& d);
inline std::optional<gateway_bridge::DataRate> data_rate_of(const sim::GatewayDownlink& d) { return d.txpk.data_rate; }
std::optional<gateway_bridge::DataRate> data_rate_of(const sim::StationDownlink& d);
bool sent_immediately(const sim::GatewayDownlink& d);
bool sent_immediately(const sim::StationDownlink& d);
// Transmission confirmations the gateway sent so far: Semtech TX_ACKs (sent when a downlink
// arrives) or a station's dntxed (sent when it goes on air).
inline std::uint64_t confirmations_sent(const sim::SimulatedGateway& g) { return g.counters().tx_acks_sent; }
inline std::uint64_t confirmations_sent(const sim::SimulatedStation& g) { return g.counters().dntxed; }
// LoRa at this spreading factor and bandwidth (what most tests check of a data rate).
inline std::optional<gateway_bridge::DataRate> lora(std::uint8_t sf, std::uint16_t bw_khz = 125) {
  return gateway_bridge::DataRate{gateway_bridge::LoraRate{sf, bw_khz}};
}

// What a push and a downlink are for a gateway simulator (SimulatedGateway or SimulatedStation).
template <class Gateway>
using PushOf = decltype(std::declval<Gateway&>().push(lorawan::ByteView{}, sim::Reception{}));
template <class Gateway>
using DownlinkOf = typename decltype(std::declval<Gateway&>().wait_downlink(sim::Timeout{}))::value_type;

// Join through `gateway` (alone; a SimulatedGateway or a SimulatedStation): the join-request is
// acknowledged (queued, for a station), a join-accept comes back and the device accepts it.
// Fails the test otherwise.
template <class Push, class Downlink>
struct JoinedVia {
  Push request;
  Downlink accept;
  sim::DeviceSession session;
};
using Joined = JoinedVia<sim::PushResult, sim::GatewayDownlink>;
template <class Gateway>
JoinedVia<PushOf<Gateway>, DownlinkOf<Gateway>> join(sim::SimulatedDevice& device, Gateway& gateway,
                                                     const sim::Reception& reception = heard());

// Gateway kGateway2 (registered by both network fixtures), its PULL_DATA answered, reporting
// `tx_ack_error` (e.g. "TOO_LATE") in the TX_ACK of every downlink it is given.
std::unique_ptr<sim::SimulatedGateway> refusing_gateway(const boost::asio::ip::udp::endpoint& bridge,
                                                        const std::string& tx_ack_error);

// The class A answer to the uplink pushed as `sent`: the next downlink scheduled in its RX1
// (tmst + rx1_delay) or RX2 (one second later). Downlinks for other windows are skipped.
template <class Gateway>
std::optional<DownlinkOf<Gateway>> wait_answer(Gateway& gateway, const PushOf<Gateway>& sent,
                                               std::chrono::milliseconds timeout = 3s,
                                               std::chrono::seconds rx1_delay = 1s) {
  const auto rx1 = static_cast<std::uint32_t>(sent.tmst + std::chrono::microseconds(rx1_delay).count());
  const auto rx2 = static_cast<std::uint32_t>(rx1 + 1'000'000u);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto downlink = gateway.wait_downlink(std::max(left, 0ms));
    if (!downlink) return std::nullopt;
    if (downlink->tmst() == rx1 || downlink->tmst() == rx2) return downlink;
  }
}

// Sleeps until `gateway`'s concentrator counter (µs, wrapping every 2^32 µs) has passed `tmst`,
// e.g. until a class A answer went on air: a device sends its next uplink only after the
// receive window that brought it the answer, so that uplink's windows come after it.
template <class Gateway>
void wait_for_counter(const Gateway& gateway, std::uint32_t tmst) {
  while (static_cast<std::int32_t>(gateway.counter_us() - tmst) < 0) {
    const auto left = static_cast<std::int32_t>(tmst - gateway.counter_us());
    std::this_thread::sleep_for(std::chrono::microseconds(std::max(left - 2'000, 100)));
  }
}

// The strict form: the next downlink `gateway` is given must be the class A answer to `sent`,
// timed exactly at `window` (RX1 = the uplink's tmst + rx1_delay, RX2 one second later), and
// `device` must accept it. Fails the test otherwise, describing what came instead.
// Either simulated gateway: both give tmst() as the low 32 bits of the counter.
enum class Window { rx1, rx2 };
template <class Downlink>
struct AnswerVia {
  std::optional<Downlink> downlink;  // always set: optional only to read as wait_downlink's
  sim::DownlinkResult received;      // always a value: the frame as the device decrypted it
};
using Answer = AnswerVia<sim::GatewayDownlink>;
template <class Gateway>
AnswerVia<DownlinkOf<Gateway>> expect_answer(sim::SimulatedDevice& device, Gateway& gateway,
                                             const PushOf<Gateway>& sent, Window window = Window::rx1,
                                             std::chrono::seconds rx1_delay = 1s);
// Builds the uplink, pushes it (PUSH_ACK required) and expects its answer as above.
template <class Gateway>
AnswerVia<DownlinkOf<Gateway>> send_expecting_answer(sim::SimulatedDevice& device, Gateway& gateway,
                                                     const sim::UplinkOptions& uplink,
                                                     const sim::Reception& reception = heard(),
                                                     Window window = Window::rx1);

// One line for failure messages: timing, frequency, and what the device made of the frame.
std::string describe(const sim::GatewayDownlink& downlink, const sim::DownlinkResult& received);
std::string describe(const sim::StationDownlink& downlink, const sim::DownlinkResult& received);
// What the device made of a downlink: refused (why), or its counters, FPort, payload, MAC commands.
std::string describe(const sim::DownlinkResult& received);

template <class Gateway>
JoinedVia<PushOf<Gateway>, DownlinkOf<Gateway>> join(sim::SimulatedDevice& device, Gateway& gateway,
                                                     const sim::Reception& reception) {
  JoinedVia<PushOf<Gateway>, DownlinkOf<Gateway>> out;
  out.request = gateway.push(device.join_request(), reception);
  REQUIRE(out.request.acked);
  auto accept = gateway.wait_downlink(3s);
  REQUIRE(accept);
  out.accept = *accept;
  auto session = device.accept_join(phy_payload_of(out.accept));
  INFO("join-accept: " << (session ? "ok" : session.error()));
  REQUIRE(session);
  out.session = *session;
  return out;
}

template <class Gateway>
AnswerVia<DownlinkOf<Gateway>> expect_answer(sim::SimulatedDevice& device, Gateway& gateway,
                                             const PushOf<Gateway>& sent, Window window,
                                             std::chrono::seconds rx1_delay) {
  REQUIRE(sent.acked);
  const auto rx1 = static_cast<std::uint32_t>(sent.tmst + std::chrono::microseconds(rx1_delay).count());
  const auto expected = window == Window::rx1 ? rx1 : static_cast<std::uint32_t>(rx1 + 1'000'000u);
  auto downlink = gateway.wait_downlink(3s);
  INFO("expected the answer in " << (window == Window::rx1 ? "RX1" : "RX2") << " at tmst " << expected);
  REQUIRE(downlink);
  auto received = device.receive_downlink(phy_payload_of(*downlink));
  INFO("got: " << describe(*downlink, received));
  REQUIRE(downlink->tmst() == expected);
  REQUIRE(received);
  return {std::move(downlink), std::move(received)};
}

template <class Gateway>
AnswerVia<DownlinkOf<Gateway>> send_expecting_answer(sim::SimulatedDevice& device, Gateway& gateway,
                                                     const sim::UplinkOptions& uplink, const sim::Reception& reception,
                                                     Window window) {
  auto frame = device.uplink(uplink);
  REQUIRE(frame);
  return expect_answer(device, gateway, gateway.push(*frame, reception), window);
}

// True when uchetd's log says it could not bind its UDP port because something else had it.
bool port_was_taken(const std::string& uchetd_log);

// The one end-to-end fixture. The broker runs with persistence and can be stopped and started;
// the recorder (application/#) has a persistent session made before anything is broken; uchetd
// can be signalled, awaited and started again on the same configuration, database and ports.
// The uchetd log (all runs) and the broker's are printed when an assertion of the test failed.
class NetworkUnderTest {
 public:
  NetworkUnderTest();
  ~NetworkUnderTest();

  // uchetctl --db <db> args...: the result, or (ctl) requires exit code 0.
  RunResult ctl_result(const std::vector<std::string>& args);
  void ctl(const std::vector<std::string>& args);
  // uchetctl device add for `device`, with extra arguments (e.g. {"--class", "C"}).
  void add_device(const sim::DeviceIdentity& device, const std::vector<std::string>& extra = {});

  // Extra lines of the [network] section for the next start() (e.g. a changed channel plan),
  // of [storage] (e.g. frame_retention_days), [mqtt] (e.g. topic templates) and [log] (e.g. format).
  std::string network_config, storage_config, mqtt_config, log_config;
  // Extra lines inside [basic_station] (after enable_basic_station()), e.g. "ping_interval_s = 1\n".
  std::string basic_station_config;
  // Extra TOML at the end of the configuration for the next start() (e.g. [[integration.http]]).
  std::string extra_config;

  // Basics Station: turns on uchetd's [basic_station] server over TLS for the next start() (a
  // throwaway CA and a server certificate for the DNS name localhost) and registers kStation1
  // with a bearer token and kStation2 with a client certificate. Call before start(); start()
  // then also waits until the station port accepts connections.
  void enable_basic_station();
  // wss://localhost:<port>/router-info.
  std::string router_info_uri() const;
  // What kStation1 or kStation2 needs to connect: the CA, and its token or client certificate.
  sim::StationOptions station_options(lorawan::Eui64 station) const;
  const TestPki& pki() const { return *pki_; }
  int station_port() const { return station_port_; }

  // Writes the configuration, starts uchetd and waits (10 s at most) until its bridge answers a
  // registered gateway's PULL_DATA. A later start() runs it again on the same ports and
  // database (the gateways keep talking to the same address).
  void start();
  // Sends `signo` to uchetd and waits (10 s at most) for its exit; the status as
  // ChildProcess::wait_exit reports it (-signal when killed by one).
  int stop_uchetd(int signo);
  bool uchetd_running() const;

  boost::asio::ip::udp::endpoint bridge() const;
  std::string uchetd_log() const;  // every run, each after a marker line
  // The database uchetd and uchetctl work on: an SQLite file, or a PostgreSQL URI when the test
  // runs on PostgreSQL (tests/support/test_storage.h).
  std::string database() const { return test_database_location(dir_.path()); }
  // The operator endpoint's port ([http] bind on 127.0.0.1).
  int http_port() const { return http_port_; }
  MosquittoBroker& broker() { return broker_; }
  MqttRecorder& recorder() { return *mqtt_; }

  // sqlite3 <db> <query> (psql on PostgreSQL, same output form): stdout without the trailing
  // newline; fails the test on an error.
  std::string sql(const std::string& query);
  long long sql_count(const std::string& query) { return std::stoll(sql(query)); }
  // mosquitto_pub -q 1 to the broker; fails the test if it could not publish.
  void publish(const std::string& topic, const std::string& payload);

  // "application/meters/device/<devEui>".
  static std::string device_topic(lorawan::Eui64 dev_eui);
  // Events <device_topic>/event/<kind> received so far, payloads parsed.
  std::vector<nlohmann::json> events(const std::string& kind, lorawan::Eui64 dev_eui) const;
  // Waits until there are at least `count` of them (or `timeout` passed); returns them all.
  std::vector<nlohmann::json> wait_events(const std::string& kind, lorawan::Eui64 dev_eui, std::size_t count,
                                          std::chrono::milliseconds timeout = 3s) const;
  // fCnt of every `up` event so far, in arrival order.
  std::vector<long long> up_fcnts(lorawan::Eui64 dev_eui) const;

 private:
  void start_once();
  std::string current_log() const;
  std::string station_config() const;  // the [basic_station] section, empty when not enabled

  TempDir dir_;
  MosquittoBroker broker_{BrokerOptions{.persistence = true}};
  std::unique_ptr<MqttRecorder> mqtt_;
  int udp_port_ = free_port(/*udp=*/true);
  int http_port_ = free_port();
  int station_port_ = 0;           // enable_basic_station()
  std::unique_ptr<TestPki> pki_;   // enable_basic_station()
  std::string station_token_;      // kStation1's
  CertificateFiles station_cert_;  // kStation2's
  int runs_ = 0;
  bool started_ = false;  // a start() succeeded: the ports are fixed from then on
  std::unique_ptr<ChildProcess> uchetd_;
};

// The gateway kinds an end-to-end test runs over where the behaviour is the same
// (TEMPLATE_TEST_CASE(..., OverUdp, OverBasicStation)): Kind::Gateway is the simulator, made by
// Kind::make for gateway kEui (or kEui2, the second registered gateway of that kind; with its
// concentrator counter starting at `counter_start` when given) and opened (PULL_DATA answered,
// or a station connected with its router_config; again after uchetd restarted) by Kind::open;
// Kind::prepare readies the network before start().
struct OverUdp {
  using Gateway = sim::SimulatedGateway;
  static constexpr lorawan::Eui64 kEui = kGateway1;
  static constexpr lorawan::Eui64 kEui2 = kGateway2;
  static void prepare(NetworkUnderTest&) {}
  static Gateway make(NetworkUnderTest& net, lorawan::Eui64 eui = kEui,
                      std::optional<std::uint32_t> counter_start = std::nullopt) {
    sim::GatewayOptions options;
    options.counter_start = counter_start;
    return Gateway(eui, net.bridge(), options);
  }
  static void open(Gateway& gateway) { REQUIRE(gateway.pull(1s)); }
};
struct OverBasicStation {
  using Gateway = sim::SimulatedStation;
  static constexpr lorawan::Eui64 kEui = kStation1;   // authenticated by a bearer token
  static constexpr lorawan::Eui64 kEui2 = kStation2;  // by a client certificate
  static void prepare(NetworkUnderTest& net) { net.enable_basic_station(); }
  static Gateway make(NetworkUnderTest& net, lorawan::Eui64 eui = kEui,
                      std::optional<std::uint32_t> counter_start = std::nullopt) {
    auto options = net.station_options(eui);
    if (counter_start) options.counter_start = *counter_start;
    return Gateway(eui, net.router_info_uri(), options);
  }
  static void open(Gateway& gateway) {
    auto config = gateway.connect(5s);
    INFO("station connect: " << (config ? "ok" : config.error()));
    REQUIRE(config);
  }
};

// The opening most tests share, over a gateway kind: the device provisioned on a started
// network — by `provision`, `net.add_device(identity)` when none is given — then gateway 1 of
// the kind opened and the device joined through it. The members are public, so a test names
// them with
//   OneDeviceJoinedOver<TestType> setup(otaa_device(kDevEui));
//   auto& [device, net, gateway] = setup;
template <class Kind>
struct OneDeviceJoinedOver {
  using Provision = std::function<void(NetworkUnderTest&, const sim::DeviceIdentity&)>;

  sim::SimulatedDevice device;
  NetworkUnderTest net;
  typename Kind::Gateway gateway;

  explicit OneDeviceJoinedOver(const sim::DeviceIdentity& identity, const Provision& provision = {})
      : device(identity), gateway(Kind::make(started(net, identity, provision))) {
    Kind::open(gateway);
    join(device, gateway);
  }

 private:
  static NetworkUnderTest& started(NetworkUnderTest& net, const sim::DeviceIdentity& identity,
                                   const Provision& provision) {
    Kind::prepare(net);
    if (provision)
      provision(net, identity);
    else
      net.add_device(identity);
    net.start();
    return net;
  }
};

// The value of the sample line of /metrics' text that starts with `series` ("name{labels}"),
// or -1 when there is none.
double metric_sample(const std::string& metrics, const std::string& series);

// "0 1 2 ..." for failure messages.
std::string join_numbers(const std::vector<long long>& v);
// How many times each value occurs.
std::map<long long, int> histogram(const std::vector<long long>& v);

}  // namespace uchet::test
