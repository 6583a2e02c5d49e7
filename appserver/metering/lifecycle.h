#pragma once
// The lifecycle of a meter as a pure state machine: an append-only log of events (manufactured,
// installed, commissioned, verified, ...) from which the device's current state is derived.
// Nothing here touches storage or the clock; schema/lifecycle.h stores the log and uchetctl's
// lifecycle/passport commands drive it.
//
// Transition table (any cell not listed is refused):
//
//   event           from state                         to state
//   manufactured    in stock                           in stock
//   packed          in stock                           in stock
//   shipped         in stock                           in stock
//   installed       in stock, removed                  installed
//   commissioned    installed                          in service
//   inspected       in service                         in service
//   verified        in stock                           in stock           (first verification)
//                   in service                         in service         (on-site verification)
//                   under verification                 in service
//   repaired        under repair                       in service
//   removed         installed, in service              under repair        when details.reason = "repair"
//                                                      under verification  when details.reason = "verification"
//                                                      removed             otherwise
//                   under repair, under verification   removed             (beyond repair / failed verification)
//   decommissioned  in stock, removed                  decommissioned
//   disposed        decommissioned                     disposed
//
// A device with no events is in stock. Events must also come in time order: one earlier than
// the last recorded event is refused (the same instant is allowed).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "appserver/metering/time_zone.h"
#include "netserver/lorawan/types.h"

namespace uchet::appserver::lifecycle {

using lorawan::Result;

enum class Stage { InStock, Installed, InService, UnderRepair, UnderVerification, Removed, Decommissioned, Disposed };
enum class Kind {
  Manufactured,
  Packed,
  Shipped,
  Installed,
  Commissioned,
  Inspected,
  Verified,
  Repaired,
  Removed,
  Decommissioned,
  Disposed
};
enum class Role { Manufacturer, Designer, Installer, ResourceSupplier, Consumer, ServiceCompany, MetrologyLab };

inline constexpr std::array kAllStages = {Stage::InStock,        Stage::Installed,         Stage::InService,
                                          Stage::UnderRepair,    Stage::UnderVerification, Stage::Removed,
                                          Stage::Decommissioned, Stage::Disposed};
inline constexpr std::array kAllKinds = {Kind::Manufactured, Kind::Packed,         Kind::Shipped,  Kind::Installed,
                                         Kind::Commissioned, Kind::Inspected,      Kind::Verified, Kind::Repaired,
                                         Kind::Removed,      Kind::Decommissioned, Kind::Disposed};
inline constexpr std::array kAllRoles = {Role::Manufacturer,     Role::Designer, Role::Installer,
                                         Role::ResourceSupplier, Role::Consumer, Role::ServiceCompany,
                                         Role::MetrologyLab};

// Names as stored and typed: "in stock", "commissioned", "metrology-lab".
std::string_view name(Stage s);
std::string_view name(Kind k);
std::string_view name(Role r);
std::optional<Stage> parse_stage(std::string_view text);
std::optional<Kind> parse_kind(std::string_view text);
// Case-insensitive; ' ' and '_' count as '-' ("metrology lab" = "metrology-lab").
std::optional<Role> parse_role(std::string_view text);

struct Event {
  Kind kind = Kind::Manufactured;
  std::int64_t at = 0;  // Unix seconds
  std::string actor;
  Role role = Role::Manufacturer;
  std::string details = "{}";  // a JSON object; "reason" steers `removed` (see the table)
  std::string document;        // act / certificate reference, may be empty
};

struct State {
  Stage stage = Stage::InStock;
  std::optional<std::int64_t> last_at;  // time of the last applied event
  bool operator==(const State&) const = default;
};

// The stage `kind` leads to from `from`, or nullopt when the table refuses it. `reason` is the
// details' "reason" (only `removed` looks at it).
std::optional<Stage> transition(Stage from, Kind kind, std::string_view reason = {});

// Applies one event: refused when it does not fit the state ("cannot record 'commissioned' for a
// device in state 'in stock'"), when it is earlier than the last event, or when details is not a
// JSON object.
Result<State> apply(State state, const Event& event);
// Folds the events in order; the first refused one is the error (with its position).
Result<State> derive_state(const std::vector<Event>& events);

// The day verification is next due: the local date of `last_verified` plus `years` (29 February
// becomes 28 February), as the UTC instant that local day starts.
std::int64_t next_verification_due(const TimeZone& tz, std::int64_t last_verified, int years);
// Whole days from `now` until `due`, rounded down: negative when overdue.
std::int64_t days_until(std::int64_t now, std::int64_t due);

}  // namespace uchet::appserver::lifecycle
