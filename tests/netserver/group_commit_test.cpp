// Group commit in the network server, against a real SQLite file: the frames whose dedup windows
// close in one pass share one transaction, a frame whose processing throws is rolled back alone,
// and the publisher wake-up and downlinks come only after the commit. Also the downlink-queue
// snapshot that spares most uplinks their queue lookups.
#include <catch2/catch.hpp>

#include <boost/asio.hpp>

#include <set>
#include <thread>

#include "netserver/lorawan/data_frame.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/mic.h"
#include "netserver/lorawan/payload_crypto.h"
#include "netserver/lorawan/region.h"
#include "netserver/network_server.h"
#include "netserver/scheduling/downlink_scheduler.h"
#include "schema/applications.h"
#include "schema/devices.h"
#include "schema/downlink_queue.h"
#include "schema/sessions.h"
#include "schema/statement.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet;
using namespace std::chrono_literals;

namespace {

constexpr lorawan::Eui64 kGateway = 0xAA555A0000000001;

long long count(schema::Database& db, const std::string& sql) {
  schema::Statement q(db, sql);
  REQUIRE(q.step());
  return q.int64(0);
}

struct AbpDevice {
  lorawan::Eui64 dev_eui;
  lorawan::DevAddr dev_addr;
  lorawan::Key nwk_s_key{}, app_s_key{};
};

AbpDevice abp_device(int n) {
  AbpDevice d{0x70b3d57ed0001000 + static_cast<lorawan::Eui64>(n), 0x26000000u + static_cast<lorawan::DevAddr>(n)};
  d.nwk_s_key.fill(static_cast<std::uint8_t>(0x10 + n));
  d.app_s_key.fill(static_cast<std::uint8_t>(0x40 + n));
  return d;
}

// A downlink for `d` as uchetctl queues it.
schema::QueueItem queue_item(const AbpDevice& d, std::uint8_t f_port, lorawan::Bytes data, bool confirmed = false) {
  schema::QueueItem item;
  item.dev_eui = d.dev_eui;
  item.f_port = f_port;
  item.data = std::move(data);
  item.confirmed = confirmed;
  return item;
}

void provision(schema::Database& db, const AbpDevice& d, std::int64_t application_id) {
  schema::Device device;
  device.dev_eui = d.dev_eui;
  device.application_id = application_id;
  device.abp = true;
  device.created_at = schema::unix_now();
  schema::insert_device(db, device, schema::AbpSession{d.dev_addr, d.nwk_s_key, d.app_s_key});
}

gateway_bridge::Reception uplink(const AbpDevice& d, std::uint32_t fcnt, bool confirmed, std::uint32_t tmst,
                                 lorawan::Bytes payload = {0x01, 0x02}) {
  lorawan::DataFrame f;
  f.mhdr.mtype = confirmed ? lorawan::MType::ConfirmedDataUp : lorawan::MType::UnconfirmedDataUp;
  f.dev_addr = d.dev_addr;
  f.fcnt16 = static_cast<std::uint16_t>(fcnt);
  f.fport = 2;
  f.frm_payload = lorawan::encrypt_frm_payload(d.app_s_key, lorawan::Direction::Uplink, d.dev_addr, fcnt, payload);
  auto bytes = lorawan::build_data_frame(f);
  REQUIRE(bytes);
  lorawan::set_mic(*bytes, lorawan::data_mic_10(d.nwk_s_key, lorawan::Direction::Uplink, d.dev_addr, fcnt,
                                                lorawan::mic_message(*bytes)));
  gateway_bridge::Reception rx;
  rx.gateway_eui = kGateway;
  rx.counter = gateway_bridge::CounterTime{tmst, tmst};
  rx.frequency_hz = 868'100'000;
  rx.rssi_dbm = -80;
  rx.snr_db = 7.0;
  rx.data_rate = gateway_bridge::LoraRate{7, 125};
  rx.phy_payload = std::move(*bytes);
  return rx;
}

// Writes one outbox row per uplink (as the application server does) and throws for one device,
// after writing, so that only a rollback can remove its row. Checks through a second connection
// that what it is told about was committed first.
struct Sink : netserver::EventSink {
  schema::Database& observer;
  lorawan::Eui64 failing = 0;
  int committed_calls = 0, rolled_back_calls = 0;
  long long outbox_seen_at_commit = -1;
  explicit Sink(schema::Database& o) : observer(o) {}

  void uplink(schema::UnitOfWork& work, const netserver::UplinkEvent& e) override {
    schema::Statement(work, "INSERT INTO outbox (topic, payload, created_at) VALUES (?, '{}', 0)")
        .bind(1, lorawan::eui64_to_string(e.device->dev_eui) + "/up/" + std::to_string(e.f_cnt))
        .run();
    if (e.device->dev_eui == failing) throw schema::StorageError("sink failure for this frame");
  }
  void joined(schema::UnitOfWork&, const netserver::JoinEvent&) override {}
  void status(schema::UnitOfWork&, const netserver::StatusEvent&) override {}
  // (queue item id, acknowledged) of each ack; (code, queueItemId context) of each log.
  std::vector<std::pair<std::string, bool>> acks;
  std::vector<std::pair<std::string, std::string>> logs;
  void ack(schema::UnitOfWork&, const netserver::AckEvent& e) override {
    acks.emplace_back(e.queue_item_id, e.acknowledged);
  }
  void tx_ack(schema::UnitOfWork&, const netserver::TxAckEvent&) override {}
  void log(schema::UnitOfWork&, const netserver::LogEvent& e) override {
    logs.emplace_back(e.code, e.context.empty() ? "" : e.context.front().second);
  }
  void committed() override {
    ++committed_calls;
    outbox_seen_at_commit = count(observer, "SELECT COUNT(*) FROM outbox");
  }
  void rolled_back() override { ++rolled_back_calls; }
};

// The gateway backend as the network server sees it: `send` is all it uses.
struct Gateways : gateway_bridge::GatewayBackend {
  std::function<lorawan::Result<gateway_bridge::TransmissionId>(lorawan::Eui64, const gateway_bridge::Transmission&)>
      on_send;
  lorawan::Result<void> start(boost::asio::io_context&, gateway_bridge::BackendCallbacks) override { return {}; }
  void stop() override {}
  lorawan::Result<gateway_bridge::TransmissionId> send(lorawan::Eui64 gateway,
                                                       const gateway_bridge::Transmission& transmission) override {
    return on_send(gateway, transmission);
  }
  gateway_bridge::BackendCounters counters() const override { return {}; }
};

struct Fixture {
  test::TempDir dir;
  schema::Database db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  schema::Database observer = schema::Database::open(uchet::test::test_database_location(dir.path()));
  boost::asio::io_context io;
  Sink sink{observer};
  std::vector<AbpDevice> devices;
  // f_cnt_up of each device as committed when a downlink left, by DevEUI.
  std::vector<std::pair<lorawan::Eui64, long long>> downlinks;
  // Gateways the bridge reports without a downlink path, and each accepted send's gateway and
  // RX1 counter.
  std::set<lorawan::Eui64> offline_gateways;
  std::vector<std::pair<lorawan::Eui64, std::uint64_t>> sent_via;
  std::vector<gateway_bridge::TransmissionId> sent_tokens;  // what each accepted send returned
  std::vector<std::size_t> sent_sizes;                      // PHYPayload size of each accepted send
  Gateways gateways;
  std::unique_ptr<netserver::NetworkServer> ns;

  // dev_status_max_per_s > 0: DevStatusReq due for every session (daily), at most that many per second.
  // duty_cycle: limits replacing the region's (NetworkSettings::duty_cycle).
  explicit Fixture(std::chrono::milliseconds dedup_window = 20ms, double dev_status_max_per_s = 0,
                   std::vector<std::pair<std::string, double>> duty_cycle = {}) {
    auto app = schema::insert_application(db, "water", "");
    for (int n = 1; n <= 3; ++n) {
      devices.push_back(abp_device(n));
      provision(db, devices.back(), app);
    }
    netserver::NetworkSettings settings{.region = *lorawan::region_by_name("EU868")};
    settings.dedup_window = dedup_window;
    settings.dev_status_interval = 0s;  // no DevStatusReq: only confirmed uplinks get a downlink
    // The tests count commits per pass: a pass of three frames must not be split because a
    // loaded machine took longer than the 2 ms a backlog is committed by.
    settings.max_batch_age = 10s;
    settings.duty_cycle = std::move(duty_cycle);
    if (dev_status_max_per_s > 0) {
      settings.dev_status_interval = 24h;
      settings.dev_status_max_per_s = dev_status_max_per_s;
    }
    gateways.on_send =
        [this](lorawan::Eui64 gateway,
               const gateway_bridge::Transmission& packet) -> lorawan::Result<gateway_bridge::TransmissionId> {
      if (offline_gateways.contains(gateway)) return std::unexpected("gateway has no downlink path");
      const auto* at = std::get_if<gateway_bridge::CounterTime>(&packet.timing);
      sent_via.emplace_back(gateway, at ? at->counter_us : 0);
      sent_sizes.push_back(packet.phy_payload.size());
      // Which device: the one whose session just committed a new FCntDown.
      schema::Statement q(observer, "SELECT dev_eui, f_cnt_up FROM device_session WHERE n_f_cnt_down > 0");
      while (q.step()) downlinks.emplace_back(*lorawan::parse_eui64(q.text(0)), q.int64(1));
      sent_tokens.push_back(sent_tokens.size() + 1);
      return sent_tokens.back();
    };
    ns = std::make_unique<netserver::NetworkServer>(io, db, settings, sink, gateways);
    ns->start();
  }
  ~Fixture() { ns->stop(); }

  // The io loop is not running while the test hands over uplinks: after this pause every dedup
  // window has ended, so the first pass of the timer closes them all.
  void run() {
    std::this_thread::sleep_for(40ms);
    io.run_for(150ms);
  }
  // Queues a downlink as uchetctl does: on its own connection, while the network server runs.
  std::int64_t enqueue(const schema::QueueItem& item) {
    schema::Transaction tx(observer);
    const auto id = schema::enqueue_downlink(observer, item);
    tx.commit();
    return id;
  }
  // The gateway's outcome for the send that got `token`.
  void tx_ack(lorawan::Eui64 gateway, gateway_bridge::TransmissionId token, gateway_bridge::TxStatus status) {
    ns->handle_outcome(gateway_bridge::TxOutcome{.gateway_eui = gateway, .id = token, .status = status});
  }
  long long f_cnt_up(const AbpDevice& d) {
    return count(observer,
                 "SELECT f_cnt_up FROM device_session WHERE dev_eui = '" + lorawan::eui64_to_string(d.dev_eui) + "'");
  }
};

}  // namespace

TEST_CASE("frames closing in one pass share one commit, a frame that throws is rolled back alone") {
  Fixture f;
  f.sink.failing = f.devices[1].dev_eui;
  for (std::size_t i = 0; i < f.devices.size(); ++i) {
    f.ns->handle_uplink(uplink(f.devices[i], 0, false, 1'000'000 * static_cast<std::uint32_t>(i + 1)));
  }
  f.run();
  CHECK(f.ns->counters().frames == 3);
  CHECK(f.ns->counters().uplinks_accepted == 2);
  CHECK(f.ns->counters().storage_failures == 1);
  CHECK(f.sink.rolled_back_calls == 1);
  // One transaction for the pass: the publisher is woken once, when both frames are visible.
  CHECK(f.sink.committed_calls == 1);
  CHECK(f.sink.outbox_seen_at_commit == 2);
  CHECK(count(f.observer, "SELECT COUNT(*) FROM outbox WHERE topic LIKE '%/up/0'") == 2);
  CHECK(f.f_cnt_up(f.devices[0]) == 1);
  CHECK(f.f_cnt_up(f.devices[1]) == 0);  // nothing of the failed frame was stored
  CHECK(f.f_cnt_up(f.devices[2]) == 1);

  // The failed frame left no trace in memory either: FCnt 0 is still expected from the device (a
  // different payload, or the deduplicator would take it for a late copy of the failed frame).
  f.sink.failing = 0;
  f.ns->handle_uplink(uplink(f.devices[1], 0, false, 9'000'000, {0x03}));
  f.run();
  CHECK(f.f_cnt_up(f.devices[1]) == 1);
  CHECK(f.ns->counters().uplinks_accepted == 3);
}

TEST_CASE("a class A answer leaves only after its frame is committed, without waiting for the rest of the pass") {
  Fixture f;
  // Device 1 sends a confirmed uplink (its ACK is a downlink), devices 2 and 3 unconfirmed ones.
  f.ns->handle_uplink(uplink(f.devices[0], 0, true, 1'000'000));
  f.ns->handle_uplink(uplink(f.devices[1], 0, false, 2'000'000));
  f.ns->handle_uplink(uplink(f.devices[2], 0, false, 3'000'000));
  f.run();
  REQUIRE(f.downlinks.size() == 1);
  CHECK(f.downlinks[0].first == f.devices[0].dev_eui);
  CHECK(f.downlinks[0].second == 1);  // its frame was committed before the ACK went out
  CHECK(f.ns->counters().downlinks_sent == 1);
  CHECK(f.sink.committed_calls == 2);  // committed at the ACK, then the rest of the pass
  for (const auto& d : f.devices) CHECK(f.f_cnt_up(d) == 1);
}

TEST_CASE("a downlink queued by another connection between passes goes out in the device's next RX1") {
  Fixture f;
  f.ns->handle_uplink(uplink(f.devices[0], 0, false, 1'000'000));
  f.run();
  CHECK(f.downlinks.empty());  // nothing queued, nothing sent
  f.enqueue(queue_item(f.devices[0], 5, {0x30, 0x01}));
  f.ns->handle_uplink(uplink(f.devices[0], 1, false, 2'000'000));
  f.run();
  REQUIRE(f.downlinks.size() == 1);
  CHECK(f.downlinks[0].first == f.devices[0].dev_eui);
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue") == 0);  // unconfirmed: done once sent
}

TEST_CASE("devices_with_downlinks lists every device with a row, enqueues are counted in-process") {
  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  auto app = schema::insert_application(db, "water", "");
  auto d = abp_device(1);
  provision(db, d, app);
  CHECK(schema::devices_with_downlinks(db).empty());
  const auto before = schema::downlinks_enqueued_in_process();
  auto item = queue_item(d, 1, {});
  item.expires_at = 1;  // long expired: still a row the uplink must find (and report)
  schema::enqueue_downlink(db, item);
  CHECK(schema::downlinks_enqueued_in_process() == before + 1);
  CHECK(schema::devices_with_downlinks(db) == std::vector<lorawan::Eui64>{d.dev_eui});
}

TEST_CASE("a queued downlink whose expiry passes is dropped with a log EXPIRED and an ack that did not come") {
  Fixture f;
  auto item = queue_item(f.devices[0], 5, {0x30, 0x01});
  item.expires_at = schema::unix_now() - 1;
  item.queue_item_id = "0c5b2444-70a0-4932-980c-b4dc0d3f02b5";
  f.enqueue(item);
  f.ns->handle_uplink(uplink(f.devices[0], 0, false, 1'000'000));
  f.run();
  CHECK(f.sent_via.empty());
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue") == 0);
  REQUIRE(f.sink.logs.size() == 1);
  CHECK(f.sink.logs[0] == std::pair<std::string, std::string>{"EXPIRED", "0c5b2444-70a0-4932-980c-b4dc0d3f02b5"});
  REQUIRE(f.sink.acks.size() == 1);
  CHECK(f.sink.acks[0] == std::pair<std::string, bool>{"0c5b2444-70a0-4932-980c-b4dc0d3f02b5", false});
}

TEST_CASE("the dedup window counts from when the bridge received the copy, not from when this thread took it") {
  Fixture f(10s);
  // A copy that waited in the queue past its whole window (this thread held up) goes on in the
  // next pass; one received just now waits for its window.
  auto waited = uplink(f.devices[0], 0, false, 1'000'000);
  waited.received_at = std::chrono::steady_clock::now() - 11s;
  f.ns->handle_uplink(std::move(waited));
  auto fresh = uplink(f.devices[1], 0, false, 2'000'000);
  fresh.received_at = std::chrono::steady_clock::now();
  f.ns->handle_uplink(std::move(fresh));
  f.io.run_for(100ms);
  CHECK(f.ns->counters().uplinks_accepted == 1);
  CHECK(f.f_cnt_up(f.devices[0]) == 1);
  CHECK(f.f_cnt_up(f.devices[1]) == 0);
}

TEST_CASE("DevStatusReqs beyond the network-wide budget wait for the device's next uplink") {
  Fixture f(20ms, 1.0);
  for (std::size_t i = 0; i < f.devices.size(); ++i) {
    f.ns->handle_uplink(uplink(f.devices[i], 0, false, 1'000'000 * static_cast<std::uint32_t>(i + 1)));
  }
  f.run();
  // Three first uplinks, each due for a DevStatusReq: one is asked, two are put off. Nothing else
  // needed a downlink, so the two got none.
  CHECK(f.ns->counters().uplinks_accepted == 3);
  CHECK(f.ns->counters().downlinks_sent == 1);
  CHECK(f.ns->counters().dev_status_deferred == 2);

  // A second later the budget has one more: the next uplink of a device put off is asked.
  std::this_thread::sleep_for(1100ms);
  f.ns->handle_uplink(uplink(f.devices[2], 1, false, 5'000'000));
  f.run();
  CHECK(f.ns->counters().downlinks_sent == 2);
  CHECK(f.ns->counters().dev_status_deferred == 2);
}

TEST_CASE("a class A answer goes via the next gateway that heard the uplink when the best one has no downlink path") {
  Fixture f;
  constexpr lorawan::Eui64 kSecond = 0x00800000a0000002, kThird = 0x00800000a0000003;
  auto best = uplink(f.devices[0], 0, true, 1'000'000);  // SNR 7 at kGateway
  auto third = best;
  third.gateway_eui = kThird;
  third.snr_db = -3.0;
  third.counter = gateway_bridge::CounterTime{4'294'000'000u, 3};  // RX1 is beyond 2^32 on its counter
  auto second = best;
  second.gateway_eui = kSecond;
  second.snr_db = 2.0;
  second.counter = gateway_bridge::CounterTime{70'000'000, 2};
  f.offline_gateways = {kGateway, kSecond};
  f.ns->handle_uplink(std::move(third));
  f.ns->handle_uplink(std::move(best));
  f.ns->handle_uplink(std::move(second));
  f.run();
  // Best (kGateway) refused, then the second best (kSecond), then the third took it, timed on
  // its own counter: RX1 one second after its reception.
  REQUIRE(f.sent_via.size() == 1);
  CHECK(f.sent_via[0].first == kThird);
  // (64 bits do not wrap; a Semtech gateway gets its low 32 bits as tmst, see txpk_test.)
  CHECK(f.sent_via[0].second == std::uint64_t{4'294'000'000u} + 1'000'000u);
  CHECK(f.ns->counters().downlinks_rerouted == 2);
  CHECK(f.ns->counters().downlinks_sent == 1);
  CHECK(f.ns->counters().downlink_send_failed == 0);

  // No gateway at all: counted as a failed send, nothing else breaks.
  f.offline_gateways = {kGateway, kSecond, kThird};
  auto again = uplink(f.devices[0], 1, true, 5'000'000);
  auto again_second = again;
  again_second.gateway_eui = kSecond;
  f.ns->handle_uplink(std::move(again));
  f.ns->handle_uplink(std::move(again_second));
  f.run();
  CHECK(f.sent_via.size() == 1);
  CHECK(f.ns->counters().downlink_send_failed == 1);
  CHECK(f.f_cnt_up(f.devices[0]) == 2);
}

TEST_CASE("a queued downlink that no gateway could take goes back to the queue, unchanged, for the next uplink") {
  Fixture f;
  auto unconfirmed = queue_item(f.devices[0], 5, {0x30, 0x01});
  unconfirmed.expires_at = schema::unix_now() + 3600;
  const auto confirmed = queue_item(f.devices[0], 6, {0x31}, true);
  const std::int64_t first_id = f.enqueue(unconfirmed);
  f.enqueue(confirmed);
  const auto queue_rows = [&] {
    return count(f.observer, "SELECT COUNT(*) FROM downlink_queue WHERE f_cnt_down IS NULL AND sent_at IS NULL");
  };
  f.offline_gateways = {kGateway};
  f.ns->handle_uplink(uplink(f.devices[0], 0, false, 1'000'000));
  f.run();
  CHECK(f.sent_via.empty());
  CHECK(f.ns->counters().downlink_send_failed == 1);
  CHECK(queue_rows() == 2);  // the unconfirmed item was deleted when taken, and is back
  {
    schema::Statement q(f.observer,
                        "SELECT COUNT(*) FROM downlink_queue WHERE id = ? AND f_port = 5 AND data = ? "
                        "AND expires_at IS NOT NULL");
    q.bind(1, first_id).bind_blob(2, std::vector<std::uint8_t>{0x30, 0x01});
    REQUIRE(q.step());
    CHECK(q.int64(0) == 1);
  }

  f.offline_gateways.clear();
  f.ns->handle_uplink(uplink(f.devices[0], 1, false, 2'000'000));
  f.run();
  REQUIRE(f.sent_via.size() == 1);  // the same item, first in line, now on air
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue WHERE id = " + std::to_string(first_id)) == 0);
  CHECK(queue_rows() == 1);  // the confirmed one waits for the next opportunity

  // A confirmed item refused everywhere loses the FCntDown it was marked with.
  f.offline_gateways = {kGateway};
  f.ns->handle_uplink(uplink(f.devices[0], 2, false, 3'000'000));
  f.run();
  CHECK(f.sent_via.size() == 1);
  CHECK(queue_rows() == 1);
}

TEST_CASE("a queued downlink the gateway refuses in both RX1 and RX2 goes back to the queue for the next uplink") {
  Fixture f;
  const auto unconfirmed = queue_item(f.devices[0], 5, {0x30, 0x01});
  const auto confirmed = queue_item(f.devices[0], 6, {0x31}, true);
  const std::int64_t unconfirmed_id = f.enqueue(unconfirmed);
  const std::int64_t confirmed_id = f.enqueue(confirmed);
  const auto unsent = [&](std::int64_t id) {
    return count(f.observer,
                 "SELECT COUNT(*) FROM downlink_queue WHERE f_cnt_down IS NULL AND sent_at IS NULL AND id = " +
                     std::to_string(id));
  };

  f.ns->handle_uplink(uplink(f.devices[0], 0, false, 1'000'000));
  f.run();
  REQUIRE(f.sent_tokens.size() == 1);
  CHECK(unsent(unconfirmed_id) == 0);  // taken: deleted when handed to the gateway
  f.tx_ack(kGateway, f.sent_tokens[0], gateway_bridge::TxStatus::TooLate);
  REQUIRE(f.sent_tokens.size() == 2);  // the same frame again, for RX2
  CHECK(f.sent_via[1].second == f.sent_via[0].second + 1'000'000u);
  CHECK(unsent(unconfirmed_id) == 0);  // still on its way
  f.tx_ack(kGateway, f.sent_tokens[1], gateway_bridge::TxStatus::CollisionPacket);
  CHECK(unsent(unconfirmed_id) == 1);  // never on air: back, in its place
  CHECK(f.ns->counters().downlinks_failed_on_air == 1);
  CHECK(f.ns->counters().downlinks_returned_to_queue == 1);

  // The next uplink carries it again; this time the gateway schedules it and it is gone.
  f.ns->handle_uplink(uplink(f.devices[0], 1, false, 3'000'000));
  f.run();
  REQUIRE(f.sent_tokens.size() == 3);
  CHECK(unsent(unconfirmed_id) == 0);
  f.tx_ack(kGateway, f.sent_tokens[2], gateway_bridge::TxStatus::Ok);
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue WHERE id = " + std::to_string(unconfirmed_id)) == 0);
  CHECK(f.ns->counters().downlinks_returned_to_queue == 1);

  // A confirmed item refused in both windows loses the FCntDown it was marked sent with, so a
  // later ACK bit cannot be taken for it.
  f.ns->handle_uplink(uplink(f.devices[0], 2, false, 5'000'000));
  f.run();
  REQUIRE(f.sent_tokens.size() == 4);
  CHECK(unsent(confirmed_id) == 0);  // marked sent with its FCntDown
  f.tx_ack(kGateway, f.sent_tokens[3], gateway_bridge::TxStatus::TooLate);
  REQUIRE(f.sent_tokens.size() == 5);
  f.tx_ack(kGateway, f.sent_tokens[4], gateway_bridge::TxStatus::TooLate);
  CHECK(unsent(confirmed_id) == 1);
  CHECK(f.ns->counters().downlinks_returned_to_queue == 2);
  CHECK(f.ns->counters().downlinks_failed_on_air == 2);
}

TEST_CASE("a class C downlink goes via the second gateway of the last uplink when the best has no downlink path") {
  Fixture f;
  constexpr lorawan::Eui64 kSecond = 0x00800000a0000002;
  schema::Statement(f.observer, "UPDATE device SET device_class = 'C' WHERE dev_eui = ?")
      .bind(1, lorawan::eui64_to_string(f.devices[0].dev_eui))
      .run();
  auto best = uplink(f.devices[0], 0, false, 1'000'000);
  auto second = best;
  second.gateway_eui = kSecond;
  second.snr_db = 1.0;
  f.ns->handle_uplink(std::move(best));
  f.ns->handle_uplink(std::move(second));
  f.io.run_for(1200ms);  // the uplink's pass, and a registry poll that sees the class change
  REQUIRE(f.sent_via.empty());
  const auto item = queue_item(f.devices[0], 7, {0x01});
  f.enqueue(item);
  f.offline_gateways = {kGateway};
  f.io.run_for(1200ms);  // class C delivery runs at the registry poll
  REQUIRE(f.sent_via.size() == 1);
  CHECK(f.sent_via[0].first == kSecond);
  CHECK(f.ns->counters().downlinks_rerouted == 1);
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue") == 0);

  // Both gateways gone: one attempt, then the device waits out the backoff instead of costing
  // two transactions at every poll; its item stays queued, unsent.
  f.enqueue(item);
  f.offline_gateways = {kGateway, kSecond};
  f.io.run_for(3500ms);  // three registry polls, all within the backoff after the first
  CHECK(f.ns->counters().downlink_send_failed == 1);
  CHECK(f.sent_via.size() == 1);
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue WHERE f_cnt_down IS NULL") == 1);
}

TEST_CASE("a class C downlink whose take fails in storage is not sent, stays queued and frees its airtime") {
  Fixture f;
  schema::Statement(f.observer, "UPDATE device SET device_class = 'C' WHERE dev_eui = ?")
      .bind(1, lorawan::eui64_to_string(f.devices[0].dev_eui))
      .run();
  f.ns->handle_uplink(uplink(f.devices[0], 0, false, 1'000'000));
  f.io.run_for(1200ms);  // the uplink's pass, and a registry poll that sees the class change
  // Taking the (unconfirmed) item deletes its row: make that fail, as a full disk or a lost
  // database connection would.
  const auto refuse = [&](bool on) {
    if (test::testing_postgresql()) {
      schema::Statement(f.observer,
                        on ? "CREATE FUNCTION refuse_take() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused "
                             "by the test'; END $$ LANGUAGE plpgsql"
                           : "DROP FUNCTION refuse_take() CASCADE")
          .run();
      if (on)
        schema::Statement(f.observer,
                          "CREATE TRIGGER refuse_take BEFORE DELETE ON downlink_queue FOR EACH ROW EXECUTE FUNCTION "
                          "refuse_take()")
            .run();
    } else {
      schema::Statement(f.observer, on ? "CREATE TRIGGER refuse_take BEFORE DELETE ON downlink_queue BEGIN "
                                         "SELECT RAISE(ABORT, 'refused by the test'); END"
                                       : "DROP TRIGGER refuse_take")
          .run();
    }
  };
  const auto airtime = [&] {
    std::chrono::microseconds total{0};
    for (const auto& g : f.ns->downlink_figures())
      for (const auto& [sub_band, spent] : g.airtime_last_hour) total += spent;
    return total;
  };
  refuse(true);
  f.enqueue(queue_item(f.devices[0], 7, {0x01}));
  f.io.run_for(1200ms);  // a class C delivery at the registry poll, failing
  CHECK(f.ns->counters().storage_failures >= 1);
  CHECK(f.sent_via.empty());
  CHECK(airtime() == std::chrono::microseconds{0});  // the booking was given back
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue WHERE f_cnt_down IS NULL") == 1);
  auto session = schema::find_session(f.observer, f.devices[0].dev_eui);
  REQUIRE(session);
  CHECK(session->n_f_cnt_down == 0);  // no FCntDown used
  // Storage back: the next poll sends it, once.
  refuse(false);
  f.io.run_for(1200ms);
  CHECK(f.sent_via.size() == 1);
  CHECK(airtime() > std::chrono::microseconds{0});
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue") == 0);
}

namespace {

// An uplink at SF12 (DR0): its RX1 answer is an SF12 transmission of about a second.
gateway_bridge::Reception sf12_uplink(const AbpDevice& d, std::uint32_t fcnt, bool confirmed, std::uint32_t tmst) {
  auto rx = uplink(d, fcnt, confirmed, tmst);
  rx.data_rate = gateway_bridge::LoraRate{12, 125};
  return rx;
}

std::uint64_t refused(netserver::NetworkServer& ns, lorawan::Eui64 gateway, const std::string& reason) {
  for (const auto& g : ns.downlink_figures()) {
    if (g.gateway_eui != gateway) continue;
    auto it = g.counters.refused.find(reason);
    return it == g.counters.refused.end() ? 0 : it->second;
  }
  return 0;
}

}  // namespace

TEST_CASE("an uplink heard 148 ms before another device's SF12 ACK starts is answered in RX2, not inside that ACK") {
  Fixture f;
  // Device 1's ACK goes at 2.0 s on the gateway's counter (RX1, ~1 s at SF12). Device 2's uplink
  // ended 148 ms before that: its RX1 (2.852 s) falls inside the ACK, its RX2 (3.852 s) after it.
  f.ns->handle_uplink(sf12_uplink(f.devices[0], 0, true, 1'000'000));
  f.ns->handle_uplink(sf12_uplink(f.devices[1], 0, true, 1'852'000));
  f.run();
  REQUIRE(f.sent_via.size() == 2);
  const std::set<std::pair<lorawan::Eui64, std::uint64_t>> sent(f.sent_via.begin(), f.sent_via.end());
  CHECK(sent == std::set<std::pair<lorawan::Eui64, std::uint64_t>>{{kGateway, 2'000'000}, {kGateway, 3'852'000}});
  CHECK(f.ns->counters().downlinks_not_planned == 0);
}

TEST_CASE("a burst through one gateway: RX1, RX2, another gateway that heard it, then not planned, never lost") {
  Fixture f;
  constexpr lorawan::Eui64 kSecond = 0x00800000a0000002;
  const auto item = queue_item(f.devices[2], 5, {0x30, 0x01});
  const std::int64_t item_id = f.enqueue(item);
  // Three confirmed SF7 uplinks ending at the same moment: one RX1 (SF7 at 2.0 s) and one RX2
  // (SF12 at 3.0 s) on the gateway.
  f.ns->handle_uplink(uplink(f.devices[0], 0, true, 1'000'000));
  f.ns->handle_uplink(uplink(f.devices[1], 0, true, 1'000'000));
  f.ns->handle_uplink(uplink(f.devices[2], 0, true, 1'000'000));
  f.run();
  CHECK(f.sent_via.size() == 2);
  // The third had no window: not sent, its ACK owed to the retransmission, its queued payload
  // still queued and unsent, its FCntDown unused; counted by reason on the gateway.
  CHECK(f.ns->counters().downlinks_not_planned == 1);
  CHECK(refused(*f.ns, kGateway, "slot_taken") == 1);
  CHECK(count(f.observer,
              "SELECT COUNT(*) FROM downlink_queue WHERE f_cnt_down IS NULL AND id = " + std::to_string(item_id)) == 1);
  CHECK(count(f.observer, "SELECT n_f_cnt_down + a_f_cnt_down FROM device_session WHERE dev_eui = '" +
                              lorawan::eui64_to_string(f.devices[2].dev_eui) + "'") == 0);

  // Its retransmission (a new payload only so the deduplicator does not take it for a late copy),
  // heard by a second gateway too: on the first, RX1 (2.95 s) is too close to the RX2 answer at
  // 3.0 s and RX2 (3.95 s) inside it; the second gateway carries the ACK and the queued payload.
  auto again = uplink(f.devices[2], 0, true, 1'950'000, {0x03});
  auto via_second = again;
  via_second.gateway_eui = kSecond;
  via_second.snr_db = 1.0;
  via_second.counter = gateway_bridge::CounterTime{9'000'000, 9};
  f.ns->handle_uplink(std::move(again));
  f.ns->handle_uplink(std::move(via_second));
  f.run();
  REQUIRE(f.sent_via.size() == 3);
  CHECK(f.sent_via[2] == std::pair<lorawan::Eui64, std::uint64_t>{kSecond, 10'000'000});
  CHECK(f.ns->counters().downlinks_rerouted == 1);
  CHECK(count(f.observer, "SELECT COUNT(*) FROM downlink_queue WHERE id = " + std::to_string(item_id)) == 0);
}

TEST_CASE("at its duty-cycle budget a gateway defers MAC housekeeping, keeps it due, and still carries ACKs") {
  // RX1 sub-band (868.0-868.6 MHz) budget: 54 ms an hour, housekeeping's half 27 ms, less than
  // one SF7 downlink (~41 ms); no RX2 at all (its sub-band at 0 %).
  Fixture f(20ms, 100.0, {{"868.0-868.6", 0.000015}, {"869.4-869.65", 0.0}});
  // A DevStatusReq is due for every device: the unconfirmed uplink would carry only that.
  f.ns->handle_uplink(uplink(f.devices[0], 0, false, 1'000'000));
  f.run();
  CHECK(f.sent_via.empty());
  CHECK(f.ns->counters().mac_requests_deferred == 1);
  CHECK(f.ns->counters().downlinks_not_planned == 0);  // nothing else was owed
  // A confirmed uplink: the ACK goes (answers may use the whole budget), without the request,
  // which is still due (deferred again, not forgotten).
  f.ns->handle_uplink(uplink(f.devices[0], 1, true, 3'000'000));
  f.run();
  REQUIRE(f.sent_via.size() == 1);
  CHECK(f.sent_sizes[0] == 12);  // MHDR, FHDR without FOpts, MIC: no DevStatusReq
  CHECK(f.ns->counters().mac_requests_deferred == 2);
  // The budget is spent now: the next ACK is not planned (the device will retransmit).
  f.ns->handle_uplink(uplink(f.devices[0], 2, true, 5'000'000));
  f.run();
  CHECK(f.sent_via.size() == 1);
  CHECK(refused(*f.ns, kGateway, "duty_cycle") == 1);
}

TEST_CASE(
    "a codec's clock correction in the queue goes at the clock-correction tier, an application payload at "
    "the answer tier") {
  // One SF7 downlink of 15 bytes (MHDR, FHDR, FPort, 2 bytes, MIC) fits the RX1 sub-band's hour
  // budget, but not the 90 % of it a clock correction may use; RX2's sub-band is closed.
  gateway_bridge::Transmission probe;
  probe.data_rate = gateway_bridge::LoraRate{7, 125};
  probe.phy_payload.assign(15, 0);
  const auto airtime = netserver::scheduling::transmission_airtime(probe);
  const double share = std::chrono::duration<double>(airtime).count() / 0.95 / 3600.0;
  Fixture f(20ms, 0, {{"868.0-868.6", share}, {"869.4-869.65", 0.0}});

  auto correction = queue_item(f.devices[0], 5, {0x30, 0x01});
  correction.clock_correction = true;
  const auto correction_id = f.enqueue(correction);
  f.enqueue(queue_item(f.devices[1], 5, {0x30, 0x01}));

  f.ns->handle_uplink(uplink(f.devices[0], 0, false, 1'000'000));
  f.run();
  CHECK(f.sent_via.empty());  // not planned: still queued, unsent, counted by reason
  CHECK(refused(*f.ns, kGateway, "duty_cycle") == 1);
  CHECK(count(f.observer,
              "SELECT COUNT(*) FROM downlink_queue WHERE f_cnt_down IS NULL AND clock_correction = 1 "
              "AND id = " +
                  std::to_string(correction_id)) == 1);

  f.ns->handle_uplink(uplink(f.devices[1], 0, false, 3'000'000));
  f.run();
  REQUIRE(f.sent_via.size() == 1);  // the same size as an application payload: it goes
  CHECK(f.sent_sizes[0] == 15);
}
