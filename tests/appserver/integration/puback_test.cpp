// Against a scripted broker (a plain TCP socket speaking just enough MQTT 3.1.1) the test
// decides when PUBACKs come, so it can check what a real broker never shows: that rows stay
// in the outbox until acknowledged and are resent, oldest first, after the connection drops.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "appserver/integration/mqtt_publisher.h"
#include "appserver/integration/outbox.h"
#include "schema/database.h"
#include "schema/statement.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet;
using namespace std::chrono_literals;
using test::eventually;

namespace {

struct Packet {
  int type = 0;  // the high nibble of the fixed header: 1 CONNECT, 3 PUBLISH, ...
  std::string body;
};

// A socket closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

bool read_exactly(int fd, char* out, std::size_t n, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    auto got = read(fd, out, n);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

std::optional<Packet> read_packet(int fd, std::chrono::milliseconds timeout = 5s) {
  char header = 0;
  if (!read_exactly(fd, &header, 1, timeout)) return std::nullopt;
  std::size_t length = 0;
  for (int shift = 0;; shift += 7) {  // "remaining length", a base-128 varint
    char byte = 0;
    if (!read_exactly(fd, &byte, 1, timeout)) return std::nullopt;
    length |= static_cast<std::size_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
  }
  Packet packet{(static_cast<unsigned char>(header) >> 4), std::string(length, '\0')};
  if (length && !read_exactly(fd, packet.body.data(), length, timeout)) return std::nullopt;
  return packet;
}

struct Publish {
  std::string payload;
  int packet_id = 0;
};

Publish parse_publish(const Packet& p) {  // QoS 1: topic, packet id, payload
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(p.body[i]); };
  std::size_t topic_len = byte(0) << 8 | byte(1);
  std::size_t id_at = 2 + topic_len;
  return {p.body.substr(id_at + 2), byte(id_at) << 8 | byte(id_at + 1)};
}

void send_bytes(int fd, std::string bytes) {
  REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
}

void send_puback(int fd, const Publish& p) {
  send_bytes(fd,
             std::string("\x40\x02", 2) + static_cast<char>(p.packet_id >> 8) + static_cast<char>(p.packet_id & 0xff));
}

// Accepts the publisher's next connection and answers its CONNECT with success.
int accept_session(int listener) {
  pollfd p{listener, POLLIN, 0};
  REQUIRE(poll(&p, 1, 5000) == 1);
  int fd = accept(listener, nullptr, nullptr);
  REQUIRE(fd >= 0);
  auto connect = read_packet(fd);
  REQUIRE(connect);
  REQUIRE(connect->type == 1);
  send_bytes(fd, std::string("\x20\x02\x00\x00", 4));
  return fd;
}

std::vector<Publish> read_publishes(int fd, std::size_t count) {
  std::vector<Publish> out;
  while (out.size() < count) {
    auto packet = read_packet(fd);
    REQUIRE(packet);
    if (packet->type == 3) out.push_back(parse_publish(*packet));
  }
  return out;
}

std::vector<std::string> payloads(const std::vector<Publish>& publishes) {
  std::vector<std::string> out;
  for (const auto& p : publishes) out.push_back(p.payload);
  return out;
}

std::int64_t outbox_count(schema::Database& db) {
  schema::Statement q(db, "SELECT COUNT(*) FROM outbox");
  q.step();
  return q.int64(0);
}

}  // namespace

TEST_CASE("rows stay in the outbox until their PUBACK and are resent oldest first after a reconnect") {
  Fd listener(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(listener.get(), 4) == 0);
  socklen_t len = sizeof addr;
  getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);

  test::TempDir dir;
  auto db = schema::Database::open(uchet::test::test_database_location(dir.path()));
  std::vector<std::string> expected;
  {
    schema::Transaction tx(db);
    for (int n = 1; n <= 5; ++n) {
      expected.push_back("{\"n\":" + std::to_string(n) + "}");
      appserver::enqueue_event(db, "uchet/test", expected.back());
    }
    tx.commit();
  }
  appserver::MqttSettings settings;
  settings.port = ntohs(addr.sin_port);
  settings.client_id = "uchet-test-publisher";
  appserver::PublisherOptions options;
  options.reconnect_min = options.reconnect_max = 200ms;
  options.max_inflight = 3;  // so the first connection cannot send everything at once
  options.drain_timeout = 300ms;
  appserver::OutboxPublisher publisher(settings, uchet::test::test_database_location(dir.path()), options);
  publisher.start();

  // First connection: the window fills and then nothing more comes without PUBACKs.
  Fd first(accept_session(listener.get()));
  auto sent = read_publishes(first.get(), 3);
  CHECK(payloads(sent) == std::vector<std::string>(expected.begin(), expected.begin() + 3));
  CHECK_FALSE(read_packet(first.get(), 500ms));  // window full: nothing else until a PUBACK
  send_puback(first.get(), sent[0]);
  REQUIRE(eventually([&] { return outbox_count(db) == 4; }, 3s));  // only the acknowledged row went
  auto fourth = read_publishes(first.get(), 1);                    // and its slot was reused
  CHECK(fourth[0].payload == expected[3]);
  CHECK(publisher.stats().acknowledged == 1);
  first.reset();  // the connection drops with rows 2..4 unacknowledged

  // Second connection: everything still in the outbox, from the oldest.
  Fd second(accept_session(listener.get()));
  auto resent = read_publishes(second.get(), 3);
  CHECK(payloads(resent) == std::vector<std::string>(expected.begin() + 1, expected.begin() + 4));
  for (const auto& p : resent) send_puback(second.get(), p);
  auto last = read_publishes(second.get(), 1);
  CHECK(last[0].payload == expected[4]);
  send_puback(second.get(), last[0]);
  REQUIRE(eventually([&] { return outbox_count(db) == 0; }, 3s));
  auto stats = publisher.stats();
  CHECK(stats.published == 8);  // 4 + 3 resent + 1
  CHECK(stats.acknowledged == 5);
  publisher.stop();
}
