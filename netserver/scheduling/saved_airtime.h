#pragma once
// A gateway's duty-cycle hour as uchetd last saved it (the "airtime_us.<sub-band>" figures of
// schema/gateway_downlink_figures.h, every minute and at stop), read back when a scheduler
// starts keeping the gateway's budget: after uchetd restarts, and on an instance that takes over
// the gateway's downlink path from another (several uchetd on one PostgreSQL). Without it the
// budget would start full and the gateway could put up to twice the legal airtime on air within
// one hour.
//
// The saved airtime counts as spent at the moment of the save (DutyCycle::account_earlier): it
// leaves the hour one hour after the save, never earlier than what it stands for. A save older
// than the hour is ignored, and so is a sub-band the configured region no longer names.
//
// The reading itself (SQL) is the caller's (uchetd: read_saved_airtime in tools/uchetd/daemon.cpp); what
// is here is pure. One thread (the network server's).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netserver/lorawan/types.h"
#include "netserver/scheduling/duty_cycle.h"

namespace uchet::netserver::scheduling {

// Prefix of a sub-band's airtime among a gateway's figures: "airtime_us.868.7-869.2".
inline constexpr std::string_view kAirtimeFigurePrefix = "airtime_us.";

struct SavedAirtime {
  std::chrono::seconds age{0};  // how long before now the figures were saved
  std::vector<std::pair<std::string, std::chrono::microseconds>> by_sub_band;  // by sub-band name
};

// The airtime figures among a gateway's saved figures (name, value), saved `age` ago; other
// figures and negative values are left out.
SavedAirtime saved_airtime(const std::vector<std::pair<std::string, std::int64_t>>& figures, std::chrono::seconds age);

// Accounts `saved` in `budget` as spent at now - age (a negative age, a clock ahead, as now).
// Returns how many sub-bands were accounted: none when the save is an hour old or older;
// sub-bands named in the save but not among budget.sub_bands() are skipped.
std::size_t account_saved_airtime(DutyCycle& budget, const SavedAirtime& saved, DutyCycle::Time now);

// The saved figures of a gateway, or nullopt (none saved, or they could not be read).
using SavedAirtimeSource = std::function<std::optional<SavedAirtime>(lorawan::Eui64 gateway_eui)>;

}  // namespace uchet::netserver::scheduling
