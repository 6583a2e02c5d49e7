#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "appserver/metering/lifecycle.h"

namespace lc = uchet::appserver::lifecycle;
using lc::Kind;
using lc::Stage;
using uchet::appserver::TimeZone;

namespace {

lc::Event event(Kind kind, std::int64_t at = 1000, std::string details = "{}") {
  return lc::Event{kind, at, "someone", lc::Role::ServiceCompany, std::move(details), ""};
}

// The transition table written out independently of the implementation: (from, event) -> to.
// Every pair not listed must be refused. `removed` is listed without a reason here.
const std::map<std::pair<Stage, Kind>, Stage> kAccepted = {
    {{Stage::InStock, Kind::Manufactured}, Stage::InStock},
    {{Stage::InStock, Kind::Packed}, Stage::InStock},
    {{Stage::InStock, Kind::Shipped}, Stage::InStock},
    {{Stage::InStock, Kind::Installed}, Stage::Installed},
    {{Stage::InStock, Kind::Verified}, Stage::InStock},
    {{Stage::InStock, Kind::Decommissioned}, Stage::Decommissioned},
    {{Stage::Installed, Kind::Commissioned}, Stage::InService},
    {{Stage::Installed, Kind::Removed}, Stage::Removed},
    {{Stage::InService, Kind::Inspected}, Stage::InService},
    {{Stage::InService, Kind::Verified}, Stage::InService},
    {{Stage::InService, Kind::Removed}, Stage::Removed},
    {{Stage::UnderRepair, Kind::Repaired}, Stage::InService},
    {{Stage::UnderRepair, Kind::Removed}, Stage::Removed},
    {{Stage::UnderVerification, Kind::Verified}, Stage::InService},
    {{Stage::UnderVerification, Kind::Removed}, Stage::Removed},
    {{Stage::Removed, Kind::Installed}, Stage::Installed},
    {{Stage::Removed, Kind::Decommissioned}, Stage::Decommissioned},
    {{Stage::Decommissioned, Kind::Disposed}, Stage::Disposed},
};

}  // namespace

TEST_CASE("lifecycle: every event from every state is accepted or refused as the table says") {
  int accepted = 0, refused = 0;
  for (auto from : lc::kAllStages) {
    for (auto kind : lc::kAllKinds) {
      INFO("from '" << lc::name(from) << "' event '" << lc::name(kind) << "'");
      auto result = lc::apply(lc::State{from, 500}, event(kind));
      auto expected = kAccepted.find({from, kind});
      if (expected != kAccepted.end()) {
        REQUIRE(result);
        CHECK(result->stage == expected->second);
        CHECK(result->last_at == 1000);
        CHECK(lc::transition(from, kind) == expected->second);
        ++accepted;
      } else {
        REQUIRE_FALSE(result);
        CHECK(result.error() == "cannot record '" + std::string(lc::name(kind)) + "' for a device in state '" +
                                    std::string(lc::name(from)) + "'");
        CHECK_FALSE(lc::transition(from, kind));
        ++refused;
      }
    }
  }
  CHECK(accepted == static_cast<int>(kAccepted.size()));
  CHECK(accepted + refused == static_cast<int>(lc::kAllStages.size() * lc::kAllKinds.size()));
}

TEST_CASE("lifecycle: a removal's reason sends the meter to repair or verification") {
  for (auto from : {Stage::Installed, Stage::InService}) {
    INFO(lc::name(from));
    CHECK(lc::apply({from, {}}, event(Kind::Removed, 1, R"({"reason":"repair"})"))->stage == Stage::UnderRepair);
    CHECK(lc::apply({from, {}}, event(Kind::Removed, 1, R"({"reason":"verification"})"))->stage ==
          Stage::UnderVerification);
    CHECK(lc::apply({from, {}}, event(Kind::Removed, 1, R"({"reason":"replaced"})"))->stage == Stage::Removed);
    CHECK(lc::apply({from, {}}, event(Kind::Removed, 1, R"({"reason":7})"))->stage == Stage::Removed);
  }
  // From under repair / verification a removal is final whatever the reason.
  CHECK(lc::apply({Stage::UnderRepair, {}}, event(Kind::Removed, 1, R"({"reason":"repair"})"))->stage ==
        Stage::Removed);
  CHECK(lc::apply({Stage::UnderVerification, {}}, event(Kind::Removed, 1, R"({"reason":"verification"})"))->stage ==
        Stage::Removed);
  // Nothing else looks at the reason.
  CHECK_FALSE(lc::apply({Stage::InStock, {}}, event(Kind::Removed, 1, R"({"reason":"repair"})")));
  CHECK(lc::apply({Stage::Installed, {}}, event(Kind::Commissioned, 1, R"({"reason":"repair"})"))->stage ==
        Stage::InService);
}

TEST_CASE("lifecycle: events must come in time order, the same instant is allowed") {
  auto earlier = lc::apply({Stage::InStock, 2000}, event(Kind::Packed, 1999));
  REQUIRE_FALSE(earlier);
  CHECK(earlier.error() ==
        "cannot record 'packed' at 1970-01-01T00:33:19Z: it is earlier than the last recorded event "
        "(1970-01-01T00:33:20Z)");
  auto same = lc::apply({Stage::InStock, 2000}, event(Kind::Packed, 2000));
  REQUIRE(same);
  CHECK(same->last_at == 2000);
  CHECK(lc::apply({Stage::InStock, std::nullopt}, event(Kind::Packed, -5)));
}

TEST_CASE("lifecycle: details must be a JSON object") {
  CHECK(lc::apply({}, event(Kind::Manufactured, 1, "")));
  CHECK(lc::apply({}, event(Kind::Manufactured, 1, R"({"batch":"B7","seal":[1,2]})")));
  for (std::string bad : {"[1]", "\"text\"", "{broken", "42", "null"}) {
    INFO(bad);
    auto r = lc::apply({}, event(Kind::Manufactured, 1, bad));
    REQUIRE_FALSE(r);
    CHECK(r.error() == "details must be a JSON object");
  }
}

TEST_CASE("lifecycle: a full life from manufacture to disposal derives every state") {
  std::vector<std::pair<lc::Event, Stage>> life = {
      {event(Kind::Manufactured, 100), Stage::InStock},
      {event(Kind::Verified, 110), Stage::InStock},
      {event(Kind::Packed, 120), Stage::InStock},
      {event(Kind::Shipped, 130), Stage::InStock},
      {event(Kind::Installed, 140), Stage::Installed},
      {event(Kind::Commissioned, 150), Stage::InService},
      {event(Kind::Inspected, 160), Stage::InService},
      {event(Kind::Removed, 170, R"({"reason":"repair"})"), Stage::UnderRepair},
      {event(Kind::Repaired, 180), Stage::InService},
      {event(Kind::Removed, 190, R"({"reason":"verification"})"), Stage::UnderVerification},
      {event(Kind::Verified, 200), Stage::InService},
      {event(Kind::Verified, 205), Stage::InService},
      {event(Kind::Removed, 210), Stage::Removed},
      {event(Kind::Installed, 220), Stage::Installed},
      {event(Kind::Removed, 230), Stage::Removed},
      {event(Kind::Decommissioned, 240), Stage::Decommissioned},
      {event(Kind::Disposed, 250), Stage::Disposed},
  };
  std::vector<lc::Event> events;
  for (const auto& [e, stage] : life) {
    events.push_back(e);
    auto state = lc::derive_state(events);
    INFO(events.size() << ": " << lc::name(e.kind));
    REQUIRE(state);
    CHECK(state->stage == stage);
    CHECK(state->last_at == e.at);
  }
  CHECK(lc::derive_state({})->stage == Stage::InStock);
  CHECK_FALSE(lc::derive_state({})->last_at);

  events.push_back(event(Kind::Installed, 260));
  auto after_disposal = lc::derive_state(events);
  REQUIRE_FALSE(after_disposal);
  CHECK(after_disposal.error() == "event 18: cannot record 'installed' for a device in state 'disposed'");
}

TEST_CASE("lifecycle: names round-trip and roles accept spaces and capitals") {
  for (auto s : lc::kAllStages) CHECK(lc::parse_stage(lc::name(s)) == s);
  for (auto k : lc::kAllKinds) CHECK(lc::parse_kind(lc::name(k)) == k);
  for (auto r : lc::kAllRoles) CHECK(lc::parse_role(lc::name(r)) == r);
  CHECK(lc::parse_role("Metrology Lab") == lc::Role::MetrologyLab);
  CHECK(lc::parse_role("resource_supplier") == lc::Role::ResourceSupplier);
  CHECK(lc::parse_role("service company") == lc::Role::ServiceCompany);
  CHECK_FALSE(lc::parse_role("plumber"));
  CHECK_FALSE(lc::parse_kind("Installed"));
  CHECK_FALSE(lc::parse_kind("broken"));
}

TEST_CASE("lifecycle: the next verification is due on the same local date N years later") {
  auto tz = TimeZone::load("Asia/Yekaterinburg");
  REQUIRE(tz);
  auto at = [&](std::string_view text) { return *tz->parse_time(text); };
  // Verified in the afternoon of 15 March 2020: due at the start of 15 March 2026, local time.
  CHECK(lc::next_verification_due(*tz, at("2020-03-15T14:30"), 6) == at("2026-03-15T00:00:00+05:00"));
  // 29 February with no 29 February in the due year: 28 February.
  CHECK(lc::next_verification_due(*tz, at("2024-02-29T10:00"), 2) == at("2026-02-28"));
  CHECK(lc::next_verification_due(*tz, at("2024-02-29T10:00"), 4) == at("2028-02-29"));
  // Local date, not UTC date: 23:30 local on 31 Dec is 18:30 UTC the same day; 02:00 local on
  // 1 Jan is still 31 Dec in UTC but counts as 1 January.
  CHECK(lc::next_verification_due(*tz, at("2021-01-01T02:00"), 4) == at("2025-01-01"));

  CHECK(lc::days_until(at("2026-03-01"), at("2026-03-15")) == 14);
  CHECK(lc::days_until(at("2026-03-01T12:00"), at("2026-03-15")) == 13);
  CHECK(lc::days_until(at("2026-03-15"), at("2026-03-15")) == 0);
  CHECK(lc::days_until(at("2026-03-15T00:00:01"), at("2026-03-15")) == -1);
  // 2023-01-10 to 2026-03-01: 365 + 366 + 365 + 21 + 28 days.
  CHECK(lc::days_until(at("2026-03-01"), at("2023-01-10")) == -1146);
}
