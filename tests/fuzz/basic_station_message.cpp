// Fuzz target: any text a Basics Station (or anyone reaching [basic_station] bind) sends, through
// the message layer: traffic-socket messages (jreq/updf/propdf with the PHYPayload rebuilt,
// version, dntxed, timesync, unknown types), the /router-info request and the EUI text forms. An
// uplink that parses is answered as class A, which writes a dnmsg, and must keep its contract.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "gateway-bridge/basic_station/eui_text.h"
#include "gateway-bridge/basic_station/messages.h"
#include "netserver/lorawan/region.h"

namespace bs = uchet::gateway_bridge::basic_station;
namespace gb = uchet::gateway_bridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto region = uchet::lorawan::region_by_name("RU864").value();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bs::parse_discovery_request(text);
  if (auto eui = bs::parse_eui_text(text)) {
    // Whatever parsed must read back as the same EUI in both output forms.
    if (bs::parse_eui_text(bs::format_eui_id6(*eui)) != *eui) std::abort();
    if (bs::parse_eui_text(bs::format_eui_dashed(*eui)) != *eui) std::abort();
  }
  auto message = bs::parse_station_message(text, region, 1, std::chrono::steady_clock::time_point{});
  if (!message) return 0;
  if (auto* up = std::get_if<bs::UplinkMessage>(&*message)) {
    const auto& rx = up->reception;
    if (rx.phy_payload.empty() || rx.phy_payload.size() > gb::kMaxPhyPayloadSize) std::abort();
    if (rx.counter.context != up->xtime || rx.counter.counter_us != (up->xtime & bs::kXtimeCounterMask)) std::abort();
    gb::Transmission tx;
    tx.timing = rx.counter.after(std::chrono::seconds(1));
    tx.frequency_hz = rx.frequency_hz;
    tx.data_rate = rx.data_rate;
    tx.phy_payload = rx.phy_payload;
    auto dnmsg = bs::build_dnmsg(tx, region, {.diid = 1, .dev_eui = 2, .rctx = up->rctx}, gb::UtcTime{});
    if (!dnmsg) std::abort();  // everything a parsed uplink carries is valid for its answer
  }
  return 0;
}
