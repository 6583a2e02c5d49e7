// Topic templates ([mqtt] event_topic, command_topic): what is refused, and that the default and
// ChirpStack's own layout (by application id) build and read the topics they should.
#include <catch2/catch.hpp>

#include "appserver/integration/topics.h"

using namespace uchet;

namespace {

constexpr const char* kChirpStackEvents = "application/{application_id}/device/{dev_eui}/event/{event}";
constexpr const char* kChirpStackCommands = "application/{application_id}/device/{dev_eui}/command/down";
constexpr const char* kAppId = "0c5b2444-70a0-4932-980c-b4dc0d3f02b5";

schema::Device device() {
  schema::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  d.application_uuid = kAppId;
  return d;
}

}  // namespace

TEST_CASE("the default layout is ChirpStack's by application name, as before templates") {
  appserver::TopicLayout layout;
  CHECK(layout.device_event(device(), "up") == "application/water/device/0011223344556677/event/up");
  CHECK(layout.command_subscription() == "application/+/device/+/command/down");
  auto t = layout.parse_command("application/water/device/0011223344556677/command/down");
  REQUIRE(t);
  CHECK(t->application == "water");
  CHECK(t->application_id.empty());
  CHECK(layout.event_of("application/water/device/0011223344556677/event/txack") == "txack");
  CHECK_FALSE(layout.event_of("gateway/0011223344556677/event/stats"));
  CHECK_FALSE(layout.event_of("application/water/device/00112233/event/up"));
}

TEST_CASE("ChirpStack's layout by application id builds and reads the topics ChirpStack uses") {
  auto layout = appserver::TopicLayout::parse(kChirpStackEvents, kChirpStackCommands);
  REQUIRE(layout);
  CHECK(layout->device_event(device(), "join") ==
        "application/0c5b2444-70a0-4932-980c-b4dc0d3f02b5/device/0011223344556677/event/join");
  CHECK(layout->command_subscription() == "application/+/device/+/command/down");
  auto t =
      layout->parse_command("application/0c5b2444-70a0-4932-980c-b4dc0d3f02b5/device/0011223344556677/command/down");
  REQUIRE(t);
  CHECK(t->application.empty());
  CHECK(t->application_id == kAppId);
  CHECK(t->dev_eui == 0x0011223344556677);
  auto unnamed = device();
  unnamed.application_uuid.clear();
  CHECK(layout->addresses(device()));
  CHECK_FALSE(layout->addresses(unnamed));
}

TEST_CASE("any layout of whole levels works: literal levels and placeholders in any order") {
  auto layout = appserver::TopicLayout::parse("uchet/{event}/{application_name}/{dev_eui}", "uchet/down/{dev_eui}");
  REQUIRE(layout);
  CHECK(layout->device_event(device(), "up") == "uchet/up/water/0011223344556677");
  CHECK(layout->event_of("uchet/up/water/0011223344556677") == "up");
  CHECK(layout->command_subscription() == "uchet/down/+");
  auto t = layout->parse_command("uchet/down/0011223344556677");
  REQUIRE(t);
  CHECK(t->application.empty());
  CHECK(t->application_id.empty());
  CHECK_FALSE(layout->parse_command("uchet/down/0011223344556677/x"));
  CHECK_FALSE(layout->parse_command("uchet/up/0011223344556677"));
}

TEST_CASE("templates with unknown or partial placeholders, or without {dev_eui} / {event}, are refused with a reason") {
  auto event_error = [](const char* text) {
    auto r = appserver::TopicLayout::check_event_template(text);
    REQUIRE_FALSE(r);
    return r.error();
  };
  auto command_error = [](const char* text) {
    auto r = appserver::TopicLayout::check_command_template(text);
    REQUIRE_FALSE(r);
    return r.error();
  };
  CHECK_THAT(event_error("application/{tenant}/device/{dev_eui}/event/{event}"), Catch::Contains("'{tenant}'"));
  CHECK_THAT(event_error("application/{application_name}/device/{dev_eui}/event"), Catch::Contains("no {event}"));
  CHECK_THAT(event_error("application/{application_name}/event/{event}"), Catch::Contains("no {dev_eui}"));
  CHECK_THAT(event_error("application/dev-{dev_eui}/event/{event}"), Catch::Contains("whole level"));
  CHECK_THAT(event_error("application/#/{dev_eui}/{event}"), Catch::Contains("'#'"));
  CHECK_THAT(event_error("application//{dev_eui}/{event}"), Catch::Contains("level ''"));
  CHECK_THAT(command_error("application/{application_name}/device/{dev_eui}/{event}"),
             Catch::Contains("only the event topic"));
  CHECK_THAT(command_error("application/{application_name}/command/down"), Catch::Contains("no {dev_eui}"));
  CHECK_THAT(command_error("application/+/device/{dev_eui}/command/down"), Catch::Contains("'+'"));
  CHECK(appserver::TopicLayout::check_event_template(kChirpStackEvents));
  CHECK(appserver::TopicLayout::check_command_template(kChirpStackCommands));
}
