// Two real uchetd on one PostgreSQL (docs/deployment.md, layout 3), downlink side: a gateway
// whose PULL_DATA reaches instance B while its uplinks reach instance A (as a UDP load balancer
// may split them) gets A's answers through B — join-accept, the ACK of a confirmed uplink with a
// queued payload — and the gateway's TX_ACK comes back to A as the txack event; with B killed,
// A reports the downlink as failed, never as sent; a class C queue item delivered by two
// instances that both heard the device goes on air once. Registered for PostgreSQL only.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <exception>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "netserver/lorawan/encoding.h"
#include "tests/e2e/cluster_instance.h"
#include "tests/e2e/network_fixture.h"
#include "tests/support/http_client.h"

using namespace uchet;
using namespace uchet::test;

namespace {

constexpr lorawan::Eui64 kDevEui = 0x00c1a5ce00000001;

// Instance B: a second uchetd on the fixture's database and broker, holding `probe`'s path.
class SecondInstance : public ClusterInstance {
 public:
  SecondInstance(NetworkUnderTest& net, lorawan::Eui64 probe)
      : ClusterInstance(net, "instance-b", "uchetd-e2e-b", probe) {}
};

sim::GatewayOptions by_hand(std::uint32_t counter_start) {
  sim::GatewayOptions options;
  options.keepalive = 0ms;  // PULL_DATA only when the test says so
  options.counter_start = counter_start;
  return options;
}

// Waits until gateway_path names `instances` distinct holders for `gateways` rows.
bool paths_settled(NetworkUnderTest& net, long long gateways) {
  return eventually([&] { return net.sql_count("SELECT COUNT(*) FROM gateway_path") == gateways; }, 5s);
}

std::string holder(NetworkUnderTest& net, lorawan::Eui64 gateway) {
  return net.sql("SELECT instance FROM gateway_path WHERE gateway_eui = '" + lorawan::eui64_to_string(gateway) + "'");
}

// One sample of an instance's /metrics ("name{labels}"), -1 when absent or unanswered.
double metric(int http_port, const std::string& series) {
  const auto reply = http_get(http_port, "/metrics");
  return reply.status == 200 ? metric_sample(reply.body, series) : -1;
}

// The join through a gateway whose uplinks reach A (`up`) and whose PULL_DATA reached B (`down`):
// A accepts it, B transmits the join-accept (5 s after the request, on the gateway's counter),
// nothing goes through A's socket.
void join_split(sim::SimulatedDevice& device, sim::SimulatedGateway& up, sim::SimulatedGateway& down) {
  auto request = up.push(device.join_request(), heard());
  REQUIRE(request.acked);
  auto accept = down.wait_downlink(8s);
  REQUIRE(accept);
  CHECK(accept->tmst() == static_cast<std::uint32_t>(request.tmst + 5'000'000));
  REQUIRE(device.accept_join(accept->txpk.phy_payload));
  CHECK_FALSE(up.wait_downlink(200ms));
}

}  // namespace

TEST_CASE("A's answers to a gateway whose path B holds leave through B, and B's TX_ACK reaches A's events") {
  REQUIRE(testing_postgresql());
  sim::SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;  // instance A, holding kGateway1's path (its start-up probe)
  net.add_device(device.identity());
  net.start();
  SecondInstance b(net, kGateway2);  // instance B, holding kGateway2's path
  REQUIRE(paths_settled(net, 2));
  INFO("instance A: " << holder(net, kGateway1) << ", instance B: " << holder(net, kGateway2));
  REQUIRE(holder(net, kGateway1) != holder(net, kGateway2));

  // kGateway2's PULL_DATA goes to B, its uplinks to A (one concentrator, two sockets).
  sim::SimulatedGateway down(kGateway2, b.bridge(), by_hand(1'000'000));
  sim::SimulatedGateway up(kGateway2, net.bridge(), by_hand(1'000'000));
  REQUIRE(down.pull(1s));

  join_split(device, up, down);

  // A confirmed uplink with a payload queued: the answer (ACK + payload) in RX1 through B.
  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "5", "--hex", "0a0b"});
  auto frame = device.uplink({.confirmed = true, .fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  auto sent = up.push(*frame, heard());
  REQUIRE(sent.acked);
  auto answer = down.wait_downlink(3s);
  REQUIRE(answer);
  CHECK(answer->tmst() == static_cast<std::uint32_t>(sent.tmst + 1'000'000));
  auto received = device.receive_downlink(answer->txpk.phy_payload);
  INFO("answer: " << describe(*answer, received));
  REQUIRE(received);
  CHECK(received->fctrl.ack);
  CHECK(received->fport == std::optional<std::uint8_t>(5));
  CHECK(lorawan::to_hex(received->payload) == "0a0b");

  // B's TX_ACK (the simulated gateway answers every PULL_RESP) is A's txack event.
  auto txacks = net.wait_events("txack", kDevEui, 1, 5s);
  REQUIRE(txacks.size() >= 1);
  CHECK(txacks.front()["gatewayId"] == lorawan::eui64_to_string(kGateway2));
  CHECK(txacks.front()["fCntDown"] == received->fcnt);
  CHECK(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM downlink_queue") == 0; }, 3s));
  CHECK(net.sql_count("SELECT COUNT(*) FROM relayed_downlink") == 0);  // answered and cleaned up

  // The relay's counters on both instances' /metrics: A relayed the join-accept and the answer
  // and heard both sent; B took both and handed both to the gateway, refusing none.
  CHECK(metric(net.http_port(), "uchet_relayed_downlinks_total{stage=\"relayed\"}") == 2);
  CHECK(metric(net.http_port(), "uchet_relayed_downlinks_total{stage=\"sent\"}") == 2);
  CHECK(metric(net.http_port(), "uchet_relayed_downlinks_total{stage=\"no_outcome\"}") == 0);
  CHECK(metric(net.http_port(), "uchet_held_relayed_downlinks_total{stage=\"taken\"}") == 0);
  CHECK(metric(b.http_port(), "uchet_held_relayed_downlinks_total{stage=\"taken\"}") == 2);
  CHECK(metric(b.http_port(), "uchet_held_relayed_downlinks_total{stage=\"sent\"}") == 2);
  CHECK(metric(b.http_port(), "uchet_held_relayed_downlinks_total{stage=\"too_late\"}") == 0);
  CHECK(metric(b.http_port(), "uchet_held_relayed_downlinks_total{stage=\"refused_timeline\"}") == 0);
  CHECK(metric(b.http_port(), "uchet_relayed_downlinks_total{stage=\"relayed\"}") == 0);
}

TEST_CASE("with the instance holding the path killed, A reports the relayed downlink failed and requeues it") {
  REQUIRE(testing_postgresql());
  sim::SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  net.add_device(device.identity());
  net.start();
  auto b = std::make_unique<SecondInstance>(net, kGateway2);
  REQUIRE(paths_settled(net, 2));
  sim::SimulatedGateway down(kGateway2, b->bridge(), by_hand(1'000'000));
  sim::SimulatedGateway up(kGateway2, net.bridge(), by_hand(1'000'000));
  REQUIRE(down.pull(1s));
  join_split(device, up, down);

  CHECK(b->kill(SIGKILL) == -SIGKILL);  // its path row stays fresh for a while: A still relays to it
  net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "5", "--hex", "0a0b"});
  auto frame = device.uplink({.fport = 2, .payload = {0x01}});
  REQUIRE(frame);
  REQUIRE(up.push(*frame, heard()).acked);
  REQUIRE(net.wait_events("up", kDevEui, 1, 3s).size() == 1);

  // RX1 at +1 s, RX2 at +2 s, each given up 5 s after its moment: a DOWNLINK_GATEWAY log, no
  // txack, and the payload back in the queue for the next opportunity.
  auto logged = [&] {
    for (const auto& log : net.events("log", kDevEui))
      if (log["code"] == "DOWNLINK_GATEWAY") return true;
    return false;
  };
  CHECK(eventually(logged, 15s));
  CHECK(net.events("txack", kDevEui).empty());
  CHECK(
      eventually([&] { return net.sql_count("SELECT COUNT(*) FROM downlink_queue WHERE sent_at IS NULL") == 1; }, 5s));
  CHECK_FALSE(down.wait_downlink(200ms));
  CHECK_FALSE(up.wait_downlink(200ms));
  // Counted on A's /metrics as relayed without an outcome, never as sent.
  CHECK(metric(net.http_port(), "uchet_relayed_downlinks_total{stage=\"no_outcome\"}") >= 1);
  CHECK(metric(net.http_port(), "uchet_relayed_downlinks_total{stage=\"sent\"}") == 1);  // the join-accept
}

TEST_CASE("a class C queue item that two instances could deliver goes on air once") {
  REQUIRE(testing_postgresql());
  sim::SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  net.add_device(device.identity(), {"--class", "C"});
  net.start();
  sim::SimulatedGateway at_a(kGateway1, net.bridge(), by_hand(1'000'000));
  REQUIRE(at_a.pull(1s));
  auto request = at_a.push(device.join_request(), heard());
  REQUIRE(request.acked);
  auto accept = at_a.wait_downlink(8s);
  REQUIRE(accept);
  REQUIRE(device.accept_join(accept->txpk.phy_payload));
  // B starts after the join and so loads the device's session (a session made on another
  // instance while B runs reaches B through the uplink side's reload, not tested here).
  SecondInstance b(net, kGateway2);
  REQUIRE(paths_settled(net, 2));
  sim::SimulatedGateway at_b(kGateway2, b.bridge(), by_hand(2'000'000));
  REQUIRE(at_b.pull(1s));

  // One uplink through each instance: both know the device's last gateway (A: kGateway1, B:
  // kGateway2) and both deliver its class C queue from their registry poll.
  for (auto* gateway : {&at_a, &at_b}) {
    auto frame = device.uplink({.fport = 2, .payload = {0x01}});
    REQUIRE(frame);
    REQUIRE(gateway->push(*frame, heard()).acked);
    std::this_thread::sleep_for(500ms);
  }
  // Their class A windows and the join-accept's pass first.
  std::this_thread::sleep_for(5500ms);
  at_a.take_downlinks();
  at_b.take_downlinks();

  for (int item = 0; item < 5; ++item) {
    net.ctl({"device", "enqueue", lorawan::eui64_to_string(kDevEui), "--fport", "3", "--hex",
             fmt::format("c0ffee{:02x}", item)});
  }
  REQUIRE(eventually([&] { return net.sql_count("SELECT COUNT(*) FROM downlink_queue") == 0; }, 15s));
  std::this_thread::sleep_for(1500ms);  // a second copy would have gone out by now
  // Whichever instance sent each, in FCntDown order (bytes 6-7 of the PHYPayload, little-endian):
  // the device takes each only with a FCntDown above the last.
  std::vector<sim::GatewayDownlink> downlinks;
  for (auto* gateway : {&at_a, &at_b})
    for (auto& downlink : gateway->take_downlinks()) downlinks.push_back(std::move(downlink));
  const auto f_cnt = [](const sim::GatewayDownlink& d) {
    const auto& p = d.txpk.phy_payload;
    return p.size() > 7 ? p[6] | p[7] << 8 : -1;
  };
  std::sort(downlinks.begin(), downlinks.end(), [&](const auto& x, const auto& y) { return f_cnt(x) < f_cnt(y); });
  std::vector<std::string> payloads;
  for (const auto& downlink : downlinks) {
    auto received = device.receive_downlink(downlink.txpk.phy_payload);
    INFO("downlink: " << describe(downlink, received));
    CHECK(received);
    if (received) payloads.push_back(lorawan::to_hex(received->payload));
  }
  std::sort(payloads.begin(), payloads.end());
  CHECK(payloads == std::vector<std::string>{"c0ffee00", "c0ffee01", "c0ffee02", "c0ffee03", "c0ffee04"});
}

TEST_CASE("an instance whose listening connection is terminated LISTENs again and still sends what is relayed to it") {
  REQUIRE(testing_postgresql());
  sim::SimulatedDevice device(otaa_device(kDevEui));
  NetworkUnderTest net;
  net.add_device(device.identity());
  net.start();
  SecondInstance b(net, kGateway2);
  REQUIRE(paths_settled(net, 2));
  sim::SimulatedGateway down(kGateway2, b.bridge(), by_hand(1'000'000));
  sim::SimulatedGateway up(kGateway2, net.bridge(), by_hand(1'000'000));
  REQUIRE(down.pull(1s));

  // Each relay's notification connection, by the application_name it sets: both are cut (B's
  // carries the downlinks to send, A's their outcomes), as a server restart or a proxy would.
  // (pg_stat_activity shows the whole cluster: other tests' databases are on it too.)
  const std::string listener = "datname = current_database() AND application_name LIKE 'uchetd % relay listener'";
  REQUIRE(
      eventually([&] { return net.sql_count("SELECT COUNT(*) FROM pg_stat_activity WHERE " + listener) == 2; }, 5s));
  const auto before = net.sql("SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE " + listener);
  REQUIRE(net.sql_count("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE " + listener) == 2);
  // Both open their connection again under the same name, as new backends, and LISTEN again
  // (their last statement).
  REQUIRE(eventually(
      [&] {
        return net.sql_count("SELECT COUNT(*) FROM pg_stat_activity WHERE " + listener +
                             " AND query LIKE 'LISTEN %' AND pid NOT IN (" + before + ")") == 2;
      },
      5s));

  // A relays the join-accept to B, which goes on air through B; A hears its outcome.
  join_split(device, up, down);
  CHECK(eventually([&] { return metric(net.http_port(), "uchet_relayed_downlinks_total{stage=\"sent\"}") == 1; }, 3s));
  CHECK(metric(b.http_port(), "uchet_held_relayed_downlinks_total{stage=\"sent\"}") == 1);
  // The drop was counted and logged on both.
  CHECK(metric(net.http_port(), "uchet_relay_listen_reconnects_total") == 1);
  CHECK(metric(b.http_port(), "uchet_relay_listen_reconnects_total") == 1);
  CHECK_THAT(b.log(), Catch::Contains("listening connection dropped and was opened again"));
  CHECK_THAT(net.uchetd_log(), Catch::Contains("listening connection dropped and was opened again"));
}
