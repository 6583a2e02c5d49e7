#include "appserver/integration/gateway_stats.h"

#include <fmt/format.h>

#include "appserver/integration/integration_events.h"
#include "appserver/integration/outbox.h"
#include "appserver/integration/topics.h"
#include "common/json_writer.h"
#include "netserver/lorawan/encoding.h"
#include "schema/gateways.h"

namespace uchet::appserver {

using common::JsonWriter;

std::string gateway_stats_json(lorawan::Eui64 gateway_eui, const gateway_bridge::GatewayStats& s,
                               netserver::SystemTime now) {
  JsonWriter j;
  j.begin_object();
  j.key("gatewayId").string(lorawan::eui64_to_string(gateway_eui));
  j.key("time").string(iso8601_utc(s.time ? netserver::SystemTime(*s.time) : now));
  if (s.position) {
    write_gateway_location(j, {s.position->latitude_deg, s.position->longitude_deg, s.position->altitude_m.value_or(0)},
                           "GPS");
  }
  j.key("rxPacketsReceived").number(s.rx_received);
  j.key("rxPacketsReceivedOk").number(s.rx_crc_ok);
  j.key("txPacketsReceived").number(s.downlinks_received);
  j.key("txPacketsEmitted").number(s.downlinks_transmitted);
  // What the forwarder reports beyond gw.GatewayStats' counters: ChirpStack's place for it is
  // the string map `metadata`.
  j.key("metadata").begin_object();
  j.key("rxPacketsForwarded").string(std::to_string(s.rx_forwarded));
  j.key("pushAckedPercent").string(fmt::format("{:g}", s.push_acked_percent));
  if (s.temperature_c) j.key("temperature").string(fmt::format("{:g}", *s.temperature_c));
  j.end_object();
  j.end_object();
  return j.str();
}

void record_gateway_stats(schema::Database& db, lorawan::Eui64 gateway_eui, const gateway_bridge::GatewayStats& s) {
  schema::Transaction tx(db);
  // The forwarder's counters cover one stat interval each, so they are summed.
  schema::add_gateway_stats(db, gateway_eui,
                            {static_cast<std::int64_t>(s.rx_received), static_cast<std::int64_t>(s.rx_crc_ok),
                             static_cast<std::int64_t>(s.rx_forwarded), static_cast<std::int64_t>(s.downlinks_received),
                             static_cast<std::int64_t>(s.downlinks_transmitted)});
  if (s.position) {
    schema::set_gateway_position(db, gateway_eui, s.position->latitude_deg, s.position->longitude_deg,
                                 s.position->altitude_m);
  }
  enqueue_event(db, gateway_event_topic(gateway_eui, "stats"),
                gateway_stats_json(gateway_eui, s, std::chrono::system_clock::now()));
  tx.commit();
}

}  // namespace uchet::appserver
