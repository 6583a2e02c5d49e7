// The Basics Station backend over real TLS sockets on 127.0.0.1, with throwaway certificates:
// stations are Boost.Beast WebSocket clients in the test; the owner's io_context runs on a
// thread of its own, as uchetd's does, and its deliveries are collected.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "gateway-bridge/basic_station/eui_text.h"
#include "gateway-bridge/basic_station/station_backend.h"
#include "netserver/lorawan/region.h"
#include "tests/support/process.h"
#include "tests/support/test_pki.h"

using namespace uchet;
using namespace uchet::gateway_bridge;
using namespace uchet::gateway_bridge::basic_station;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace {

constexpr lorawan::Eui64 kTokenGateway = 0xB827EBFFFEE1E39A;
constexpr lorawan::Eui64 kCertGateway = 0x0016C001FF1E0B51;  // "16:c001:ff1e:b51" in ID6
constexpr lorawan::Eui64 kOtherGateway = 0xAA555A0000000002;
constexpr lorawan::Eui64 kUnknownGateway = 0xAA555A00000000FF;
const std::string kToken = "s3cret-token-of-the-station-0001";

// The owner's io_context on its own thread; what the backend delivers is collected here.
struct Owner {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread{[this] { io.run(); }};
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Reception> receptions;
  std::vector<TxOutcome> outcomes;

  ~Owner() {
    work.reset();
    io.stop();
    thread.join();
  }

  BackendCallbacks callbacks() {
    BackendCallbacks c;
    c.on_reception = [this](Reception&& rx) {
      std::lock_guard lock(mutex);
      receptions.push_back(std::move(rx));
      changed.notify_all();
    };
    c.on_outcome = [this](const TxOutcome& outcome) {
      std::lock_guard lock(mutex);
      outcomes.push_back(outcome);
      changed.notify_all();
    };
    return c;
  }

  // Waits (at most 20 s, a bound against hanging, not a timing assertion) until `ready`.
  bool wait(const std::function<bool()>& ready) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 20s, ready);
  }
};

struct Fixture {
  test::TempDir dir;
  test::TestPki pki{dir};
  test::CertificateFiles station_cert = pki.client("station");
  test::CertificateFiles stranger_cert = pki.client("stranger");
  Owner owner;
  std::mutex credentials_mutex;
  std::map<lorawan::Eui64, StationCredential> credentials;
  std::unique_ptr<StationBackend> backend;

  explicit Fixture(bool tls = true, std::function<void(StationBackendOptions&)> adjust = {}) {
    credentials[kTokenGateway] = {CredentialKind::Token, sha256_of(kToken)};
    credentials[kCertGateway] = {CredentialKind::ClientCertificate,
                                 certificate_file_fingerprint(station_cert.certificate).value()};
    credentials[kOtherGateway] = {CredentialKind::Token, sha256_of(kToken + "-other")};
    StationBackendOptions options;
    options.bind = "127.0.0.1:0";
    if (tls) {
      options.tls_cert_file = pki.server().certificate;
      options.tls_key_file = pki.server().key;
    }
    options.public_host = "localhost";
    options.credentials = [this](lorawan::Eui64 eui) -> std::optional<StationCredential> {
      std::lock_guard lock(credentials_mutex);
      auto it = credentials.find(eui);
      if (it == credentials.end()) return std::nullopt;
      return it->second;
    };
    if (adjust) adjust(options);
    backend = std::make_unique<StationBackend>(lorawan::region_by_name("RU864").value(), options);
    REQUIRE(backend->start(owner.io, owner.callbacks()));
  }

  ~Fixture() { backend->stop(); }

  bool wait_counters(const std::function<bool(const StationCounters&)>& ready) {
    for (int i = 0; i < 2000; ++i) {
      if (ready(backend->station_counters())) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

// A station: a WebSocket client over TLS (or plain TCP), with a receive timeout so that a
// missing answer fails the test instead of hanging it.
class Station {
 public:
  struct Proof {
    std::string token;                             // sent as "Authorization: Bearer <token>" when set
    const test::CertificateFiles* cert = nullptr;  // presented as client certificate when set
  };

  Station(const Fixture& f, Proof proof, bool tls = true) : tls_(tls) {
    if (tls) {
      context_.load_verify_file(f.pki.ca_certificate());
      if (proof.cert) {
        context_.use_certificate_file(proof.cert->certificate, ssl::context::pem);
        context_.use_private_key_file(proof.cert->key, ssl::context::pem);
      }
      secure_.emplace(io_, context_);
    } else {
      plain_.emplace(io_);
    }
    token_ = proof.token;
    port_ = f.backend->port();
  }

  // Connects and upgrades; the HTTP status of the upgrade answer (101 when it succeeded).
  unsigned open(const std::string& path) {
    tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port_);
    websocket::response_type response;
    beast::error_code ec;
    const auto decorate = [this] {
      return websocket::stream_base::decorator([token = token_](websocket::request_type& request) {
        if (!token.empty()) request.set(beast::http::field::authorization, "Bearer " + token);
      });
    };
    if (secure_) {
      auto& socket = beast::get_lowest_layer(*secure_);
      socket.connect(server);
      set_timeout(socket);
      SSL_set_tlsext_host_name(secure_->next_layer().native_handle(), "localhost");
      secure_->next_layer().set_verify_mode(ssl::verify_peer);
      secure_->next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
      secure_->next_layer().handshake(ssl::stream_base::client, ec);
      if (ec) return 0;
      secure_->set_option(decorate());
      secure_->handshake(response, "localhost:" + std::to_string(port_), path, ec);
    } else {
      auto& socket = beast::get_lowest_layer(*plain_);
      socket.connect(server);
      set_timeout(socket);
      plain_->set_option(decorate());
      plain_->handshake(response, "localhost:" + std::to_string(port_), path, ec);
    }
    return ec ? 0 : response.result_int();
  }

  // Asks for the upgrade by hand and returns the HTTP status of the answer (Beast 1.74's client
  // handshake does not hand over a declined answer). The socket is not upgraded.
  unsigned refusal(const std::string& path) {
    tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port_);
    namespace http = beast::http;
    http::request<http::empty_body> request{http::verb::get, path, 11};
    request.set(http::field::host, "localhost:" + std::to_string(port_));
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::connection, "upgrade");
    request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    request.set(http::field::sec_websocket_version, "13");
    if (!token_.empty()) request.set(http::field::authorization, "Bearer " + token_);
    http::response<http::string_body> response;
    beast::flat_buffer buffer;
    beast::error_code ec;
    if (secure_) {
      auto& stream = secure_->next_layer();
      beast::get_lowest_layer(stream).connect(server);
      set_timeout(beast::get_lowest_layer(stream));
      SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
      stream.set_verify_mode(ssl::verify_peer);
      stream.handshake(ssl::stream_base::client, ec);
      if (ec) return 0;
      http::write(stream, request, ec);
      if (!ec) http::read(stream, buffer, response, ec);
    } else {
      auto& socket = plain_->next_layer();
      socket.connect(server);
      set_timeout(socket);
      http::write(socket, request, ec);
      if (!ec) http::read(socket, buffer, response, ec);
    }
    return ec ? 0 : response.result_int();
  }

  void send(const std::string& text) {
    if (secure_) {
      secure_->text(true);
      secure_->write(asio::buffer(text));
    } else {
      plain_->text(true);
      plain_->write(asio::buffer(text));
    }
  }

  // The next message, or nothing when the socket closed or nothing came within the timeout.
  std::optional<json> receive() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    if (secure_) {
      secure_->read(buffer, ec);
    } else {
      plain_->read(buffer, ec);
    }
    if (ec) return std::nullopt;
    return json::parse(beast::buffers_to_string(buffer.data()));
  }

  // The next message of type `msgtype`, skipping others.
  std::optional<json> receive(const std::string& msgtype) {
    for (int i = 0; i < 10; ++i) {
      auto message = receive();
      if (!message) return std::nullopt;
      if (message->value("msgtype", "") == msgtype) return message;
    }
    return std::nullopt;
  }

 private:
  static void set_timeout(tcp::socket& socket) {
    timeval timeout{10, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  bool tls_;
  asio::io_context io_;
  ssl::context context_{ssl::context::tls_client};
  std::optional<websocket::stream<beast::ssl_stream<tcp::socket>>> secure_;
  std::optional<websocket::stream<tcp::socket>> plain_;
  std::string token_;
  std::uint16_t port_ = 0;
};

std::string traffic(lorawan::Eui64 eui) { return "/traffic/" + format_eui_dashed(eui); }

const std::string kVersion =
    R"j({"msgtype":"version","station":"2.0.6(rpi/std)","firmware":null,"package":null,"model":"rpi","protocol":2,"features":"rmtsh"})j";

// An unconfirmed data uplink (FPort 1, one byte of payload) at 868.9 MHz, DR5 (SF7), xtime given.
std::string updf(std::uint64_t xtime, std::uint32_t fcnt = 1) {
  return R"({"msgtype":"updf","MHdr":64,"DevAddr":19088743,"FCtrl":0,"FCnt":)" + std::to_string(fcnt) +
         R"(,"FOpts":"","FPort":1,"FRMPayload":"a5","MIC":-12345678,"RefTime":0.0,"DR":5,"Freq":868900000,)"
         R"("upinfo":{"rctx":1,"xtime":)" +
         std::to_string(xtime) + R"(,"gpstime":0,"rssi":-57,"snr":9.25,"rxtime":1733500000.5}})";
}

Transmission immediate_downlink() {
  Transmission t;
  t.timing = Immediately{};
  t.frequency_hz = 869'100'000;
  t.power_dbm = 16;
  t.data_rate = LoraRate{12, 125};
  t.phy_payload = {0x60, 0x67, 0x45, 0x23, 0x01, 0x00, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04};
  t.dev_eui = 0x0011223344556677;
  return t;
}

std::string dntxed(std::uint64_t diid) {
  return R"({"msgtype":"dntxed","diid":)" + std::to_string(diid) +
         R"(,"DevEui":"00-11-22-33-44-55-66-77","rctx":0,"xtime":40000000000000000,"txtime":1733500001.0,"gpstime":0})";
}

}  // namespace

TEST_CASE("discovery answers a registered gateway with the traffic URI, an unknown one with an error") {
  Fixture f;
  const auto port = std::to_string(f.backend->port());
  {
    Station station(f, {.token = kToken});
    REQUIRE(station.open("/router-info") == 101);
    station.send(R"({"router":"b8-27-eb-ff-fe-e1-e3-9a"})");
    auto answer = station.receive();
    REQUIRE(answer);
    CHECK(answer->value("uri", "") == "wss://localhost:" + port + "/traffic/b8-27-eb-ff-fe-e1-e3-9a");
    CHECK_FALSE(answer->contains("error"));
  }
  {
    // The router in ID6 form, a gateway that authenticates by client certificate.
    Station station(f, {.cert = &f.station_cert});
    REQUIRE(station.open("/router-info") == 101);
    station.send(R"({"router":"16:c001:ff1e:b51"})");
    auto answer = station.receive();
    REQUIRE(answer);
    CHECK(answer->value("uri", "") == "wss://localhost:" + port + "/traffic/00-16-c0-01-ff-1e-0b-51");
  }
  {
    Station station(f, {.token = kToken});
    REQUIRE(station.open("/router-info") == 101);
    station.send(R"({"router":"aa555a00000000ff"})");
    auto answer = station.receive();
    REQUIRE(answer);
    CHECK(answer->contains("error"));
    CHECK_FALSE(answer->contains("uri"));
  }
  {
    // A registered gateway with the wrong token learns nothing either.
    Station station(f, {.token = "wrong-token-wrong-token"});
    REQUIRE(station.open("/router-info") == 101);
    station.send(R"({"router":"b827ebfffee1e39a"})");
    auto answer = station.receive();
    REQUIRE(answer);
    CHECK(answer->contains("error"));
    CHECK_FALSE(answer->contains("uri"));
  }
  const auto c = f.backend->station_counters();
  CHECK(c.discoveries_answered == 2);
  CHECK(c.refused_unknown_gateway == 1);
  CHECK(c.refused_credential == 1);
}

TEST_CASE("a wrong token, an unknown EUI or a wrong client certificate is refused before the upgrade") {
  Fixture f;
  CHECK(Station(f, {.token = "wrong-token-wrong-token"}).refusal(traffic(kTokenGateway)) == 401);
  CHECK(Station(f, {}).refusal(traffic(kTokenGateway)) == 401);
  CHECK(Station(f, {.token = kToken}).refusal(traffic(kUnknownGateway)) == 403);
  CHECK(Station(f, {.cert = &f.stranger_cert}).refusal(traffic(kCertGateway)) == 401);
  CHECK(Station(f, {.token = kToken}).refusal(traffic(kCertGateway)) == 401);  // a token where a certificate is due
  CHECK(Station(f, {.token = kToken}).refusal("/elsewhere") == 404);
  // Beast's own client sees the upgrade declined.
  CHECK(Station(f, {.token = "wrong-token-wrong-token"}).open(traffic(kTokenGateway)) == 0);
  const auto c = f.backend->station_counters();
  CHECK(c.refused_credential == 5);
  CHECK(c.refused_unknown_gateway == 1);
  CHECK(c.refused_handshake == 1);  // the unknown path
  CHECK(c.connections_accepted == 0);
  // The right credentials pass.
  CHECK(Station(f, {.token = kToken}).open(traffic(kTokenGateway)) == 101);
  CHECK(Station(f, {.cert = &f.station_cert}).open(traffic(kCertGateway)) == 101);
  CHECK(f.wait_counters([](const auto& counters) { return counters.connections_accepted == 2; }));
}

TEST_CASE("version is answered with router_config, updf reaches on_reception, timesync is answered") {
  Fixture f;
  Station station(f, {.token = kToken});
  REQUIRE(station.open(traffic(kTokenGateway)) == 101);
  station.send(kVersion);
  auto config = station.receive("router_config");
  REQUIRE(config);
  CHECK(config->contains("sx1301_conf"));
  CHECK(config->contains("hwspec"));

  const std::uint64_t xtime = 0x0001'0000'1234'5678ull;  // above 2^48: the session bits are kept
  station.send(updf(xtime));
  REQUIRE(f.owner.wait([&] { return f.owner.receptions.size() == 1; }));
  {
    std::lock_guard lock(f.owner.mutex);
    const auto& rx = f.owner.receptions[0];
    CHECK(rx.gateway_eui == kTokenGateway);
    CHECK(rx.counter.context == xtime);
    CHECK(rx.counter.counter_us == (xtime & kXtimeCounterMask));
    CHECK(rx.frequency_hz == 868'900'000);
    CHECK(rx.phy_payload.size() == 14);  // MHDR + FHDR(7) + FPort + 1 byte + MIC
  }
  station.send(R"({"msgtype":"timesync","txtime":123456789})");
  auto timesync = station.receive("timesync");
  REQUIRE(timesync);
  CHECK((*timesync)["txtime"] == 123456789);
  CHECK((*timesync)["gpstime"].get<std::uint64_t>() > 1'000'000'000'000'000ull);

  auto connections = f.backend->connections();
  REQUIRE(connections.size() == 1);
  CHECK(connections[0].gateway_eui == kTokenGateway);
  CHECK(connections[0].station_version == "2.0.6(rpi/std)");
}

TEST_CASE("send writes a dnmsg named by its diid; dntxed is the Ok outcome, a late one is only counted") {
  Fixture f;
  CHECK_FALSE(f.backend->send(kTokenGateway, immediate_downlink()));  // not connected
  Station station(f, {.token = kToken});
  REQUIRE(station.open(traffic(kTokenGateway)) == 101);
  REQUIRE(f.wait_counters([](const auto& c) { return c.connections_open == 1; }));
  auto id = f.backend->send(kTokenGateway, immediate_downlink());
  REQUIRE(id);
  auto dnmsg = station.receive("dnmsg");
  REQUIRE(dnmsg);
  CHECK((*dnmsg)["diid"].get<std::uint64_t>() == *id);
  station.send(dntxed(*id));
  REQUIRE(f.owner.wait([&] { return f.owner.outcomes.size() == 1; }));
  {
    std::lock_guard lock(f.owner.mutex);
    CHECK(f.owner.outcomes[0].ok());
    CHECK(f.owner.outcomes[0].id == *id);
    CHECK(f.owner.outcomes[0].gateway_eui == kTokenGateway);
  }
  station.send(dntxed(*id));  // again: no second outcome
  REQUIRE(f.wait_counters([](const auto& c) { return c.dntxed_late == 1; }));
  CHECK(f.backend->station_counters().dntxed == 1);
  std::lock_guard lock(f.owner.mutex);
  CHECK(f.owner.outcomes.size() == 1);
}

TEST_CASE("a downlink without dntxed within its bound fails; a dntxed after that is counted, not delivered") {
  Fixture f(true, [](StationBackendOptions& o) { o.dntxed_margin = 300ms; });
  Station station(f, {.token = kToken});
  REQUIRE(station.open(traffic(kTokenGateway)) == 101);
  REQUIRE(f.wait_counters([](const auto& c) { return c.connections_open == 1; }));
  auto id = f.backend->send(kTokenGateway, immediate_downlink());
  REQUIRE(id);
  REQUIRE(station.receive("dnmsg"));
  REQUIRE(f.owner.wait([&] { return f.owner.outcomes.size() == 1; }));
  {
    std::lock_guard lock(f.owner.mutex);
    CHECK_FALSE(f.owner.outcomes[0].ok());
    CHECK(f.owner.outcomes[0].status == TxStatus::InternalError);
    CHECK_THAT(f.owner.outcomes[0].detail, Catch::StartsWith("no dntxed within"));
    CHECK(f.owner.outcomes[0].unanswered);
  }
  station.send(dntxed(*id));
  REQUIRE(f.wait_counters([](const auto& c) { return c.dntxed_late == 1; }));
  CHECK(f.backend->station_counters().dntxed_timeouts == 1);
  std::lock_guard lock(f.owner.mutex);
  CHECK(f.owner.outcomes.size() == 1);
}

TEST_CASE("a reconnect of the same gateway replaces the old socket and fails what it awaited") {
  Fixture f;
  Station first(f, {.token = kToken});
  REQUIRE(first.open(traffic(kTokenGateway)) == 101);
  REQUIRE(f.wait_counters([](const auto& c) { return c.connections_open == 1; }));
  auto pending = f.backend->send(kTokenGateway, immediate_downlink());
  REQUIRE(pending);
  REQUIRE(first.receive("dnmsg"));

  Station second(f, {.token = kToken});
  REQUIRE(second.open(traffic(kTokenGateway)) == 101);
  REQUIRE(f.wait_counters([](const auto& c) { return c.connections_replaced == 1; }));
  CHECK_FALSE(first.receive());  // closed by the server
  REQUIRE(f.owner.wait([&] { return f.owner.outcomes.size() == 1; }));
  {
    std::lock_guard lock(f.owner.mutex);
    CHECK(f.owner.outcomes[0].id == *pending);
    CHECK_FALSE(f.owner.outcomes[0].ok());
  }
  // The new socket carries everything.
  second.send(kVersion);
  CHECK(second.receive("router_config"));
  second.send(updf(1000));
  REQUIRE(f.owner.wait([&] { return f.owner.receptions.size() == 1; }));
  auto id = f.backend->send(kTokenGateway, immediate_downlink());
  REQUIRE(id);
  CHECK(second.receive("dnmsg"));
  CHECK(f.backend->station_counters().connections_open == 1);
}

TEST_CASE("an oversized message closes that socket and garbage is dropped; other gateways keep working") {
  Fixture f(true, [](StationBackendOptions& o) { o.max_message_bytes = 4096; });
  Station hostile(f, {.token = kToken});
  REQUIRE(hostile.open(traffic(kTokenGateway)) == 101);
  Station noisy(f, {.cert = &f.station_cert});
  REQUIRE(noisy.open(traffic(kCertGateway)) == 101);

  hostile.send(std::string(10'000, 'x'));
  CHECK_FALSE(hostile.receive());  // closed
  REQUIRE(f.wait_counters([](const auto& c) { return c.messages_oversized == 1; }));

  noisy.send("{not json");
  noisy.send(R"({"msgtype":"getxtime"})");
  noisy.send(R"({"msgtype":"updf","DevAddr":"nonsense"})");
  noisy.send(kVersion);
  CHECK(noisy.receive("router_config"));  // still served
  noisy.send(updf(2000));
  REQUIRE(f.owner.wait([&] { return f.owner.receptions.size() == 1; }));
  const auto c = f.backend->station_counters();
  CHECK(c.messages_malformed == 2);
  CHECK(c.messages_unknown_type == 1);
  CHECK(c.connections_open == 1);
  // The closed gateway is still listed for the operator, as not connected, and takes no downlink.
  auto connections = f.backend->connections();
  REQUIRE(connections.size() == 2);
  CHECK(connections[0].gateway_eui == kCertGateway);
  CHECK(connections[0].connected);
  CHECK(connections[1].gateway_eui == kTokenGateway);
  CHECK_FALSE(connections[1].connected);
  CHECK_FALSE(f.backend->send(kTokenGateway, immediate_downlink()));
}

TEST_CASE("a peer that never completes its handshake is dropped and blocks no one") {
  Fixture f(true, [](StationBackendOptions& o) { o.handshake_timeout = 500ms; });
  asio::io_context io;
  tcp::socket slow(io);
  slow.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), f.backend->port()));  // then silence
  Station station(f, {.token = kToken});
  REQUIRE(station.open(traffic(kTokenGateway)) == 101);
  station.send(kVersion);
  CHECK(station.receive("router_config"));
  REQUIRE(f.wait_counters([](const auto& c) { return c.refused_handshake == 1; }));
}

TEST_CASE("without TLS only the EUI is checked") {
  Fixture f(false);
  CHECK(Station(f, {}, false).refusal(traffic(kUnknownGateway)) == 403);
  Station station(f, {}, false);
  REQUIRE(station.open("/router-info") == 101);
  station.send(R"({"router":"b827ebfffee1e39a"})");
  auto answer = station.receive();
  REQUIRE(answer);
  CHECK(answer->value("uri", "") ==
        "ws://localhost:" + std::to_string(f.backend->port()) + "/traffic/b8-27-eb-ff-fe-e1-e3-9a");
  Station traffic_socket(f, {}, false);
  CHECK(traffic_socket.open(traffic(kTokenGateway)) == 101);
}
