// The MQTT command listener fed straight through handle(), as libmosquitto's thread would: any
// topic a client (or a broker less strict than mosquitto) can send must be answered without an
// exception, and a name uchet never gives an application is refused before anything is built.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "appserver/integration/mqtt_command_listener.h"
#include "appserver/integration/outbox.h"
#include "schema/applications.h"
#include "schema/database.h"
#include "schema/devices.h"
#include "schema/downlink_queue.h"
#include "tests/support/process.h"
#include "tests/support/test_storage.h"

using namespace uchet;

namespace {

constexpr const char* kCommand = R"({"devEui":"0011223344556677","fPort":5,"data":"MAEy"})";

struct Fixture {
  test::TempDir dir;
  std::string path = uchet::test::test_database_location(dir.path());
  schema::Database db = schema::Database::open(path);
  std::unique_ptr<appserver::CommandListener> listener;

  Fixture() {
    schema::Device device;
    device.dev_eui = 0x0011223344556677;
    device.application_id = schema::insert_application(db, "water", "");
    device.application = "water";
    device.join_eui = 1;
    device.app_key = lorawan::Key{};
    schema::insert_device(db, device, std::nullopt);
    listener = std::make_unique<appserver::CommandListener>(appserver::MqttSettings{}, path, nullptr);
  }

  std::int64_t outbox_rows() { return appserver::outbox_backlog(db); }
};

std::string topic_for(const std::string& application) {
  return "application/" + application + "/device/0011223344556677/command/down";
}

}  // namespace

TEST_CASE("command topics whose application segment is no name are refused, counted, and never throw") {
  Fixture f;
  const std::vector<std::string> segments = {
      "wa\x01ter",                // C0 control character
      "wa\x7Fter",                // DEL
      "wa\xC2\x85ter",            // U+0085, a C1 control (NEL)
      "wa\xEF\xB7\x90ter",        // U+FDD0, a non-character
      "wa\xEF\xBF\xBEter",        // U+FFFE
      std::string("wa\0ter", 6),  // NUL
      "\xF2",                     // a truncated 4-byte sequence, the whole segment
      "wa\xF2",                   // ... at the end of the segment
      "wa\xFFter",                // a byte that is never UTF-8
      "wa\xC0\xB7ter",            // an overlong form
      "wa\xED\xA0\x80ter",        // a UTF-16 surrogate
      "wa ter",                   // a space: no application may have it
      std::string(101, 'w'),      // longer than any application name
  };
  std::uint64_t refused = 0;
  for (const auto& segment : segments) {
    // Exact-size copies, so a read past the end lands outside the allocation under ASan.
    const std::string topic = topic_for(segment);
    const std::string payload = kCommand;
    REQUIRE_NOTHROW(f.listener->handle(topic, payload));
    CHECK(f.listener->refused_topics() == ++refused);
  }
  CHECK(f.listener->accepted() == 0);
  CHECK(f.listener->rejected() == 0);
  CHECK(f.outbox_rows() == 0);  // no log event could be published under such a topic

  // A name that could be an application's but is not this device's: refused with a log event.
  REQUIRE_NOTHROW(f.listener->handle(topic_for("холодная-вода"), kCommand));
  CHECK(f.listener->rejected() == 1);
  CHECK(f.outbox_rows() == 1);
  // The right topic queues the command.
  REQUIRE_NOTHROW(f.listener->handle(topic_for("water"), kCommand));
  CHECK(f.listener->accepted() == 1);
  CHECK(f.listener->refused_topics() == refused);
}

TEST_CASE("a command's id is stored as the queue item id, a second command with it is refused") {
  Fixture f;
  const std::string with_id = R"({"id":"0c5b2444-70a0-4932-980c-b4dc0d3f02b5","fPort":5,"data":"MAEy"})";
  f.listener->handle(topic_for("water"), with_id);
  CHECK(f.listener->accepted() == 1);
  auto queued = schema::pending_downlinks(f.db, 0x0011223344556677, schema::unix_now());
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].queue_item_id == "0c5b2444-70a0-4932-980c-b4dc0d3f02b5");
  CHECK_FALSE(queued[0].clock_correction);  // an application's payload: the answer tier

  f.listener->handle(topic_for("water"), R"({"id":"0C5B2444-70A0-4932-980C-B4DC0D3F02B5","fPort":5,"data":"MAEy"})");
  CHECK(f.listener->rejected() == 1);
  CHECK(schema::pending_downlinks(f.db, 0x0011223344556677, schema::unix_now()).size() == 1);
  auto rows = appserver::outbox_rows_after(f.db, 0, 10);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].topic == "application/water/device/0011223344556677/event/log");
  auto log = nlohmann::json::parse(rows[0].payload);
  CHECK_THAT(log["description"].get<std::string>(), Catch::Contains("already in use"));

  // Gone from the queue (sent and acknowledged), the id still is not free: ack/txack events of
  // the old item carried it.
  f.db.exec("DELETE FROM downlink_queue");
  f.listener->handle(topic_for("water"), with_id);
  CHECK(f.listener->rejected() == 2);
  CHECK(schema::pending_downlinks(f.db, 0x0011223344556677, schema::unix_now()).empty());
}

TEST_CASE("a command whose expiresAt has passed is not queued: log EXPIRED; a codec refusal is DOWNLINK_CODEC") {
  Fixture f;
  f.listener->handle(topic_for("water"), R"({"fPort":5,"data":"MAEy","expiresAt":"2020-01-01T00:00:00Z"})");
  // The fixture's device has no codec: an object cannot be encoded.
  f.listener->handle(topic_for("water"), R"({"object":{"command":"request_device_info"}})");
  CHECK(f.listener->rejected() == 2);
  CHECK(schema::pending_downlinks(f.db, 0x0011223344556677, 0).empty());
  auto rows = appserver::outbox_rows_after(f.db, 0, 10);
  REQUIRE(rows.size() == 2);
  auto expired = nlohmann::json::parse(rows[0].payload);
  CHECK(expired["code"] == "EXPIRED");
  CHECK_THAT(expired["description"].get<std::string>(), Catch::Contains("2020-01-01T00:00:00Z has already passed"));
  auto codec = nlohmann::json::parse(rows[1].payload);
  CHECK(codec["code"] == "DOWNLINK_CODEC");
  CHECK_THAT(codec["description"].get<std::string>(), Catch::Contains("no codec"));
}
