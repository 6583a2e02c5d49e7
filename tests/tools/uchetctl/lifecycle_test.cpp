#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "tests/tools/uchetctl/uchetctl_support.h"

using uchet::test::Uchetctl;

namespace {

const std::string kEui = "0011223344556677";

void add_device(const Uchetctl& ctl, const std::string& eui, const std::string& serial, const std::string& name) {
  if (ctl({"application", "list"}).out.find("water") == std::string::npos) {
    REQUIRE(ctl({"application", "add", "water"}).exit_code == 0);
  }
  REQUIRE(ctl({"device", "add", eui, "--app", "water", "--join-eui", "70b3d57ed0000000", "--app-key",
               "000102030405060708090a0b0c0d0e0f", "--codec", "karat-926lw", "--serial", serial, "--name", name})
              .exit_code == 0);
}

std::vector<std::string> event(const std::string& eui, const std::string& kind, const std::string& at,
                               const std::string& actor, const std::string& role, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"lifecycle", "add",     eui,   "--event", kind, "--at",
                                   at,          "--actor", actor, "--role",  role};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

struct Step {
  std::vector<std::string> args;
  std::string state;
};

}  // namespace

TEST_CASE("a full passport from manufacture to disposal, and every out-of-order event refused") {
  Uchetctl ctl;
  add_device(ctl, kEui, "926001234", "кв. 12 ХВС");
  auto set = ctl.json({"passport", "set", kEui, "--model", "KARAT-926LW", "--owner", "Иванов И. И.",
                       "--verification-interval-years", "6", "--manufacture-date", "2025-01-10"});
  CHECK(set["model"] == "KARAT-926LW");
  CHECK(set["manufactureDate"] == "2025-01-10");
  CHECK(set["verificationIntervalYears"] == 6);

  // Every event kind, each checked against the whole refused set before it is recorded.
  const std::vector<Step> life = {
      {event(kEui, "manufactured", "2025-01-10T09:00", "НПО КАРАТ", "manufacturer", {"--doc", "ОТК-2025-0110"}),
       "in stock"},
      {event(kEui, "verified", "2025-01-12T10:00", "ФБУ Уральский ЦСМ", "metrology lab",
             {"--details", R"({"arshin":"С-ВЯ/12-01-2025/400000001"})"}),
       "in stock"},
      {event(kEui, "packed", "2025-01-13", "НПО КАРАТ", "manufacturer"), "in stock"},
      {event(kEui, "shipped", "2025-01-20", "НПО КАРАТ", "manufacturer", {"--doc", "ТН 77"}), "in stock"},
      {event(kEui, "installed", "2025-02-03T11:00", "ООО Монтаж", "installer", {"--details", R"({"seal":"0012345"})"}),
       "installed"},
      {event(kEui, "commissioned", "2025-02-10T15:00", "УК Уют", "service-company", {"--doc", "акт ввода № 15"}),
       "in service"},
      {event(kEui, "inspected", "2025-09-01", "Водоканал", "resource-supplier"), "in service"},
      {event(kEui, "removed", "2026-01-15", "УК Уют", "service-company", {"--details", R"({"reason":"repair"})"}),
       "under repair"},
      {event(kEui, "repaired", "2026-01-20", "УК Уют", "service-company"), "in service"},
      {event(kEui, "removed", "2026-06-01", "УК Уют", "service-company", {"--details", R"({"reason":"verification"})"}),
       "under verification"},
      {event(kEui, "verified", "2026-06-05T12:00", "ФБУ Уральский ЦСМ", "metrology-lab"), "in service"},
      {event(kEui, "inspected", "2026-07-01", "Иванов И. И.", "consumer"), "in service"},
      {event(kEui, "removed", "2027-03-01", "УК Уют", "service-company", {"--doc", "акт снятия № 3"}), "removed"},
      {event(kEui, "decommissioned", "2027-03-02", "УК Уют", "service-company"), "decommissioned"},
      {event(kEui, "disposed", "2027-04-01", "ООО Утилизация", "service-company"), "disposed"},
  };
  const std::vector<std::string> kinds = {"manufactured", "packed",         "shipped",  "installed",
                                          "commissioned", "inspected",      "verified", "repaired",
                                          "removed",      "decommissioned", "disposed"};
  // The kinds each state accepts (docs/lifecycle.md); every other kind must be refused.
  const std::map<std::string, std::set<std::string>> accepted = {
      {"in stock", {"manufactured", "packed", "shipped", "installed", "verified", "decommissioned"}},
      {"installed", {"commissioned", "removed"}},
      {"in service", {"inspected", "verified", "removed"}},
      {"under repair", {"repaired", "removed"}},
      {"under verification", {"verified", "removed"}},
      {"removed", {"installed", "decommissioned"}},
      {"decommissioned", {"disposed"}},
      {"disposed", {}},
  };
  int refusals = 0;
  auto refuse_all_but_accepted = [&] {
    auto before = ctl.dump();
    auto state = ctl.json({"passport", kEui})["state"].get<std::string>();
    REQUIRE(accepted.count(state));
    for (const auto& kind : kinds) {
      if (accepted.at(state).count(kind)) continue;
      auto r = ctl(event(kEui, kind, "2027-12-31", "x", "consumer"));
      INFO("'" << kind << "' in state '" << state << "': " << r.err);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Catch::Contains("cannot record '" + kind + "' for a device in state '" + state + "'"));
      ++refusals;
    }
    CHECK(ctl.dump() == before);
  };
  for (std::size_t i = 0; i < life.size(); ++i) {
    const auto& step = life[i];
    refuse_all_but_accepted();
    auto before = ctl.dump();
    auto r = ctl.json(step.args);
    CHECK(r["stateAfter"] == step.state);
    // The next step's event (or any) earlier than the one just recorded is refused.
    const auto& next = i + 1 < life.size() ? life[i + 1].args : step.args;
    auto early_args = next;
    early_args[6] = "2025-01-01";
    auto after = ctl.dump();
    auto early = ctl(early_args);
    INFO(early.err);
    CHECK(early.exit_code == 2);
    CHECK_THAT(early.err, Catch::Contains("it is earlier than the last recorded event"));
    CHECK(ctl.dump() == after);
  }
  refuse_all_but_accepted();  // disposed: everything
  // 8 states x 11 kinds = 88 cells, 18 accepted; in stock and in service are visited several times.
  CHECK(refusals >= 88 - 18);

  auto p = ctl.json({"passport", kEui});
  CHECK(p["devEui"] == kEui);
  CHECK(p["serial"] == "926001234");
  CHECK(p["name"] == "кв. 12 ХВС");
  CHECK(p["codec"] == "karat-926lw");
  CHECK(p["model"] == "KARAT-926LW");
  CHECK(p["owner"] == "Иванов И. И.");
  CHECK(p["manufactureDate"] == "2025-01-10");
  CHECK(p["verificationIntervalYears"] == 6);
  CHECK(p["lastVerification"] == "2026-06-05");
  CHECK(p["nextVerificationDue"] == "2032-06-05");
  CHECK(p["commissioningDate"] == "2025-02-10");
  CHECK(p["state"] == "disposed");
  REQUIRE(p["events"].size() == life.size());
  CHECK(p["events"][0]["event"] == "manufactured");
  CHECK(p["events"][0]["at"] == "2025-01-10T09:00:00+05:00");
  CHECK(p["events"][0]["document"] == "ОТК-2025-0110");
  CHECK(p["events"][1]["role"] == "metrology-lab");
  CHECK(p["events"][1]["details"]["arshin"] == "С-ВЯ/12-01-2025/400000001");
  CHECK(p["events"][14]["stateAfter"] == "disposed");

  auto text = ctl({"passport", kEui});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("next verification due: 2032-06-05") && Catch::Contains("state:") &&
                           Catch::Contains("disposed") && Catch::Contains("акт ввода № 15"));
  auto shown = ctl.json({"lifecycle", "show", kEui});
  CHECK(shown == p["events"]);
  CHECK_THAT(ctl({"lifecycle", "show", kEui}).out, Catch::Contains("under verification"));

  // The global --json may also follow the command.
  auto trailing = ctl({"passport", kEui, "--json"});
  REQUIRE(trailing.exit_code == 0);
  CHECK(nlohmann::json::parse(trailing.out)["state"] == "disposed");
}

TEST_CASE("lifecycle events are append-only but go with their device") {
  Uchetctl ctl;
  add_device(ctl, kEui, "1", "a");
  add_device(ctl, "0011223344556678", "2", "b");
  REQUIRE(ctl(event(kEui, "manufactured", "2025-01-10", "НПО КАРАТ", "manufacturer")).exit_code == 0);
  REQUIRE(ctl(event("0011223344556678", "manufactured", "2025-01-10", "НПО КАРАТ", "manufacturer")).exit_code == 0);
  REQUIRE(ctl({"passport", "set", kEui, "--model", "M"}).exit_code == 0);
  const std::string db = ctl.database();
  auto before = ctl.dump();
  CHECK_THROWS_WITH(ctl.sql("UPDATE lifecycle_event SET actor = 'someone else'"), Catch::Contains("append-only"));
  CHECK_THROWS_WITH(ctl.sql("DELETE FROM lifecycle_event"), Catch::Contains("append-only"));
  CHECK(ctl.dump() == before);

  REQUIRE(ctl({"device", "remove", kEui}).exit_code == 0);
  CHECK(uchet::test::sql_texts(db, "SELECT dev_eui FROM lifecycle_event") ==
        std::vector<std::optional<std::string>>{"0011223344556678"});
  CHECK(uchet::test::sql_int64s(db, "SELECT count(*) FROM passport") == std::vector<std::int64_t>{0});
}

TEST_CASE("verification due lists meters due within the period or overdue, with days left") {
  Uchetctl ctl;
  add_device(ctl, "0011223344556601", "926000001", "кв. 1 ХВС");
  add_device(ctl, "0011223344556602", "926000002", "кв. 1 ГВС");
  add_device(ctl, "0011223344556603", "926000003", "кв. 2 ХВС");
  add_device(ctl, "0011223344556604", "926000004", "кв. 3 ХВС");
  add_device(ctl, "0011223344556605", "926000005", "кв. 4 ХВС");
  // 01: verified 2020-03-15 (event), 6 years -> due 2026-03-15: 14 days after 2026-03-01.
  REQUIRE(ctl(event("0011223344556601", "verified", "2020-03-15T14:30", "ЦСМ", "metrology-lab")).exit_code == 0);
  REQUIRE(ctl({"passport", "set", "0011223344556601", "--verification-interval-years", "6", "--model", "KARAT-926LW"})
              .exit_code == 0);
  // 02: verified 2019-01-10 (paper passport), 4 years -> due 2023-01-10: 1146 days overdue.
  REQUIRE(ctl({"passport", "set", "0011223344556602", "--verification-interval-years", "4", "--last-verification-date",
               "2019-01-10"})
              .exit_code == 0);
  // 03: verified 29 Feb 2024, 2 years -> due 28 Feb 2026: 1 day overdue.
  REQUIRE(ctl(event("0011223344556603", "verified", "2024-02-29", "ЦСМ", "metrology-lab")).exit_code == 0);
  REQUIRE(ctl({"passport", "set", "0011223344556603", "--verification-interval-years", "2"}).exit_code == 0);
  // 04: due 2026-06-01, outside 30 days.
  REQUIRE(ctl({"passport", "set", "0011223344556604", "--verification-interval-years", "6", "--last-verification-date",
               "2020-06-01"})
              .exit_code == 0);
  // 05: overdue but decommissioned: nothing to verify.
  REQUIRE(ctl(event("0011223344556605", "verified", "2015-01-01", "ЦСМ", "metrology-lab")).exit_code == 0);
  REQUIRE(ctl(event("0011223344556605", "decommissioned", "2016-01-01", "УК", "service-company")).exit_code == 0);
  REQUIRE(ctl({"passport", "set", "0011223344556605", "--verification-interval-years", "4"}).exit_code == 0);

  auto due = ctl.json({"verification", "due", "--within", "30d", "--now", "2026-03-01"});
  REQUIRE(due.size() == 3);
  CHECK(due[0]["devEui"] == "0011223344556602");
  CHECK(due[0]["due"] == "2023-01-10");
  CHECK(due[0]["daysLeft"] == -1146);
  CHECK(due[0]["overdue"] == true);
  CHECK(due[1]["devEui"] == "0011223344556603");
  CHECK(due[1]["lastVerification"] == "2024-02-29");
  CHECK(due[1]["due"] == "2026-02-28");
  CHECK(due[1]["daysLeft"] == -1);
  CHECK(due[2]["devEui"] == "0011223344556601");
  CHECK(due[2]["model"] == "KARAT-926LW");
  CHECK(due[2]["lastVerification"] == "2020-03-15");
  CHECK(due[2]["due"] == "2026-03-15");
  CHECK(due[2]["daysLeft"] == 14);
  CHECK(due[2]["overdue"] == false);

  CHECK(ctl.json({"verification", "due", "--within", "13d", "--now", "2026-03-01"}).size() == 2);
  CHECK(ctl.json({"verification", "due", "--within", "100d", "--now", "2026-03-01"}).size() == 4);
  auto text = ctl({"verification", "due", "--within", "30d", "--now", "2026-03-01"});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("2026-03-15  14") && Catch::Contains("-1146 (overdue)"));

  // A later verified event moves the due date.
  REQUIRE(ctl(event("0011223344556601", "verified", "2026-02-20", "ЦСМ", "metrology-lab")).exit_code == 0);
  auto p = ctl.json({"passport", "0011223344556601"});
  CHECK(p["lastVerification"] == "2026-02-20");
  CHECK(p["nextVerificationDue"] == "2032-02-20");
  CHECK(ctl.json({"verification", "due", "--within", "30d", "--now", "2026-03-01"}).size() == 2);
}

TEST_CASE("bad lifecycle and passport input exits 2 naming the field and changes nothing") {
  Uchetctl ctl;
  add_device(ctl, kEui, "1", "a");
  REQUIRE(ctl(event(kEui, "manufactured", "2025-01-10", "НПО КАРАТ", "manufacturer")).exit_code == 0);
  auto before = ctl.dump();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {event(kEui, "broken", "2025-02-01", "x", "installer"), "--event: unknown lifecycle event 'broken'"},
      {event(kEui, "installed", "2025-02-01", "x", "plumber"), "--role: unknown role 'plumber'"},
      {event(kEui, "installed", "2025-02-01", "x", "installer", {"--details", "{not json"}),
       "--details: not valid JSON"},
      {event(kEui, "installed", "2025-02-01", "x", "installer", {"--details", "[1,2]"}),
       "--details must be a JSON object"},
      {event(kEui, "installed", "yesterday", "x", "installer"), "--at: bad time \"yesterday\""},
      {event(kEui, "installed", "2025-02-30", "x", "installer"), "--at: bad time"},
      {event(kEui, "installed", "2025-02-01", "", "installer"), "--actor must not be empty"},
      {event(kEui, "installed", "2025-01-09", "x", "installer"),
       "earlier than the last recorded event (2025-01-10T00:00:00+05:00)"},
      {event(kEui, "commissioned", "2025-02-01", "x", "installer"),
       "cannot record 'commissioned' for a device in state 'in stock'"},
      {event("0011223344556699", "installed", "2025-02-01", "x", "installer"), "no device 0011223344556699"},
      {event("00112233", "installed", "2025-02-01", "x", "installer"), "DevEUI must be 16 hex digits"},
      {{"lifecycle", "add", kEui, "--event", "installed", "--at", "2025-02-01", "--role", "installer"},
       "--actor is required"},
      {{"lifecycle", "show", "0011223344556699"}, "no device 0011223344556699"},
      {{"passport", "0011223344556699"}, "no device 0011223344556699"},
      {{"passport"}, "DEV_EUI is required"},
      {{"passport", "set", kEui}, "nothing to set"},
      {{"passport", "set", kEui, "--verification-interval-years", "0"},
       "--verification-interval-years must be between 1 and 50"},
      {{"passport", "set", kEui, "--verification-interval-years", "six"}, "--verification-interval-years"},
      {{"passport", "set", kEui, "--manufacture-date", "2025-13-01"}, "--manufacture-date: bad time"},
      {{"passport", "set", kEui, "--model", "M", "--last-verification-date", "soon"},
       "--last-verification-date: bad time"},
      {{"verification", "due", "--within", "a month"}, "--within must be a duration"},
      {{"verification", "due", "--now", "tomorrow"}, "--now: bad time"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
  CHECK(ctl.dump() == before);
}
