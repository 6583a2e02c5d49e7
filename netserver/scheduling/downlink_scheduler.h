#pragma once
// The network server's view of every gateway's transmitter: a transmit timeline on its counter
// (transmit_timeline.h), its duty-cycle budget per sub-band (duty_cycle.h) and its downlink
// counters. The network server asks book() for each window it considers (RX1, RX2, another
// gateway that heard the uplink) and sends only what was booked; it releases a booking whose
// transmission did not go on air (the backend refused it, or a TX_ACK error).
//
// Class C ("immediately") transmissions have no counter time of their own. They are booked at
// the gateway's counter estimated from its latest reception (counter at the end of the
// reception, plus the steady-clock time since it reached this server), from that moment for
// their airtime plus kImmediateAllowance: the estimate lags the real counter by the reception's
// way to the server, and the forwarder starts an immediate packet some 40 ms after it gets it.
// Chosen over a wall-clock timeline of its own so that class C and class A bookings of one
// gateway are checked against each other.
//
// The same mapping converts a counter time into the steady clock for the duty-cycle hour.
//
// A gateway's duty-cycle hour outlives this scheduler only as saved figures (saved_airtime.h):
// they are accounted in its budget when the scheduler first books or hears for the gateway
// (uchetd started, or first schedules for a gateway another instance held), and again at a
// reception after kReseedAfterSilence without one (the gateway's path may have been at another
// instance meanwhile, and that instance's airtime is then in the saved figures). Accounting
// adds only what the budget does not already hold, so re-reading its own figures costs nothing.
//
// Pure (time is passed in); one thread (the network server's).
#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway-bridge/backend.h"
#include "gateway-bridge/transmission_airtime.h"
#include "netserver/lorawan/region.h"
#include "netserver/scheduling/downlink_priority.h"
#include "netserver/scheduling/duty_cycle.h"
#include "netserver/scheduling/saved_airtime.h"
#include "netserver/scheduling/transmit_timeline.h"

namespace uchet::netserver::scheduling {

inline constexpr std::chrono::milliseconds kImmediateAllowance{300};
// A reception after this long without one reads the gateway's saved airtime again.
inline constexpr std::chrono::minutes kReseedAfterSilence{1};

// Why a window could not be booked.
enum class Refusal : std::uint8_t {
  SlotTaken,     // overlaps (within kTurnaroundMargin) another booking on the gateway
  DutyCycle,     // the sub-band's budget (at the downlink's priority share) is spent
  NoSubBand,     // the frequency lies in no sub-band of the region
  UnknownClock,  // class C through a gateway not heard since start; GPS timing
  NoGateway,     // no other gateway heard the uplink (only when the first one was not tried)
};
std::string_view refusal_name(Refusal refusal);  // "slot_taken", "duty_cycle", ...

// Per gateway, since start. Refusals by reason: the scheduler's (refusal_name) when no window
// of a downlink could be booked, "gateway_unreachable" when the backend would not take it, and
// "tx_ack_<STATUS>" for an error the gateway reported.
struct GatewayDownlinkCounters {
  std::uint64_t planned = 0;       // windows booked (a downlink retried in RX2 books twice)
  std::uint64_t sent = 0;          // handed to the gateway
  std::uint64_t acknowledged = 0;  // TX_ACK without error
  std::uint64_t deferred = 0;      // MAC requests left for a later uplink (no airtime or slot)
  std::map<std::string, std::uint64_t> refused;
};

// Airtime of a transmission as the gateway sends it (gateway-bridge/transmission_airtime.h).
using gateway_bridge::transmission_airtime;

class DownlinkScheduler {
 public:
  using Time = std::chrono::steady_clock::time_point;

  // The region's sub-bands with the duty cycles in force; `saved` reads a gateway's saved
  // airtime (none: every budget starts full).
  explicit DownlinkScheduler(std::vector<lorawan::SubBand> sub_bands, SavedAirtimeSource saved = {});

  // A reception on the gateway: its counter at `received_at` (the clock class C and the duty
  // cycle use); prunes the bookings that ended.
  void heard(lorawan::Eui64 gateway_eui, std::uint64_t counter_us, Time received_at);

  // Books the transmission on the gateway when it fits both the timeline and the budget.
  std::expected<BookingId, Refusal> book(lorawan::Eui64 gateway_eui, const gateway_bridge::Transmission& transmission,
                                         DownlinkPriority priority, Time now);
  // The booking did not go on air: its slot and airtime are free again.
  void release(lorawan::Eui64 gateway_eui, BookingId id);

  GatewayDownlinkCounters& counters(lorawan::Eui64 gateway_eui);

  struct GatewayFigures {
    lorawan::Eui64 gateway_eui = 0;
    GatewayDownlinkCounters counters;
    std::vector<std::pair<std::string_view, std::chrono::microseconds>> airtime_last_hour;  // by sub-band
  };
  // Every gateway that had a reception or a downlink, by EUI.
  std::vector<GatewayFigures> figures(Time now);
  std::span<const lorawan::SubBand> sub_bands() const { return sub_bands_; }

 private:
  struct Gateway {
    explicit Gateway(std::span<const lorawan::SubBand> sub_bands) : duty_cycle(sub_bands) {}
    TransmitTimeline timeline;
    DutyCycle duty_cycle;
    bool seeded = false;  // saved airtime read since the entry was made
    bool clock_known = false;
    std::uint64_t counter_us = 0;  // at the latest reception
    Time received_at{};
    GatewayDownlinkCounters counters;
  };
  Gateway& gateway(lorawan::Eui64 gateway_eui);
  void account_saved(lorawan::Eui64 gateway_eui, Gateway& g, Time now);

  std::vector<lorawan::SubBand> sub_bands_;
  SavedAirtimeSource saved_;
  std::unordered_map<lorawan::Eui64, Gateway> gateways_;
  BookingId next_id_ = 1;
};

// A gateway's figures as named values: "planned", "sent", "acknowledged", "deferred",
// "refused.<reason>" and "airtime_us.<sub-band>" (last hour): what storage keeps
// (schema/gateway_downlink_figures.h) and the stop line prints.
std::vector<std::pair<std::string, std::int64_t>> figure_list(const DownlinkScheduler::GatewayFigures& figures);

}  // namespace uchet::netserver::scheduling
