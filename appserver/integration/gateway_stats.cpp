#include "appserver/integration/gateway_stats.h"

#include "appserver/integration/integration_events.h"
#include "appserver/integration/outbox.h"
#include "appserver/integration/topics.h"
#include "common/json_writer.h"
#include "netserver/lorawan/encoding.h"
#include "schema/gateways.h"

namespace uchet::appserver {

using common::JsonWriter;

void record_gateway_stats(schema::Database& db, lorawan::Eui64 gateway_eui, const gateway_bridge::GatewayStats& s) {
  const auto eui = lorawan::eui64_to_string(gateway_eui);
  const auto now = std::chrono::system_clock::now();
  schema::Transaction tx(db);
  // The forwarder's counters cover one stat interval each, so they are summed.
  schema::add_gateway_stats(db, gateway_eui,
                            {static_cast<std::int64_t>(s.rx_received), static_cast<std::int64_t>(s.rx_crc_ok),
                             static_cast<std::int64_t>(s.rx_forwarded), static_cast<std::int64_t>(s.downlinks_received),
                             static_cast<std::int64_t>(s.downlinks_transmitted)});
  JsonWriter j;
  j.begin_object();
  j.key("gatewayId").string(eui);
  j.key("time").string(iso8601_utc(s.time ? netserver::SystemTime(*s.time) : now));
  j.key("rxPacketsReceived").number(s.rx_received);
  j.key("rxPacketsReceivedOk").number(s.rx_crc_ok);
  j.key("rxPacketsForwarded").number(s.rx_forwarded);
  j.key("pushAckedPercent").number(s.push_acked_percent);
  j.key("txPacketsReceived").number(s.downlinks_received);
  j.key("txPacketsEmitted").number(s.downlinks_transmitted);
  if (s.position) {
    schema::set_gateway_position(db, gateway_eui, s.position->latitude_deg, s.position->longitude_deg,
                                 s.position->altitude_m);
    j.key("location").begin_object();
    j.key("latitude").number(s.position->latitude_deg);
    j.key("longitude").number(s.position->longitude_deg);
    j.key("altitude").number(s.position->altitude_m.value_or(0));
    j.end_object();
  }
  j.end_object();
  enqueue_event(db, gateway_event_topic(gateway_eui, "stats"), j.str());
  tx.commit();
}

}  // namespace uchet::appserver
