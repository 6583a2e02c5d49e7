#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "tests/e2e/network_fixture.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <exception>
#include <iostream>
#include <thread>

#include <boost/asio/ip/tcp.hpp>

#include "gateway-bridge/radio.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/region.h"
#include "tools/sim/simulated_gateway.h"

namespace uchet::test {
namespace {
// Set by the listener below when an assertion fails; the live fixture then prints its log.
bool g_assertion_failed = false;
}  // namespace
}  // namespace uchet::test

namespace {
struct E2eFailureNotifier : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.succeeded()) uchet::test::g_assertion_failed = true;
    return true;
  }
};
}  // namespace
CATCH_REGISTER_LISTENER(E2eFailureNotifier)

namespace uchet::test {

sim::DeviceIdentity otaa_device(lorawan::Eui64 dev_eui, sim::MacVersion version) {
  sim::DeviceIdentity id;
  id.dev_eui = dev_eui;
  id.join_eui = kJoinEui;
  id.app_key = kAppKey;
  if (version == sim::MacVersion::V1_1) id.nwk_key = kNwkKey;
  id.mac_version = version;
  id.first_dev_nonce = 7;
  return id;
}

sim::Reception heard(std::uint32_t frequency_hz, int rssi_dbm, double snr_db) {
  sim::Reception r;
  r.channel = {frequency_hz, 5};
  r.rssi_dbm = rssi_dbm;
  r.snr_db = snr_db;
  return r;
}

std::unique_ptr<sim::SimulatedGateway> refusing_gateway(const boost::asio::ip::udp::endpoint& bridge,
                                                        const std::string& tx_ack_error) {
  sim::GatewayOptions options;
  options.tx_ack_error = tx_ack_error;
  auto gateway = std::make_unique<sim::SimulatedGateway>(kGateway2, bridge, options);
  REQUIRE(gateway->pull(1s));
  return gateway;
}

std::uint32_t frequency_of(const sim::StationDownlink& d) { return d.window ? d.window->frequency_hz : 0; }

std::optional<gateway_bridge::DataRate> data_rate_of(const sim::StationDownlink& d) {
  static const lorawan::Region ru864 = *lorawan::region_by_name("RU864");
  if (!d.window) return std::nullopt;
  auto rate = ru864.data_rate(d.window->data_rate);
  if (!rate) return std::nullopt;
  return gateway_bridge::to_bridge_rate(*rate);
}

bool sent_immediately(const sim::GatewayDownlink& d) {
  return std::holds_alternative<gateway_bridge::Immediately>(d.txpk.timing);
}

bool sent_immediately(const sim::StationDownlink& d) {
  return d.message && d.message->device_class == 2 && d.message->xtime == 0 && !d.message->rx1 && d.message->rx2;
}

std::string describe(const sim::GatewayDownlink& downlink, const sim::DownlinkResult& received) {
  std::string out = downlink.tmst() ? "tmst " + std::to_string(*downlink.tmst()) : std::string("not at a tmst");
  out += ", " + std::to_string(downlink.txpk.frequency_hz) + " Hz";
  return out + describe(received);
}

std::string describe(const sim::StationDownlink& downlink, const sim::DownlinkResult& received) {
  if (!downlink.refusal.empty()) return "dropped by the station (" + downlink.refusal + "): " + downlink.text;
  std::string out = "tmst " + std::to_string(downlink.tmst().value_or(0)) + (downlink.rx2 ? " (RX2)" : " (RX1)");
  out += ", " + std::to_string(downlink.window ? downlink.window->frequency_hz : 0) + " Hz";
  return out + describe(received);
}

std::string describe(const sim::DownlinkResult& received) {
  std::string out;
  if (!received) return out + ", refused: " + received.error().reason;
  out += received->confirmed ? ", confirmed" : ", unconfirmed";
  out += ", FCnt " + std::to_string(received->fcnt);
  if (received->fctrl.ack) out += ", ACK";
  if (received->fctrl.class_b_or_f_pending) out += ", FPending";
  if (received->fport)
    out += ", FPort " + std::to_string(*received->fport) + " payload " + lorawan::to_hex(received->payload);
  out += ", MAC [";
  for (const auto& c : received->mac_commands) out += std::string(lorawan::name_of(c)) + " ";
  return out + "]";
}

NetworkUnderTest::NetworkUnderTest() {
  g_assertion_failed = false;
  mqtt_ = std::make_unique<MqttRecorder>(broker_.port(), "e2e-recorder", "application/#");
  if (!mqtt_->wait_subscribed(1, 5s)) throw std::runtime_error("MQTT recorder did not subscribe:\n" + broker_.log());
  ctl({"application", "add", kApplication});
  ctl({"gateway", "add", lorawan::eui64_to_string(kGateway1), "--name", "gw-1"});
  ctl({"gateway", "add", lorawan::eui64_to_string(kGateway2), "--name", "gw-2"});
}

NetworkUnderTest::~NetworkUnderTest() {
  // Every test ends with the shutdown an operator's systemctl stop does, and it must be clean:
  // exit status 0 (under tools/test --sanitize also no leak or other finding at exit).
  // A uchetd that died by itself during the test (a crash, a sanitizer abort) fails it too.
  if (uchetd_ && std::uncaught_exceptions() == 0) {
    if (uchetd_->running()) uchetd_->signal(SIGTERM);
    const int status = uchetd_->wait_exit(10s);
    if (status != 0) FAIL_CHECK("uchetd did not exit cleanly on SIGTERM (status " << status << ")");
  }
  if (g_assertion_failed || std::uncaught_exceptions() > 0) {
    std::cerr << "----- uchetd log (" << dir_.path().string() << ", all runs) -----\n"
              << uchetd_log() << "----- end of uchetd log -----\n"
              << "----- mosquitto log -----\n"
              << broker_.log() << "----- end of mosquitto log -----\n";
  }
  uchetd_.reset();
}

RunResult NetworkUnderTest::ctl_result(const std::vector<std::string>& args) {
  std::vector<std::string> argv{executable_from_env("UCHETCTL"), "--db", database()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

void NetworkUnderTest::ctl(const std::vector<std::string>& args) {
  auto r = ctl_result(args);
  if (r.exit_code != 0) {
    std::string line;
    for (const auto& a : args) line += " " + a;
    throw std::runtime_error("uchetctl" + line + " exited " + std::to_string(r.exit_code) + ": " + r.err + r.out);
  }
}

void NetworkUnderTest::add_device(const sim::DeviceIdentity& d, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"device",
                                "add",
                                lorawan::eui64_to_string(d.dev_eui),
                                "--app",
                                kApplication,
                                "--join-eui",
                                lorawan::eui64_to_string(d.join_eui),
                                "--app-key",
                                lorawan::key_to_string(d.app_key),
                                "--mac-version",
                                std::string(to_string(d.mac_version))};
  if (d.nwk_key) {
    args.push_back("--nwk-key");
    args.push_back(lorawan::key_to_string(*d.nwk_key));
  }
  args.insert(args.end(), extra.begin(), extra.end());
  ctl(args);
}

void NetworkUnderTest::enable_basic_station() {
  pki_ = std::make_unique<TestPki>(dir_);
  station_port_ = free_port();
  station_token_ = "e2e-station-token-0123456789";
  write_file(dir_.file("station1.token"), station_token_ + "\n");
  station_cert_ = pki_->client("station-2");
  ctl({"gateway", "add", lorawan::eui64_to_string(kStation1), "--name", "station-1", "--basic-station", "--token-file",
       dir_.file("station1.token")});
  ctl({"gateway", "add", lorawan::eui64_to_string(kStation2), "--name", "station-2", "--basic-station", "--client-cert",
       station_cert_.certificate});
}

std::string NetworkUnderTest::router_info_uri() const {
  return "wss://localhost:" + std::to_string(station_port_) + "/router-info";
}

sim::StationOptions NetworkUnderTest::station_options(lorawan::Eui64 station) const {
  sim::StationOptions options;
  options.ca_file = pki_->ca_certificate();
  if (station == kStation1) options.token = station_token_;
  if (station == kStation2) {
    options.client_cert_file = station_cert_.certificate;
    options.client_key_file = station_cert_.key;
  }
  return options;
}

void NetworkUnderTest::start() {
  // free_port() only says the port was free a moment ago (a parallel test's socket may take it
  // before uchetd binds): like the broker fixture, the first start tries another port when that
  // happened. Later starts keep the port the gateways already talk to.
  for (int attempt = 0;; ++attempt) {
    try {
      start_once();
      started_ = true;
      return;
    } catch (const std::exception&) {
      if (started_ || attempt == 2 || uchetd_->running() || !port_was_taken(read_file(current_log()))) throw;
      udp_port_ = free_port(/*udp=*/true);
      http_port_ = free_port();
      if (pki_) station_port_ = free_port();
    }
  }
}

bool port_was_taken(const std::string& uchetd_log) {
  return uchetd_log.find("Address already in use") != std::string::npos;
}

void NetworkUnderTest::start_once() {
  write_file(dir_.file("uchet.toml"),
             "[storage]\n" + uchet::test::storage_config(database()) + storage_config +
                 "[gateway_bridge]\nbind = \"127.0.0.1:" + std::to_string(udp_port_) +
                 "\"\n"
                 "[network]\ndedup_window_ms = 200\n" +
                 network_config + "[mqtt]\nserver = \"tcp://127.0.0.1:" + std::to_string(broker_.port()) +
                 "\"\nclient_id = \"uchetd-e2e\"\n" + mqtt_config + "[log]\nlevel = \"info\"\n" + log_config +
                 "[http]\nbind = \"127.0.0.1:" + std::to_string(http_port_) + "\"\n" + station_config() + extra_config);
  ++runs_;
  uchetd_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{executable_from_env("UCHETD"), "--config", dir_.file("uchet.toml")}, current_log());
  sim::GatewayOptions probe_options;
  probe_options.keepalive = 0ms;
  sim::SimulatedGateway probe(kGateway1, bridge(), probe_options);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!probe.pull(200ms)) {
    if (!uchetd_->running()) throw std::runtime_error("uchetd exited during start-up:\n" + uchetd_log());
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("uchetd did not answer PULL_DATA:\n" + uchetd_log());
  }
  if (!pki_) return;
  // The Basics Station server: its port accepts a connection.
  while (true) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(station_port_)}, ec);
    if (!ec) return;
    if (!uchetd_->running()) throw std::runtime_error("uchetd exited during start-up:\n" + uchetd_log());
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("uchetd's Basics Station port did not open:\n" + uchetd_log());
    std::this_thread::sleep_for(50ms);
  }
}

std::string NetworkUnderTest::station_config() const {
  if (!pki_) return "";
  return "[basic_station]\nbind = \"127.0.0.1:" + std::to_string(station_port_) + "\"\ntls_cert = \"" +
         pki_->server().certificate + "\"\ntls_key = \"" + pki_->server().key + "\"\npublic_host = \"localhost\"\n" +
         basic_station_config;
}

int NetworkUnderTest::stop_uchetd(int signo) {
  uchetd_->signal(signo);
  int status = uchetd_->wait_exit(10s);
  uchetd_.reset();
  return status;
}

bool NetworkUnderTest::uchetd_running() const { return uchetd_ && uchetd_->running(); }

boost::asio::ip::udp::endpoint NetworkUnderTest::bridge() const {
  return {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(udp_port_)};
}

std::string NetworkUnderTest::current_log() const { return dir_.file("uchetd." + std::to_string(runs_) + ".log"); }

std::string NetworkUnderTest::uchetd_log() const {
  std::string out;
  for (int i = 1; i <= runs_; ++i) {
    if (runs_ > 1) out += "===== uchetd run " + std::to_string(i) + " =====\n";
    out += read_file(dir_.file("uchetd." + std::to_string(i) + ".log"));
  }
  return out;
}

std::string NetworkUnderTest::sql(const std::string& query) {
  std::string out;
  try {
    out = sqlite_query(database(), query);
  } catch (const std::runtime_error& e) {
    FAIL(query << ": " << e.what());
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void NetworkUnderTest::publish(const std::string& topic, const std::string& payload) {
  auto r = run({"/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()), "-q", "1", "-t",
                topic, "-m", payload});
  INFO("mosquitto_pub: " << r.err << r.out);
  REQUIRE(r.exit_code == 0);
}

std::string NetworkUnderTest::device_topic(lorawan::Eui64 dev_eui) {
  return std::string("application/") + kApplication + "/device/" + lorawan::eui64_to_string(dev_eui);
}

std::vector<nlohmann::json> NetworkUnderTest::events(const std::string& kind, lorawan::Eui64 dev_eui) const {
  const std::string topic = device_topic(dev_eui) + "/event/" + kind;
  std::vector<nlohmann::json> out;
  for (const auto& m : mqtt_->messages()) {
    if (m.topic == topic) out.push_back(nlohmann::json::parse(m.payload));
  }
  return out;
}

std::vector<nlohmann::json> NetworkUnderTest::wait_events(const std::string& kind, lorawan::Eui64 dev_eui,
                                                          std::size_t count, std::chrono::milliseconds timeout) const {
  eventually([&] { return events(kind, dev_eui).size() >= count; }, timeout);
  return events(kind, dev_eui);
}

std::vector<long long> NetworkUnderTest::up_fcnts(lorawan::Eui64 dev_eui) const {
  std::vector<long long> out;
  for (const auto& e : events("up", dev_eui)) out.push_back(e.at("fCnt").get<long long>());
  return out;
}

std::string join_numbers(const std::vector<long long>& v) {
  std::string out;
  for (auto n : v) {
    if (!out.empty()) out += ' ';
    out += std::to_string(n);
  }
  return out;
}

std::map<long long, int> histogram(const std::vector<long long>& v) {
  std::map<long long, int> out;
  for (auto n : v) ++out[n];
  return out;
}

double metric_sample(const std::string& metrics, const std::string& series) {
  const auto at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

}  // namespace uchet::test
