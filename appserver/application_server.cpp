#include "appserver/application_server.h"

#include "appserver/integration/integration_events.h"
#include "appserver/integration/outbox.h"
#include "codecs/codec.h"
#include "netserver/lorawan/airtime.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/radio_conversion.h"
#include "schema/alarms.h"
#include "schema/gateways.h"
#include "schema/uplink_frames.h"

namespace uchet::appserver {
namespace {

std::int64_t unix_ms(netserver::SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void ApplicationServer::publish(schema::UnitOfWork& work, const schema::Device& device, std::string_view event,
                                const std::string& body) {
  enqueue_event(work, topics_.device_event(device, event), body);
  ++counters_.events;
}

void ApplicationServer::uplink(schema::UnitOfWork& work, const netserver::UplinkEvent& e) {
  // Built once: stored with the frame and published in the up event.
  RxInfoContext rx_context{std::chrono::system_clock::now(), std::chrono::steady_clock::now(),
                           [&](lorawan::Eui64 gateway) { return gateway_location(work, gateway); }};
  auto rx_info = rx_info_json(*e.receptions, rx_context);
  auto tx_info = tx_info_json(e.receptions->front());
  std::optional<std::int64_t> f_port;
  if (e.f_port) f_port = *e.f_port;
  schema::NewUplinkFrame frame;
  frame.deduplication_id = e.deduplication_id;
  frame.dev_eui = e.device->dev_eui;
  frame.dev_addr = e.dev_addr;
  frame.f_cnt = static_cast<std::int64_t>(e.f_cnt);
  frame.f_port = f_port;
  frame.confirmed = e.confirmed;
  frame.dr = e.dr;
  frame.payload = e.data;
  frame.rx_info = rx_info;
  frame.tx_info = tx_info;
  frame.received_at_ms = unix_ms(e.received_at);
  frame.network_time_ms = unix_ms(e.network_time);
  frame.network_time_gps = e.network_time_from_gps;
  const std::int64_t frame_id = schema::insert_uplink_frame(work, frame);
  ++counters_.frames_stored;
  const std::int64_t received_at = unix_ms(e.received_at) / 1000;
  if (silence_may_be_open(work, e.device->dev_eui)) {
    if (auto closed = close_silence(work, e.device->dev_eui, received_at, frame_id)) {
      publish_alarm(work, *e.device, *closed);
    } else {
      maybe_silent_->erase(e.device->dev_eui);
    }
  }

  nlohmann::json object;
  if (!e.device->codec.empty() && e.f_port && *e.f_port > 0) {
    auto decoded = codecs::decode(e.device->codec, *e.f_port, e.data);
    if (decoded) {
      object = codecs::to_json(*decoded);
      ++counters_.decoded;
      FrameContext context;
      context.frame_id = frame_id;
      context.received_at = received_at;
      context.network_time = static_cast<double>(unix_ms(e.network_time)) / 1000.0;
      context.time_on_air_s = std::chrono::duration<double>(
                                  lorawan::time_on_air(netserver::to_lorawan_rate(e.receptions->front().data_rate),
                                                       e.phy_payload_size, true))
                                  .count();
      auto metering = apply_decoded(work, *e.device, *decoded, context, metering_);
      for (const auto& change : metering.alarms) publish_alarm(work, *e.device, change);
    } else {
      ++counters_.codec_errors;
      log(work, netserver::LogEvent{e.received_at,
                                    e.device,
                                    "ERROR",
                                    "UPLINK_CODEC",
                                    decoded.error(),
                                    {{"codec", e.device->codec},
                                     {"fPort", std::to_string(*e.f_port)},
                                     {"fCnt", std::to_string(e.f_cnt)},
                                     {"deduplicationId", e.deduplication_id}}});
    }
  }
  publish(work, *e.device, "up", up_event_json(e, object, identity_for(work, *e.device), rx_info, tx_info));
}

void ApplicationServer::joined(schema::UnitOfWork& work, const netserver::JoinEvent& e) {
  publish(work, *e.device, "join", join_event_json(e, identity_for(work, *e.device)));
}

void ApplicationServer::status(schema::UnitOfWork& work, const netserver::StatusEvent& e) {
  publish(work, *e.device, "status", status_event_json(e, identity_for(work, *e.device)));
}

void ApplicationServer::ack(schema::UnitOfWork& work, const netserver::AckEvent& e) {
  publish(work, *e.device, "ack", ack_event_json(e, identity_for(work, *e.device)));
}

void ApplicationServer::tx_ack(schema::UnitOfWork& work, const netserver::TxAckEvent& e) {
  if (e.error.empty() && e.queue_item_id)
    publish(work, *e.device, "txack", txack_event_json(e, identity_for(work, *e.device)));
  if (auto gateway_log = gateway_log_event(e)) log(work, *gateway_log);
}

void ApplicationServer::log(schema::UnitOfWork& work, const netserver::LogEvent& e) {
  if (e.device) publish(work, *e.device, "log", log_event_json(e, identity_for(work, *e.device)));
}

void ApplicationServer::publish_alarm(schema::UnitOfWork& work, const schema::Device& device,
                                      const AlarmChange& change) {
  publish(work, device, "alarm", alarm_event_json(device, change, identity_for(work, device)));
}

std::optional<GatewayLocation> ApplicationServer::gateway_location(schema::UnitOfWork& work,
                                                                   lorawan::Eui64 gateway_eui) {
  const auto now = std::chrono::steady_clock::now();
  auto it = gateway_locations_.find(gateway_eui);
  if (it == gateway_locations_.end() || now - it->second.read_at > std::chrono::minutes(1)) {
    std::optional<GatewayLocation> location;
    if (auto gateway = schema::find_gateway(work, gateway_eui); gateway && gateway->latitude && gateway->longitude) {
      location = GatewayLocation{*gateway->latitude, *gateway->longitude, gateway->altitude.value_or(0)};
    }
    it = gateway_locations_.insert_or_assign(gateway_eui, KnownLocation{location, now}).first;
  }
  return it->second.location;
}

const EventIdentity& ApplicationServer::identity_for(schema::UnitOfWork& work, const schema::Device& device) {
  const auto now = std::chrono::steady_clock::now();
  auto it = device_places_.find(device.dev_eui);
  if (it == device_places_.end() || now - it->second.read_at > std::chrono::minutes(1)) {
    it = device_places_.insert_or_assign(device.dev_eui, KnownPlace{schema::device_place(work, device.dev_eui), now})
             .first;
  }
  identity_.place = it->second.place;
  return identity_;
}

void ApplicationServer::check_silence(schema::Database& db, std::int64_t now) {
  schema::Transaction tx(db);
  auto work = tx.work();
  auto changes = open_silence_alarms(work, now);
  for (const auto& [dev_eui, change] : changes) {
    if (auto device = schema::find_device(work, dev_eui)) publish_alarm(work, *device, change);
  }
  tx.commit();
  if (maybe_silent_) {
    for (const auto& change : changes) maybe_silent_->insert(change.first);
  }
  if (!changes.empty()) committed();
}

void ApplicationServer::committed() {
  if (on_committed_) on_committed_();
}

void ApplicationServer::rolled_back() { maybe_silent_.reset(); }

bool ApplicationServer::silence_may_be_open(schema::UnitOfWork& work, lorawan::Eui64 dev_eui) {
  if (!maybe_silent_) {
    maybe_silent_ = schema::devices_with_open_alarm(work, schema::kSilentAlarm);
  }
  return maybe_silent_->contains(dev_eui);
}

}  // namespace uchet::appserver
