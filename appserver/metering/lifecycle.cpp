#include "appserver/metering/lifecycle.h"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "common/civil_time.h"

namespace uchet::appserver::lifecycle {
namespace {

constexpr std::int64_t kDay = 86400;

using common::floor_div;

}  // namespace

std::string_view name(Stage s) {
  switch (s) {
    case Stage::InStock:
      return "in stock";
    case Stage::Installed:
      return "installed";
    case Stage::InService:
      return "in service";
    case Stage::UnderRepair:
      return "under repair";
    case Stage::UnderVerification:
      return "under verification";
    case Stage::Removed:
      return "removed";
    case Stage::Decommissioned:
      return "decommissioned";
    case Stage::Disposed:
      return "disposed";
  }
  return "?";
}

std::string_view name(Kind k) {
  switch (k) {
    case Kind::Manufactured:
      return "manufactured";
    case Kind::Packed:
      return "packed";
    case Kind::Shipped:
      return "shipped";
    case Kind::Installed:
      return "installed";
    case Kind::Commissioned:
      return "commissioned";
    case Kind::Inspected:
      return "inspected";
    case Kind::Verified:
      return "verified";
    case Kind::Repaired:
      return "repaired";
    case Kind::Removed:
      return "removed";
    case Kind::Decommissioned:
      return "decommissioned";
    case Kind::Disposed:
      return "disposed";
  }
  return "?";
}

std::string_view name(Role r) {
  switch (r) {
    case Role::Manufacturer:
      return "manufacturer";
    case Role::Designer:
      return "designer";
    case Role::Installer:
      return "installer";
    case Role::ResourceSupplier:
      return "resource-supplier";
    case Role::Consumer:
      return "consumer";
    case Role::ServiceCompany:
      return "service-company";
    case Role::MetrologyLab:
      return "metrology-lab";
  }
  return "?";
}

std::optional<Stage> parse_stage(std::string_view text) {
  for (auto s : kAllStages)
    if (name(s) == text) return s;
  return std::nullopt;
}

std::optional<Kind> parse_kind(std::string_view text) {
  for (auto k : kAllKinds)
    if (name(k) == text) return k;
  return std::nullopt;
}

std::optional<Role> parse_role(std::string_view text) {
  std::string norm;
  for (char c : text)
    norm += (c == ' ' || c == '_') ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto r : kAllRoles)
    if (name(r) == norm) return r;
  return std::nullopt;
}

std::optional<Stage> transition(Stage from, Kind kind, std::string_view reason) {
  using S = Stage;
  switch (kind) {
    case Kind::Manufactured:
    case Kind::Packed:
    case Kind::Shipped:
      if (from == S::InStock) return S::InStock;
      break;
    case Kind::Installed:
      if (from == S::InStock || from == S::Removed) return S::Installed;
      break;
    case Kind::Commissioned:
      if (from == S::Installed) return S::InService;
      break;
    case Kind::Inspected:
      if (from == S::InService) return S::InService;
      break;
    case Kind::Verified:
      if (from == S::InStock) return S::InStock;
      if (from == S::InService || from == S::UnderVerification) return S::InService;
      break;
    case Kind::Repaired:
      if (from == S::UnderRepair) return S::InService;
      break;
    case Kind::Removed:
      if (from == S::Installed || from == S::InService) {
        if (reason == "repair") return S::UnderRepair;
        if (reason == "verification") return S::UnderVerification;
        return S::Removed;
      }
      if (from == S::UnderRepair || from == S::UnderVerification) return S::Removed;
      break;
    case Kind::Decommissioned:
      if (from == S::InStock || from == S::Removed) return S::Decommissioned;
      break;
    case Kind::Disposed:
      if (from == S::Decommissioned) return S::Disposed;
      break;
  }
  return std::nullopt;
}

Result<State> apply(State state, const Event& event) {
  auto details = nlohmann::json::parse(event.details.empty() ? std::string("{}") : event.details, nullptr, false);
  if (details.is_discarded() || !details.is_object()) {
    return std::unexpected(std::string("details must be a JSON object"));
  }
  if (state.last_at && event.at < *state.last_at) {
    return std::unexpected(fmt::format("cannot record '{}' at {}: it is earlier than the last recorded event ({})",
                                       name(event.kind), common::format_utc(event.at),
                                       common::format_utc(*state.last_at)));
  }
  std::string reason;
  if (auto it = details.find("reason"); it != details.end() && it->is_string()) reason = it->get<std::string>();
  auto next = transition(state.stage, event.kind, reason);
  if (!next) {
    return std::unexpected(
        fmt::format("cannot record '{}' for a device in state '{}'", name(event.kind), name(state.stage)));
  }
  return State{*next, event.at};
}

Result<State> derive_state(const std::vector<Event>& events) {
  State state;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto next = apply(state, events[i]);
    if (!next) return std::unexpected(fmt::format("event {}: {}", i + 1, next.error()));
    state = *next;
  }
  return state;
}

std::int64_t next_verification_due(const TimeZone& tz, std::int64_t last_verified, int years) {
  const std::int64_t local = last_verified + tz.utc_offset_at(last_verified);
  auto [y, m, d] = common::civil_from_days(floor_div(local, kDay));
  y += years;
  if (m == 2 && d == 29 && !common::is_leap_year(y)) d = 28;
  auto start = tz.parse_time(fmt::format("{:04}-{:02}-{:02}", y, m, d));
  if (start) return *start;
  // Outside the range parse_time accepts: fall back to the same local offset.
  return common::days_from_civil(y, m, d) * kDay - tz.utc_offset_at(last_verified);
}

std::int64_t days_until(std::int64_t now, std::int64_t due) { return floor_div(due - now, kDay); }

}  // namespace uchet::appserver::lifecycle
