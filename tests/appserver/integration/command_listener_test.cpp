// The MQTT command listener fed straight through handle(), as libmosquitto's thread would: any
// topic a client (or a broker less strict than mosquitto) can send must be answered without an
// exception, and a name uchet never gives an application is refused before anything is built.
#include <catch2/catch.hpp>

#include "appserver/integration/mqtt_command_listener.h"
#include "appserver/integration/outbox.h"
#include "schema/applications.h"
#include "schema/database.h"
#include "schema/devices.h"
#include "tests/support/process.h"

using namespace uchet;

namespace {

constexpr const char* kCommand = R"({"devEui":"0011223344556677","fPort":5,"data":"MAEy"})";

struct Fixture {
  test::TempDir dir;
  std::string path = dir.file("uchet.db");
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
