#include <catch2/catch.hpp>

#include <random>

#include "appserver/integration/downlink_command.h"

using namespace uchet;

namespace {

constexpr std::int64_t kNow = 1'795'000'000;  // 2026-11-18T11:06:40Z

schema::Device water_device(std::string codec = "karat-926lw") {
  schema::Device d;
  d.dev_eui = 0x0011223344556677;
  d.application = "water";
  d.codec = std::move(codec);
  return d;
}

}  // namespace

TEST_CASE("command topics are recognised and others ignored") {
  auto t = appserver::TopicLayout().parse_command("application/water/device/0011223344556677/command/down");
  REQUIRE(t);
  CHECK(t->application == "water");
  CHECK(t->dev_eui == 0x0011223344556677);
  CHECK_FALSE(appserver::TopicLayout().parse_command("application/water/device/0011223344556677/event/up"));
  CHECK_FALSE(appserver::TopicLayout().parse_command("application//device/0011223344556677/command/down"));
  CHECK_FALSE(appserver::TopicLayout().parse_command("application/water/device/00112233/command/down"));
  CHECK_FALSE(appserver::TopicLayout().parse_command("application/water/command/down"));
}

TEST_CASE("a valid command becomes a queue item") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", "", d.dev_eui};
  auto item = appserver::parse_down_command(
      topic, &d, R"({"devEui":"0011223344556677","confirmed":true,"fPort":5,"data":"MAE="})", kNow);
  REQUIRE(item);
  CHECK(item->f_port == 5);
  CHECK(item->confirmed);
  CHECK(item->data == std::vector<uint8_t>{0x30, 0x01});
  auto minimal = appserver::parse_down_command(topic, &d, R"({"fPort":2,"data":""})", kNow);
  REQUIRE(minimal);
  CHECK(minimal->data.empty());
  CHECK_FALSE(minimal->confirmed);
}

TEST_CASE("bad commands are refused with a reason") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", "", d.dev_eui};
  auto reason = [&](const schema::Device* device, const appserver::CommandTopic& t, const char* payload) {
    auto r = appserver::parse_down_command(t, device, payload, kNow);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "UNKNOWN");
    return r.error().reason;
  };
  CHECK_THAT(reason(nullptr, topic, R"({"fPort":2,"data":"AA=="})"), Catch::Contains("unknown device"));
  CHECK_THAT(reason(&d, appserver::CommandTopic{"heat", "", d.dev_eui}, R"({"fPort":2,"data":"AA=="})"),
             Catch::Contains("does not belong to application 'heat'"));
  CHECK_THAT(reason(&d, topic, "not json"), Catch::Contains("not a JSON object"));
  CHECK_THAT(reason(&d, topic, "[1,2]"), Catch::Contains("not a JSON object"));
  CHECK_THAT(reason(&d, topic, R"({"devEui":"0011223344556678","fPort":2,"data":"AA=="})"),
             Catch::Contains("does not match"));
  CHECK_THAT(reason(&d, topic, R"({"data":"AA=="})"), Catch::Contains("fPort must be an integer"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":0,"data":"AA=="})"), Catch::Contains("fPort must be between 1 and 223"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":224,"data":"AA=="})"), Catch::Contains("fPort must be between 1 and 223"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2,"data":5})"), Catch::Contains("data must be a Base64 string"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2,"data":"*&^"})"), Catch::Contains("data: invalid Base64"));
  CHECK_THAT(reason(&d, topic, R"({"fPort":2,"data":"AA==","confirmed":"yes"})"), Catch::Contains("confirmed must be"));
  std::string big = R"({"fPort":2,"data":")" + std::string(4 * 81, 'A') + R"("})";  // 243 bytes
  auto too_big = appserver::parse_down_command(topic, &d, big, kNow);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().code == "DOWNLINK_PAYLOAD_SIZE");
  CHECK_THAT(too_big.error().reason, Catch::Contains("at most 242"));
}

TEST_CASE("mutated and truncated commands and topics are refused or accepted, never a crash") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", "", d.dev_eui};
  const std::string valid = R"({"devEui":"0011223344556677","confirmed":true,"fPort":5,"data":"MAEy"})";
  const std::string valid_topic = "application/water/device/0011223344556677/command/down";
  for (std::size_t n = 0; n <= valid.size(); ++n) {
    // Exact-size copies: a read past the end lands outside the allocation.
    const std::string prefix = valid.substr(0, n);
    auto r = appserver::parse_down_command(topic, &d, prefix, kNow);
    if (!r) CHECK_FALSE(r.error().reason.empty());
    (void)appserver::TopicLayout().parse_command(valid_topic.substr(0, n));
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
    auto r = appserver::parse_down_command(topic, &d, payload, kNow);
    if (r) {
      ++accepted;
      CHECK(r->f_port >= 1);
      CHECK(r->f_port <= 223);
    } else {
      CHECK_FALSE(r.error().reason.empty());
    }
    if (auto parsed = appserver::TopicLayout().parse_command(t)) CHECK_FALSE(parsed->application.empty());
  }
  CHECK(accepted > 0);  // flips inside the Base64 text or a string often leave a valid command
}

TEST_CASE("a command without data or object is an empty payload, as protobuf writers leave empty bytes out") {
  // Changed by issue 16 (item 3): `{"fPort":2}` was refused with "data must be a Base64 string".
  auto d = water_device();
  auto item =
      appserver::parse_down_command({"water", "", d.dev_eui}, &d, R"({"devEui":"0011223344556677","fPort":2})", kNow);
  REQUIRE(item);
  CHECK(item->f_port == 2);
  CHECK(item->data.empty());
  auto nulls =
      appserver::parse_down_command({"water", "", d.dev_eui}, &d, R"({"fPort":2,"data":null,"object":null})", kNow);
  REQUIRE(nulls);
  CHECK(nulls->data.empty());
}

TEST_CASE("an object is encoded by the device's codec, which chooses the fPort") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", "", d.dev_eui};
  auto encoded = [&](const char* payload) {
    auto r = appserver::parse_down_command(topic, &d, payload, kNow);
    REQUIRE(r);
    return std::pair{static_cast<int>(r->f_port), r->data};
  };
  using B = std::vector<std::uint8_t>;
  CHECK(encoded(R"({"object":{"command":"set_reporting_period","seconds":3600}})") == std::pair{3, B{0x20, 0x01}});
  CHECK(encoded(R"({"fPort":3,"object":{"command":"request_device_info"}})") == std::pair{3, B{0x21}});
  CHECK(encoded(R"({"object":{"command":"set_valve","position":"closed"}})") == std::pair{5, B{0x30, 0x01}});
  CHECK(encoded(R"({"object":{"command":"set_valve","position":"open"}})") == std::pair{5, B{0x30, 0x00}});
  CHECK(encoded(R"({"object":{"command":"correct_time","seconds":-2}})") ==
        std::pair{4, B{0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}});
}

TEST_CASE("an object the codec cannot encode is refused with DOWNLINK_CODEC naming why") {
  auto refusal = [](const schema::Device& d, const char* payload) {
    auto r = appserver::parse_down_command({"water", "", d.dev_eui}, &d, payload, kNow);
    REQUIRE_FALSE(r);
    return r.error();
  };
  auto karat = water_device();
  auto mbus = water_device("karat-307-mbus");
  auto none = water_device("");
  const char* info = R"({"object":{"command":"request_device_info"}})";
  auto r = refusal(mbus, info);
  CHECK(r.code == "DOWNLINK_CODEC");
  CHECK_THAT(r.reason, Catch::Contains("codec 'karat-307-mbus' encodes no downlink objects"));
  CHECK_THAT(refusal(none, info).reason, Catch::Contains("no codec"));
  CHECK(refusal(none, info).code == "DOWNLINK_CODEC");
  CHECK_THAT(refusal(karat, R"({"object":{"command":"set_reporting_period","seconds":60}})").reason,
             Catch::Contains("reporting period 60 s is not supported"));
  CHECK_THAT(refusal(karat, R"({"object":{"command":"open_the_pod_bay_doors"}})").reason,
             Catch::Contains("unknown downlink command \"open_the_pod_bay_doors\""));
  CHECK_THAT(refusal(karat, R"({"object":{"command":"set_valve","position":"ajar"}})").reason,
             Catch::Contains("\"closed\" or \"open\""));
  CHECK_THAT(refusal(karat, R"({"object":{"command":"request_device_info","now":true}})").reason,
             Catch::Contains("field \"now\""));
  CHECK_THAT(refusal(karat, R"({"object":{"seconds":900}})").reason, Catch::Contains("needs \"command\""));
  CHECK_THAT(refusal(karat, R"({"object":[1]})").reason, Catch::Contains("must be a JSON object"));
  auto port = refusal(karat, R"({"fPort":2,"object":{"command":"request_device_info"}})");
  CHECK(port.code == "DOWNLINK_CODEC");
  CHECK_THAT(port.reason, Catch::Contains("sent on fPort 3, the command says fPort 2"));
  auto both = refusal(karat, R"({"fPort":3,"data":"IQ==","object":{"command":"request_device_info"}})");
  CHECK(both.code == "UNKNOWN");
  CHECK_THAT(both.reason, Catch::Contains("data or object, not both"));
}

TEST_CASE("expiresAt becomes the item's expiry; one already past is refused with EXPIRED") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", "", d.dev_eui};
  auto item = appserver::parse_down_command(
      topic, &d, R"({"fPort":2,"data":"AA==","expiresAt":"2026-11-23T11:00:00.75+05:00"})", 1'795'410'000);
  REQUIRE(item);
  CHECK(item->expires_at == 1'795'410'000 + 3600);  // 06:00:00Z, the fraction dropped
  auto past = appserver::parse_down_command(
      topic, &d, R"({"fPort":2,"data":"AA==","expiresAt":"2026-11-23T05:00:00Z"})", 1'795'410'000);
  REQUIRE_FALSE(past);
  CHECK(past.error().code == "EXPIRED");
  CHECK_THAT(past.error().reason, Catch::Contains("has already passed"));
  auto bad = appserver::parse_down_command(topic, &d, R"({"fPort":2,"expiresAt":"tomorrow"})", kNow);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "UNKNOWN");
  CHECK_THAT(bad.error().reason, Catch::Contains("not an RFC 3339 time"));
}

TEST_CASE("a command's id must be a UUID and becomes the item's queue item id, lower-cased") {
  auto d = water_device();
  appserver::CommandTopic topic{"water", "", d.dev_eui};
  auto item =
      appserver::parse_down_command(topic, &d, R"({"id":"0C5B2444-70A0-4932-980C-B4DC0D3F02B5","fPort":2})", kNow);
  REQUIRE(item);
  CHECK(item->queue_item_id == "0c5b2444-70a0-4932-980c-b4dc0d3f02b5");
  auto blank = appserver::parse_down_command(topic, &d, R"({"id":"","fPort":2})", kNow);
  REQUIRE(blank);
  CHECK(blank->queue_item_id.empty());
  for (const char* bad : {R"({"id":"1","fPort":2})", R"({"id":7,"fPort":2})",
                          R"({"id":"0c5b2444-70a0-4932-980c-b4dc0d3f02bx","fPort":2})"}) {
    auto r = appserver::parse_down_command(topic, &d, bad, kNow);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().reason, Catch::Contains("id must be a UUID"));
  }
}
