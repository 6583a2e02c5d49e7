// uchetd publishes each closed day's house balance once as object/{name}/event/balance and opens
// an `imbalance` alarm on the object after two consecutive days above 10 %, closing it on the
// first day below. Real uchetd, real mosquitto, the database prepared through the storage API.
#include <nlohmann/json.hpp>

#include "appserver/metering/time_zone.h"
#include "tests/appserver/metering/scenarios/domain_fixture.h"
#include "tests/support/mosquitto_broker.h"

using namespace uchet;
using namespace std::chrono_literals;

TEST_CASE("closed days are published as balance events once, and a sustained imbalance raises an object alarm") {
  auto b = std::make_unique<test::Building>();
  const auto zone = *appserver::TimeZone::load("Asia/Yekaterinburg");
  // Five closed days ending at today's local midnight, whatever day the test runs.
  const std::int64_t today = zone.start_of_local_day(schema::unix_now());
  auto midnight = [&](int i) { return today - (5 - i) * 86400; };  // i = 0..5

  const auto house_point = b->add_point("odpu-cw", "building", std::nullopt);
  const auto kv1 = b->add_point("kv1-cw", "premise", b->add_premise("1"));
  const auto kv2 = b->add_point("kv2-cw", "premise", b->add_premise("2"));
  for (lorawan::Eui64 eui : {0x10ull, 0x11ull, 0x12ull}) b->add_device(eui);
  b->install(0x10, house_point, midnight(0), 0);
  b->install(0x11, kv1, midnight(0), 0);
  b->install(0x12, kv2, midnight(0), 0);
  // Flats use 100 + 200 = 300 L a day. The house meter: 320 (6.25 %), 400 (25 %), 400 (25 %: the
  // second day above 10 % opens the alarm), 310 (3.23 %: closes it), 330 (9.09 %).
  const std::uint32_t house_day[5] = {320, 400, 400, 310, 330};
  std::uint32_t house = 0, f1 = 0, f2 = 0;
  for (int i = 0; i <= 5; ++i) {
    b->report(0x10, midnight(i), house);
    b->report(0x11, midnight(i), f1);
    b->report(0x12, midnight(i), f2);
    if (i < 5) house += house_day[i];
    f1 += 100;
    f2 += 200;
  }

  test::MosquittoBroker broker;
  test::MqttRecorder recorder(broker.port(), "balance-watcher", "object/#");
  REQUIRE(recorder.wait_subscribed(1, 5s));
  test::write_file(b->dir.file("uchet.toml"),
                   "[storage]\npath = \"" + b->path +
                       "\"\n[gateway_bridge]\nbind = \"127.0.0.1:" + std::to_string(test::free_port(true)) +
                       "\"\n[mqtt]\nserver = \"127.0.0.1:" + std::to_string(broker.port()) +
                       "\"\n[balance]\npublish_delay_h = 0\n[http]\nbind = \"127.0.0.1:0\"\n");
  {
    test::ChildProcess uchetd({test::executable_from_env("UCHETD"), "--config", b->dir.file("uchet.toml")},
                              b->dir.file("uchetd.log"));
    INFO(test::read_file(b->dir.file("uchetd.log")));
    REQUIRE(recorder.wait_for(7, 15s));
  }
  auto messages = recorder.messages();
  std::vector<nlohmann::json> balances, alarms;
  for (const auto& m : messages) {
    if (m.topic == "object/lenina-5/event/balance")
      balances.push_back(nlohmann::json::parse(m.payload));
    else if (m.topic == "object/lenina-5/event/alarm")
      alarms.push_back(nlohmann::json::parse(m.payload));
    else
      FAIL("unexpected topic " << m.topic);
  }
  REQUIRE(balances.size() == 5);
  const double pct[5] = {6.25, 25.0, 25.0, 3.225806, 9.090909};
  for (int i = 0; i < 5; ++i) {
    INFO(balances[i].dump());
    CHECK(balances[i]["object"] == "lenina-5");
    CHECK(balances[i]["resource"] == "cold_water");
    CHECK(balances[i]["start"] == zone.format_iso8601(midnight(i)));
    CHECK(balances[i]["building"].get<double>() == Approx(house_day[i] / 1000.0).margin(0.0005));
    CHECK(balances[i]["premises"].get<double>() == Approx(0.3).margin(0.0005));
    CHECK(balances[i]["imbalancePct"].get<double>() == Approx(pct[i]).margin(0.00001));
    CHECK(balances[i]["coverage"]["measured"] == 2);
  }
  REQUIRE(alarms.size() == 2);
  CHECK(alarms[0]["kind"] == "imbalance");
  CHECK(alarms[0]["state"] == "opened");
  CHECK(alarms[0]["time"] == midnight(3));
  CHECK(alarms[1]["state"] == "closed");
  CHECK(alarms[1]["time"] == midnight(4));

  // A restart publishes nothing again: each day goes out once.
  {
    test::ChildProcess uchetd({test::executable_from_env("UCHETD"), "--config", b->dir.file("uchet.toml")},
                              b->dir.file("uchetd2.log"));
    std::this_thread::sleep_for(3s);
  }
  CHECK(recorder.messages().size() == messages.size());
  auto listed = b->uchetctl_json({"--json", "alarms", "--object", "lenina-5", "--tz", "Asia/Yekaterinburg"});
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["kind"] == "imbalance");
  CHECK(listed[0]["resource"] == "cold_water");
  CHECK(listed[0]["openedAt"] == zone.format_iso8601(midnight(3)));
  CHECK(listed[0]["closedAt"] == zone.format_iso8601(midnight(4)));
}
