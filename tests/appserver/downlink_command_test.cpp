#include <catch2/catch.hpp>

#include "appserver/downlink_command.h"

using namespace uchet;

namespace {

storage::Device water_device() {
  storage::Device d;
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
  auto item = appserver::parse_down_command(topic, &d, R"({"devEui":"0011223344556677","confirmed":true,"fPort":5,"data":"MAE="})");
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
  auto reason = [&](const storage::Device* device, const appserver::CommandTopic& t, const char* payload) {
    auto r = appserver::parse_down_command(t, device, payload);
    REQUIRE_FALSE(r);
    return r.error();
  };
  CHECK_THAT(reason(nullptr, topic, R"({"fPort":2,"data":"AA=="})"), Catch::Contains("unknown device"));
  CHECK_THAT(reason(&d, appserver::CommandTopic{"heat", d.dev_eui}, R"({"fPort":2,"data":"AA=="})"),
             Catch::Contains("does not belong to application 'heat'"));
  CHECK_THAT(reason(&d, topic, "not json"), Catch::Contains("not a JSON object"));
  CHECK_THAT(reason(&d, topic, "[1,2]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(reason(&d, topic, R"({"devEui":"0011223344556678","fPort":2,"data":"AA=="})"), Catch::Contains("does not match"));
  CHECK_THAT(reason(&d, topic, R"({"data":"AA=="})"), Catch::Contains("fPort must be an integer"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":0,"data":"AA=="})"), Catch::Contains("fPort must be between 1 and 223"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":224,"data":"AA=="})"), Catch::Contains("fPort must be between 1 and 223"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2})"), Catch::Contains("data must be a Base64 string"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2,"data":"*&^"})"), Catch::Contains("data: invalid Base64"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2,"data":"AA==","confirmed":"yes"})"), Catch::Contains("confirmed must be"));
  std::string big = R"({"fPort":2,"data":")" + std::string(4 * 81, 'A') + R"("})";  // 243 bytes
  CHECK_THAT(reason(&d, topic, big.c_str()), Catch::Contains("at most 242"));
}
