#pragma once
// DevStatusReq / DevStatusAns (LoRaWAN 1.0.4 §5.5): the device's battery and demodulation
// margin, asked at most every dev_status_interval and, across the whole network, at most at
// the rate of the given token bucket. Called by the uplink handler (data_handler.cpp).
#include <chrono>
#include <cstdint>
#include <optional>

#include "netserver/events.h"
#include "netserver/lorawan/mac_commands.h"
#include "netserver/mac_state.h"
#include "netserver/token_bucket.h"

namespace uchet::netserver::maccommand {

// The status event for the device's answer (its deduplication_id is set when it is sent).
StatusEvent dev_status_event(const lorawan::DevStatusAns& answer, const schema::Device* device, SystemTime time);

// DevStatusReq when the interval (0: never) has passed since the last request and the budget
// has a token; the request is then recorded in `mac`. Due but over budget: counted in
// `deferred` and asked at a later uplink.
std::optional<lorawan::DevStatusReq> dev_status_request(std::chrono::seconds interval, TokenBucket& budget,
                                                        MacState& mac, std::int64_t now_unix, std::uint64_t& deferred);

}  // namespace uchet::netserver::maccommand
