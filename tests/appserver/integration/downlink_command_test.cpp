#include <catch2/catch.hpp>

#include <random>

#include "appserver/integration/downlink_command.h"

using namespace uchet;

namespace {

schema::Device water_device() {
  schema::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  return d;
}

}  // namespace

TEST_CASE("command topics are recognised and others ignored") {
  auto t = appserver::parse_command_topic("application/water/device/0011223344556677/command/down");
  REQUIRE(t);
  CHECK(t->application == "water");
  CHECK(t->dev_eui == 0x0011223344556677);
  CHECK_FALSE(appserver::parse_command_topic("application/water/device/0011223344556677/event/up"));
  CHECK_FALSE(appserver::parse_command_topic("application//device/0011223344556677/command/down"));
  CHECK_FALSE(appserver::parse_command_topic("application/water/device/00112233/command/down"));
  CHECK_FALSE(appserver::parse_command_topic("application/water/command/down"));
}

TEST_CASE("a valid command becomes a queue item") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", d.dev_eui};
  auto item = appserver::parse_down_command(
      topic, &d, R"({"devEui":"0011223344556677","confirmed":true,"fPort":5,"data":"MAE="})");
  REQUIRE(item);
  CHECK(item->f_port == 5);
  CHECK(item->confirmed);
  CHECK(item->data == std::vector<uint8_t>{0x30, 0x01});
  auto minimal = appserver::parse_down_command(topic, &d, R"({"fPort":2,"data":""})");
  REQUIRE(minimal);
  CHECK(minimal->data.empty());
  CHECK_FALSE(minimal->confirmed);
}

TEST_CASE("bad commands are refused with a reason") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", d.dev_eui};
  auto reason = [&](const schema::Device* device, const appserver::CommandTopic& t, const char* payload) {
    auto r = appserver::parse_down_command(t, device, payload);
    REQUIRE_FALSE(r);
    return r.error();
  };
  CHECK_THAT(reason(nullptr, topic, R"({"fPort":2,"data":"AA=="})"), Catch::Contains("unknown device"));
  CHECK_THAT(reason(&d, appserver::CommandTopic{"heat", d.dev_eui}, R"({"fPort":2,"data":"AA=="})"),
             Catch::Contains("does not belong to application 'heat'"));
  CHECK_THAT(reason(&d, topic, "not json"), Catch::Contains("not a JSON object"));
  CHECK_THAT(reason(&d, topic, "[1,2]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(reason(&d, topic, R"({"devEui":"0011223344556678","fPort":2,"data":"AA=="})"),
             Catch::Contains("does not match"));
  CHECK_THAT(reason(&d, topic, R"({"data":"AA=="})"), Catch::Contains("fPort must be an integer"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":0,"data":"AA=="})"), Catch::Contains("fPort must be between 1 and 223"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":224,"data":"AA=="})"), Catch::Contains("fPort must be between 1 and 223"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2})"), Catch::Contains("data must be a Base64 string"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2,"data":"*&^"})"), Catch::Contains("data: invalid Base64"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2,"data":"AA==","confirmed":"yes"})"), Catch::Contains("confirmed must be"));
  std::string big = R"({"fPort":2,"data":")" + std::string(4 * 81, 'A') + R"("})";  // 243 bytes
  CHECK_THAT(reason(&d, topic, big.c_str()), Catch::Contains("at most 242"));
}

TEST_CASE("mutated and truncated commands and topics are refused or accepted, never a crash") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", d.dev_eui};
  const std::string valid = R"({"devEui":"0011223344556677","confirmed":true,"fPort":5,"data":"MAEy"})";
  const std::string valid_topic = "application/water/device/0011223344556677/command/down";
  for (std::size_t n = 0; n <= valid.size(); ++n) {
    // Exact-size copies: a read past the end lands outside the allocation.
    const std::string prefix = valid.substr(0, n);
    auto r = appserver::parse_down_command(topic, &d, prefix);
    if (!r) CHECK_FALSE(r.error().empty());
    (void)appserver::parse_command_topic(valid_topic.substr(0, n));
  }
  std::mt19937 rng(1204);
  int accepted = 0;
  for (int round = 0; round < 5'000; ++round) {
    std::string payload = valid, t = valid_topic;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < flips; ++i) {
      payload[rng() % payload.size()] = static_cast<char>(rng());
      t[rng() % t.size()] = static_cast<char>(rng() % 2 ? rng() : '/');
    }
    auto r = appserver::parse_down_command(topic, &d, payload);
    if (r) {
      ++accepted;
      CHECK(r->f_port >= 1);
      CHECK(r->f_port <= 223);
    } else {
      CHECK_FALSE(r.error().empty());
    }
    if (auto parsed = appserver::parse_command_topic(t)) CHECK_FALSE(parsed->application.empty());
  }
  CHECK(accepted > 0);  // flips inside the Base64 text or a string often leave a valid command
}
