// LoRa Basics Station gateways through the real uchetd over real TLS (a throwaway CA, a server
// certificate for localhost): discovery, router_config for RU864 and EU868 as a 2.0.6 station
// reads it, OTAA join and class A/C downlinks judged like a station (RxDelay, echoed xtime,
// dntxed → txack), uplinks equal to the UDP path's and deduplicated with it, timesync, refusals
// of wrong credentials, reconnects and hostile peers. The station side is tools/sim's own
// implementation of the protocol, not the server's parser.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/http_client.h"

using namespace uchet;
using namespace uchet::test;
using sim::SimulatedDevice;
using sim::SimulatedGateway;
using sim::SimulatedStation;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x70b3d57ed0000b01;

// A started network with Basics Station on and `identity` provisioned (with `extra` options).
struct StationNetwork {
  NetworkUnderTest net;
  explicit StationNetwork(const sim::DeviceIdentity& identity, const std::vector<std::string>& extra = {},
                          const std::string& network_config = "") {
    net.enable_basic_station();
    net.add_device(identity, extra);
    net.network_config = network_config;
    net.start();
  }
};

std::unique_ptr<SimulatedStation> connected_station(NetworkUnderTest& net, lorawan::Eui64 eui = kStation1,
                                                    sim::StationOptions options = {}, bool use_fixture_options = true) {
  auto station = std::make_unique<SimulatedStation>(
      eui, net.router_info_uri(), use_fixture_options ? net.station_options(eui) : std::move(options));
  auto config = station->connect(5s);
  INFO("connect: " << (config ? "ok" : config.error()));
  REQUIRE(config);
  return station;
}

// The join through `station`: the dnmsg is the class A answer to the jreq (RxDelay 5, the
// jreq's xtime and rctx echoed, RX1 on the uplink channel at its DR), placed in RX1 and accepted
// by the device.
sim::StationDownlink join_through(SimulatedDevice& device, SimulatedStation& station,
                                  std::uint32_t frequency_hz = 868'900'000) {
  auto request = station.push(device.join_request(), heard(frequency_hz));
  REQUIRE(request.acked);
  auto accept = station.wait_downlink(3s);
  REQUIRE(accept);
  INFO("dnmsg: " << accept->text);
  REQUIRE(accept->message);
  const auto& m = *accept->message;
  CHECK(m.dev_eui == device.dev_eui());
  CHECK(m.device_class == 0);
  CHECK(m.rx_delay_s == 5);
  CHECK(m.xtime == request.xtime);
  CHECK(m.rctx == std::optional<std::int64_t>(0));
  REQUIRE(m.rx1);
  CHECK(m.rx1->frequency_hz == frequency_hz);
  CHECK(m.rx1->data_rate == 5);
  // uchet sends one window per dnmsg (the network server picks it and retries RX2 itself);
  // RX2 parameters, if the server adds them, must be RU864's.
  if (m.rx2) {
    CHECK(m.rx2->frequency_hz == 869'100'000);
    CHECK(m.rx2->data_rate == 0);
  }
  REQUIRE(accept->refusal.empty());
  CHECK_FALSE(accept->rx2);
  CHECK(accept->transmit_xtime == request.xtime + 5'000'000);
  auto session = device.accept_join(accept->phy_payload());
  INFO("join-accept: " << (session ? "ok" : session.error()));
  REQUIRE(session);
  return *accept;
}

// The keys of a JSON object, recursively ("rxInfo.0.rssi"), for comparing event shapes.
void collect_keys(const nlohmann::json& j, const std::string& prefix, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      out.insert(prefix + key);
      collect_keys(value, prefix + key + ".", out);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) collect_keys(j[i], prefix + std::to_string(i) + ".", out);
  }
}

std::set<std::string> keys_of(const nlohmann::json& j) {
  std::set<std::string> out;
  collect_keys(j, "", out);
  return out;
}

// The /metrics sample of `series` once it reaches at least `want` (counters are read from the
// backend's thread), or its value after 5 s.
double metric_reaching(const NetworkUnderTest& net, const std::string& series, double want) {
  double value = 0;
  for (int i = 0; i < 50; ++i) {
    value = metric_sample(http_get(net.http_port(), "/metrics").body, series);
    if (value >= want) break;
    std::this_thread::sleep_for(100ms);
  }
  return value;
}
}  // namespace

TEST_CASE("basic station: discovery names the traffic socket, an unknown gateway is refused") {
  NetworkUnderTest net;
  net.enable_basic_station();
  net.start();
  SimulatedStation station(kStation1, net.router_info_uri(), net.station_options(kStation1));
  auto info = station.discover(5s);
  INFO("discover: " << (info ? info->error : info.error()));
  REQUIRE(info);
  CHECK(info->error.empty());
  // Explicit port and path, the host the certificate names (a station refuses anything else).
  CHECK(info->uri.starts_with("wss://localhost:" + std::to_string(net.station_port()) + "/"));

  SimulatedStation unknown(kUnknownGateway, net.router_info_uri(), net.station_options(kStation1));
  auto refused = unknown.discover(5s);
  CHECK((!refused || !refused->error.empty()));
  CHECK_FALSE(unknown.connect(5s));
}

TEST_CASE("basic station: router_config for RU864 is US915 at 16 dBm in 864-870 MHz, EU868 its own") {
  SECTION("RU864") {
    NetworkUnderTest net;
    net.enable_basic_station();
    net.start();
    auto station = connected_station(net);
    auto config = station->router_config();
    REQUIRE(config);
    CHECK(config->region == "US915");  // 2.0.6 knows no RU864 (docs/basic-station.md)
    CHECK(config->region_known);
    CHECK_FALSE(config->region_duty_cycle);  // duty cycle stays with the network server
    CHECK(config->tx_power_dbm == 16);
    CHECK(config->min_frequency_hz == 864'000'000);
    CHECK(config->max_frequency_hz == 870'000'000);
    CHECK(config->data_rates[0].spreading_factor == 12);
    CHECK(config->data_rates[5].spreading_factor == 7);
    CHECK(config->data_rates[5].bandwidth_khz == 125);
    CHECK_FALSE(config->hwspec.empty());
  }
  SECTION("EU868") {
    NetworkUnderTest net;
    net.enable_basic_station();
    net.network_config = "region = \"EU868\"\n";
    net.start();
    auto station = connected_station(net);
    auto config = station->router_config();
    REQUIRE(config);
    CHECK(config->region == "EU868");
    CHECK(config->region_duty_cycle);
    CHECK(config->min_frequency_hz == 863'000'000);
    CHECK(config->max_frequency_hz == 870'000'000);
  }
}

TEST_CASE("basic station: OTAA join through jreq, then a queued downlink confirmed by dntxed becomes txack") {
  SimulatedDevice device(otaa_device(kDevEui));
  StationNetwork setup(device.identity());
  auto& net = setup.net;
  auto station = connected_station(net);
  join_through(device, *station, 869'100'000);
  REQUIRE(net.wait_events("join", kDevEui, 1).size() == 1);
  REQUIRE(station->wait_transmitted(1, 7s));  // the join-accept's dntxed, 5 s after the jreq

  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "7", "--hex", "beef"});
  auto frame = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  auto sent = station->push(*frame, heard());
  REQUIRE(sent.acked);
  auto downlink = station->wait_downlink(3s);
  REQUIRE(downlink);
  INFO("dnmsg: " << downlink->text);
  REQUIRE(downlink->message);
  CHECK(downlink->message->rx_delay_s == 1);
  CHECK(downlink->message->xtime == sent.xtime);
  CHECK(downlink->transmit_xtime == sent.xtime + 1'000'000);
  auto received = device.receive_downlink(downlink->phy_payload());
  REQUIRE(received);
  CHECK(received->fport == std::optional<std::uint8_t>(7));
  CHECK(lorawan::to_hex(received->payload) == "beef");
  REQUIRE(station->wait_transmitted(2, 3s));
  REQUIRE(net.wait_events("txack", kDevEui, 1, 3s).size() == 1);
}

TEST_CASE("basic station: a dnmsg the station never confirms is no txack") {
  SimulatedDevice device(otaa_device(kDevEui));
  StationNetwork setup(device.identity());
  auto& net = setup.net;
  auto options = net.station_options(kStation1);
  options.send_dntxed = false;  // transmits, never says so: as a station dropping the frame
  auto station = connected_station(net, kStation1, options, false);
  join_through(device, *station);
  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "7", "--hex", "beef"});
  auto frame = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  REQUIRE(station->push(*frame, heard()).acked);
  REQUIRE(station->wait_downlink(3s));
  // The bound is the transmit time + airtime + 5 s: well past it, still no txack.
  std::this_thread::sleep_for(8s);
  CHECK(net.events("txack", kDevEui).empty());
  // Counted as the gateway's silence, not as an error it reported.
  const auto metrics = http_get(net.http_port(), "/metrics").body;
  const auto refused = [&](const char* reason) {
    return metric_sample(metrics, "uchet_gateway_downlinks_refused_total{gateway_id=\"" +
                                      lorawan::eui64_to_string(kStation1) + "\",reason=\"" + reason + "\"}");
  };
  CHECK(refused("no_gateway_answer") == 1);
  CHECK(refused("tx_ack_INTERNAL_ERROR") < 1);  // absent (-1) or zero
}

TEST_CASE("basic station: an updf is the same up event as over UDP, and one frame heard by both is one up") {
  SimulatedDevice device(otaa_device(kDevEui));
  StationNetwork setup(device.identity());
  auto& net = setup.net;
  auto station = connected_station(net);
  SimulatedGateway gateway(kGateway1, net.bridge());
  REQUIRE(gateway.pull(1s));
  join_through(device, *station);

  // Through UDP alone, then through the station alone.
  auto first = device.uplink({.fport = 2, .payload = {0x0a, 0x0b}});
  REQUIRE(first);
  // A GPS-less UDP gateway's rxpk has no "time"; a station always sends rxtime: give the UDP
  // reception its time too, so that both carry the same information.
  auto udp_heard = heard(868'900'000, -70, 5.0);
  udp_heard.time = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  REQUIRE(gateway.push(*first, udp_heard).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1).size() == 1);
  auto second = device.uplink({.fport = 2, .payload = {0x0a, 0x0b}});
  REQUIRE(second);
  REQUIRE(station->push(*second, heard(868'900'000, -70, 5.0)).acked);
  auto ups = net.wait_events("up", kDevEui, 2);
  REQUIRE(ups.size() == 2);
  CHECK(keys_of(ups[0]) == keys_of(ups[1]));
  for (const char* same : {"devAddr", "dr", "fPort", "data", "adr", "confirmed", "txInfo"}) {
    INFO(same);
    CHECK(ups[0].value(same, nlohmann::json()) == ups[1].value(same, nlohmann::json()));
  }
  CHECK(ups[0]["rxInfo"][0]["rssi"] == ups[1]["rxInfo"][0]["rssi"]);
  CHECK(ups[1]["rxInfo"][0]["gatewayId"] == lorawan::eui64_to_string(kStation1));

  // One frame heard by both: one up event with two receptions.
  auto both = device.uplink({.fport = 2, .payload = {0x0c}});
  REQUIRE(both);
  REQUIRE(gateway.push(*both, heard(868'900'000, -90, 1.0)).acked);
  REQUIRE(station->push(*both, heard(868'900'000, -60, 8.0)).acked);
  ups = net.wait_events("up", kDevEui, 3);
  REQUIRE(ups.size() == 3);
  std::this_thread::sleep_for(500ms);  // a second up event would have come by now
  ups = net.events("up", kDevEui);
  REQUIRE(ups.size() == 3);
  REQUIRE(ups[2]["rxInfo"].size() == 2);
  std::set<std::string> gateways;
  for (const auto& rx : ups[2]["rxInfo"]) gateways.insert(rx["gatewayId"].get<std::string>());
  CHECK(gateways == std::set<std::string>{lorawan::eui64_to_string(kGateway1), lorawan::eui64_to_string(kStation1)});
}

TEST_CASE("basic station: class C downlinks go out on RX2 parameters and are confirmed") {
  SimulatedDevice device(otaa_device(kDevEui));
  StationNetwork setup(device.identity(), {"--class", "C"});
  auto& net = setup.net;
  auto station = connected_station(net);
  join_through(device, *station);
  auto frame = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  REQUIRE(station->push(*frame, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1, 3s).size() == 1);
  std::this_thread::sleep_for(5500ms);  // past the class A windows of the join and the uplink
  station->take_downlinks();
  const auto transmitted = station->counters().dntxed;

  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "3", "--hex", "c0ffee"});
  auto downlink = station->wait_downlink(3s);
  REQUIRE(downlink);
  INFO("dnmsg: " << downlink->text << " refusal: " << downlink->refusal);
  REQUIRE(downlink->message);
  CHECK(downlink->message->device_class == 2);
  // A real 2.0.6 station logs a warning for every dnmsg without RxDelay (docs/basic-station.md,
  // "Checked against a real station").
  CHECK(downlink->message->rx_delay_given);
  REQUIRE(downlink->window);
  CHECK(downlink->window->frequency_hz == 869'100'000);
  CHECK(downlink->window->data_rate == 0);
  auto received = device.receive_downlink(downlink->phy_payload());
  REQUIRE(received);
  CHECK(lorawan::to_hex(received->payload) == "c0ffee");
  REQUIRE(station->wait_transmitted(transmitted + 1, 3s));
  REQUIRE(net.wait_events("txack", kDevEui, 1, 3s).size() == 1);
}

TEST_CASE("basic station: timesync is answered with the GPS time") {
  NetworkUnderTest net;
  net.enable_basic_station();
  net.start();
  auto station = connected_station(net);
  const auto before = std::chrono::system_clock::now();
  auto answer = station->timesync(3s);
  REQUIRE(answer);
  REQUIRE(answer->txtime);
  // GPS time = UTC - 315964800 s (the GPS epoch) + 18 leap seconds, in µs.
  const auto utc_us = std::chrono::duration_cast<std::chrono::microseconds>(before.time_since_epoch()).count();
  const std::int64_t expected = utc_us - 315'964'800'000'000LL + 18'000'000LL;
  CHECK(answer->gpstime > expected - 5'000'000);
  CHECK(answer->gpstime < expected + 5'000'000);
}

TEST_CASE("basic station: a wrong token, an unknown EUI and a wrong client certificate are refused") {
  NetworkUnderTest net;
  net.enable_basic_station();
  net.start();
  auto wrong_token = net.station_options(kStation1);
  wrong_token.token = "not-the-right-token-at-all";
  CHECK_FALSE(SimulatedStation(kStation1, net.router_info_uri(), wrong_token).connect(5s));
  auto no_token = net.station_options(kStation1);
  no_token.token.reset();
  CHECK_FALSE(SimulatedStation(kStation1, net.router_info_uri(), no_token).connect(5s));
  CHECK_FALSE(SimulatedStation(kUnknownGateway, net.router_info_uri(), net.station_options(kStation1)).connect(5s));
  // kStation2 with another certificate of the same CA, and with kStation1's token instead.
  auto other = net.pki().client("impostor");
  auto wrong_cert = net.station_options(kStation2);
  wrong_cert.client_cert_file = other.certificate;
  wrong_cert.client_key_file = other.key;
  CHECK_FALSE(SimulatedStation(kStation2, net.router_info_uri(), wrong_cert).connect(5s));
  // A client that does not trust the server's CA gets no further than the TLS handshake.
  auto untrusting = net.station_options(kStation1);
  untrusting.ca_file = net.pki().client("not-a-ca").certificate;
  CHECK_FALSE(SimulatedStation(kStation1, net.router_info_uri(), untrusting).connect(5s));
  // The right credentials still work.
  connected_station(net, kStation1);
  connected_station(net, kStation2);

  // Refusals are logged at most once a minute per gateway and reason, however often they come,
  // and no token (wrong or right) ever reaches the log.
  for (int i = 0; i < 3; ++i) CHECK_FALSE(SimulatedStation(kStation1, net.router_info_uri(), wrong_token).connect(5s));
  const auto log = net.uchetd_log();
  std::size_t credential_lines = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("0016c001ff000101") != std::string::npos &&
        line.find("missing or wrong credential") != std::string::npos)
      ++credential_lines;
  }
  CHECK(credential_lines == 1);  // five refusals of kStation1's credential within the minute
  // Each refusal is counted, though logged once.
  CHECK(metric_reaching(net, "uchet_basic_station_refusals_total{reason=\"credential\"}", 6) >= 6);
  CHECK(metric_reaching(net, "uchet_basic_station_refusals_total{reason=\"unknown_gateway\"}", 1) >= 1);
  CHECK(log.find(*wrong_token.token) == std::string::npos);
  const auto right_token = net.station_options(kStation1).token;
  REQUIRE(right_token);
  CHECK(log.find(*right_token) == std::string::npos);
}

TEST_CASE("basic station: a reconnect replaces the old socket and uplinks continue on the new one") {
  SimulatedDevice device(otaa_device(kDevEui));
  StationNetwork setup(device.identity());
  auto& net = setup.net;
  auto first = connected_station(net);
  join_through(device, *first);
  // The same gateway again (as after an unclean network loss): the old socket is closed.
  auto second = connected_station(net);
  CHECK(first->wait_disconnected(3s));
  for (int i = 0; i < 3; ++i) {
    auto frame = device.uplink({.fport = 2, .payload = {static_cast<std::uint8_t>(i)}});
    REQUIRE(frame);
    REQUIRE(second->push(*frame, heard()).acked);
  }
  CHECK(net.wait_events("up", kDevEui, 3).size() == 3);
  // Downlinks reach the new socket.
  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "7", "--hex", "aa"});
  auto frame = device.uplink({.fport = 2, .payload = {0x09}});
  REQUIRE(frame);
  REQUIRE(second->push(*frame, heard()).acked);
  auto downlink = second->wait_downlink(3s);
  REQUIRE(downlink);
  REQUIRE(device.receive_downlink(downlink->phy_payload()));
}

TEST_CASE("basic station: a hostile peer costs nothing to another gateway's traffic") {
  SimulatedDevice device(otaa_device(kDevEui));
  StationNetwork setup(device.identity());
  auto& net = setup.net;
  auto healthy = connected_station(net, kStation1);
  join_through(device, *healthy);

  // Idle TCP connections that never finish a TLS handshake (slow readers and writers).
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < 5; ++i) {
    idle.emplace_back(io);
    idle.back().connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(net.station_port())});
    boost::asio::write(idle.back(), boost::asio::buffer(std::string("\x16\x03\x01", 3)));
  }
  // An authenticated peer sending garbage, unknown messages and an oversized frame.
  auto hostile = connected_station(net, kStation2);
  CHECK(hostile->send_text("not json"));
  CHECK(hostile->send_text(R"({"msgtype":"no-such-message"})"));
  CHECK(hostile->send_text(R"({"msgtype":"updf","DevAddr":"x"})"));
  CHECK(hostile->send_text(std::string(64 * 1024, '{')));

  for (int i = 0; i < 5; ++i) {
    auto frame = device.uplink({.fport = 2, .payload = {static_cast<std::uint8_t>(i)}});
    REQUIRE(frame);
    REQUIRE(healthy->push(*frame, heard()).acked);
  }
  CHECK(net.wait_events("up", kDevEui, 5, 3s).size() == 5);
  CHECK(healthy->connected());
  CHECK(hostile->wait_disconnected(3s));  // the oversized message closed its socket only
  CHECK(metric_reaching(net, "uchet_basic_station_messages_refused_total{reason=\"oversized\"}", 1) == 1);
  CHECK(metric_reaching(net, "uchet_basic_station_messages_refused_total{reason=\"unknown_type\"}", 1) == 1);
  CHECK(metric_reaching(net, "uchet_basic_station_messages_refused_total{reason=\"malformed\"}", 2) == 2);
}

TEST_CASE("basic station: a station that hangs is dropped by the server's pings, an idle one that answers them stays") {
  SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  net.enable_basic_station();
  net.basic_station_config = "ping_interval_s = 1\n";
  net.add_device(device.identity());
  net.start();
  auto healthy = connected_station(net, kStation1);
  join_through(device, *healthy);
  auto hung = connected_station(net, kStation2);
  CHECK(metric_reaching(net, "uchet_basic_station_connections", 2) == 2);

  // Its process hangs with the connection up: no pong, no close, the TCP connection stays open
  // and writes to it would only fill buffers. Two ping intervals later uchetd closes it.
  hung->hang();
  double open = 2;
  for (int i = 0; i < 60 && open != 1; ++i) {
    std::this_thread::sleep_for(100ms);
    open = metric_sample(http_get(net.http_port(), "/metrics").body, "uchet_basic_station_connections");
  }
  CHECK(open == 1);
  CHECK(metric_sample(http_get(net.http_port(), "/metrics").body,
                      "uchet_basic_station_connections_total{event=\"timed_out\"}") == 1);

  // The healthy station sent nothing either for those seconds (stations never ping), but it
  // answered the server's pings: still connected, and its traffic goes on both ways.
  std::this_thread::sleep_for(1s);
  CHECK(healthy->connected());
  CHECK(metric_sample(http_get(net.http_port(), "/metrics").body,
                      "uchet_basic_station_connections_total{event=\"timed_out\"}") == 1);
  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "7", "--hex", "bb"});
  auto frame = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  REQUIRE(healthy->push(*frame, heard()).acked);
  CHECK(net.wait_events("up", kDevEui, 1).size() == 1);
  auto downlink = healthy->wait_downlink(3s);
  REQUIRE(downlink);
  CHECK(device.receive_downlink(downlink->phy_payload()));
  CHECK(healthy->wait_transmitted(2, 8s));  // the join-accept and this one, both confirmed by dntxed
}
